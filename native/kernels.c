/*
 * gradproof's optional native kernels: the loops a replay of a large dense layer spends its time
 * in, over whole rows so that the compiler vectorises them (loops.h: the same bits as the
 * JavaScript loops), and the chain of layers of chain.c.
 * src/core/native.ts loads this addon when `npm install` built it (scripts/build-native.mjs) and
 * falls back to the JavaScript loops when it did not.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "args.h"
#include "loops.h"
#include "chain.h"
#include "v8-math.h"

/* Raised whenever a call's arguments or meaning change. */
#define GRADPROOF_ABI 4

/* ---- The functions JavaScript calls ---- */

/* rankUpdate(out, a, k, r, now, was, nowAt, wasAt, m, n): rank_update_loop over row r of B (now at nowAt, was at wasAt). */
static napi_value rank_update(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value args[10];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  size_t outLength, aLength, nowLength, wasLength;
  double *out = doubles(env, args[0], &outLength);
  double *a = out ? doubles(env, args[1], &aLength) : NULL;
  double *now = a ? doubles(env, args[4], &nowLength) : NULL;
  double *was = now ? doubles(env, args[5], &wasLength) : NULL;
  if (!was) return NULL;
  int64_t k = count(env, args[2]), r = count(env, args[3]), nowAt = count(env, args[6]), wasAt = count(env, args[7]);
  int64_t m = count(env, args[8]), n = count(env, args[9]);
  if (k < 0 || r < 0 || nowAt < 0 || wasAt < 0 || m < 0 || n < 0 || r >= k || times(m, n) > outLength ||
      (m > 0 && (times(m - 1, k) >= aLength || times(m - 1, k) + r >= aLength)) || (size_t)(nowAt + n) > nowLength || (size_t)(wasAt + n) > wasLength) {
    return out_of_range(env);
  }
  rank_update_loop(out, a, k, r, now + nowAt, was + wasAt, m, n);
  return NULL;
}

/* relu(x, out, start, count): relu_loop over [start, start + count). */
static napi_value relu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  size_t xLength, outLength;
  double *x = doubles(env, args[0], &xLength);
  double *out = x ? doubles(env, args[1], &outLength) : NULL;
  if (!out) return NULL;
  int64_t start = count(env, args[2]), length = count(env, args[3]);
  if (start < 0 || length < 0 || (size_t)(start + length) > xLength || (size_t)(start + length) > outLength) return out_of_range(env);
  relu_loop(x + start, out + start, length);
  return NULL;
}

/*
 * product(out, a, b, bias, m, k, n, transA, transB): out [m, n] = A·B (+ bias; null for none),
 * A [m, k] stored as is or transposed ([k, m]), B [k, n] likewise ([n, k]). Each sum starts from
 * 0 and runs over p in order, as the JavaScript matmul's do; B stored transposed is first copied
 * as [k, n], so that the loop over a row of the output still runs along memory.
 */
static napi_value product(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value args[9];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  size_t outLength, aLength, bLength, biasLength = 0;
  double *out = doubles(env, args[0], &outLength);
  double *a = out ? doubles(env, args[1], &aLength) : NULL;
  double *b = a ? doubles(env, args[2], &bLength) : NULL;
  if (!b) return NULL;
  napi_valuetype biasType;
  napi_typeof(env, args[3], &biasType);
  double *bias = biasType == napi_null ? NULL : doubles(env, args[3], &biasLength);
  if (biasType != napi_null && !bias) return NULL;
  int64_t m = count(env, args[4]), k = count(env, args[5]), n = count(env, args[6]);
  bool transA = false, transB = false;
  napi_get_value_bool(env, args[7], &transA);
  napi_get_value_bool(env, args[8], &transB);
  if (m < 0 || k < 0 || n < 0 || times(m, n) > outLength || times(m, k) > aLength || times(k, n) > bLength || (bias && (size_t)m > biasLength)) {
    return out_of_range(env);
  }
  double *bt = NULL;
  if (transB && k > 0 && n > 0) {
    bt = malloc(sizeof(double) * times(k, n));
    if (!bt) {
      napi_throw_error(env, NULL, "gradproof native kernels: out of memory");
      return NULL;
    }
    for (size_t p = 0; p < (size_t)k; p++)
      for (size_t j = 0; j < (size_t)n; j++) bt[p * n + j] = b[j * k + p];
  }
  product_loop(out, a, bt ? bt : b, bias, m, k, n, transA);
  free(bt);
  return NULL;
}

NAPI_MODULE_INIT() {
  const export_t kernels[] = {
    {"rankUpdate", rank_update},
    {"relu", relu},
    {"product", product},
  };
  export_all(env, exports, kernels, sizeof kernels / sizeof kernels[0]);
  chain_register(env, exports);
  v8_math_register(env, exports);
  // The version of the calls above, which src/core/native.ts requires: JavaScript built against
  // other calls (a stale dist/, say) leaves the addon unused rather than calling it wrongly.
  napi_value abi;
  napi_create_int32(env, GRADPROOF_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  return exports;
}
