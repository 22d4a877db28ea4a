/*
 * V8's own exp, log and log1p (v8::base::ieee754, which Math.exp, Math.log and Math.log1p call),
 * looked up in the running node binary, so that a native step that takes an exp or a log gives
 * JavaScript's bits: C's libm does not (glibc's exp and log differ in the last bit on a few
 * percent of inputs). Where the binary does not export them, the pointers stay NULL and the
 * chain leaves such steps to JavaScript (src/core/native.ts also compares them with Math.* when
 * the addon loads).
 */
#ifndef GRADPROOF_V8_MATH_H
#define GRADPROOF_V8_MATH_H
#include <node_api.h>
#include <stdbool.h>

typedef double (*unary_t)(double);
extern unary_t v8_exp, v8_log, v8_log1p;

/* Looks the three up (done once when the addon loads); true when all were found. */
bool v8_math_resolve(void);

/* Adds v8Math(which, x, out) to the addon's exports (which: 0 exp, 1 log, 2 log1p). */
void v8_math_register(napi_env env, napi_value exports);

#endif
