/* A replay's chain of dense layers in one native call (chain.c). */
#ifndef GRADPROOF_CHAIN_H
#define GRADPROOF_CHAIN_H
#include <node_api.h>

/* Adds chainCreate (chain-create.c) and, through chain_calls_register, chainRun, chainStep and chainSteps (chain-calls.c) to the addon's exports. */
void chain_register(napi_env env, napi_value exports);
void chain_calls_register(napi_env env, napi_value exports);

#endif
