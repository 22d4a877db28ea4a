/* A replay's chain of dense layers in one native call (chain.c). */
#ifndef GRADPROOF_CHAIN_H
#define GRADPROOF_CHAIN_H
#include <node_api.h>

/* Adds chainCreate and chainRun to the addon's exports. */
void chain_register(napi_env env, napi_value exports);

#endif
