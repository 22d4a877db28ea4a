/*
 * gradproof's optional native kernels: the three loops a replay of a large dense layer spends
 * its time in, over whole rows so that the compiler vectorises them (built with
 * -ffp-contract=off and without -ffast-math, so each element is the same IEEE operations, in the
 * same order, as the JavaScript loops they stand in for: the results are bitwise the same).
 * src/core/native.ts loads this addon when it was built (npm install runs scripts/build-native.mjs)
 * and falls back to the JavaScript loops when it was not.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

/* Raised whenever a kernel or its arguments change (src/core/native.ts has the same number). */
#define KERNELS_VERSION 2

/* A Float64Array argument and its length, or NULL (a TypeError is then pending). */
static double *doubles(napi_env env, napi_value value, size_t *length) {
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "gradproof native kernels: expected a Float64Array");
    return NULL;
  }
  return (double *)data;
}

static int64_t integer(napi_env env, napi_value value) {
  int64_t x = -1;
  napi_get_value_int64(env, value, &x);
  return x;
}

static napi_value out_of_range(napi_env env) {
  napi_throw_range_error(env, NULL, "gradproof native kernels: sizes do not fit the arrays");
  return NULL;
}

/*
 * rankUpdate(out, a, k, r, now, was, nowAt, wasAt, m, n): for each column j where row r of B
 * moved (now[nowAt + j] != was[wasAt + j], NaN counting as moved),
 * out[i·n + j] += a[i·k + r] · (now − was) for every row i. Other columns are left as they are.
 */
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
  int64_t k = integer(env, args[2]), r = integer(env, args[3]), nowAt = integer(env, args[6]), wasAt = integer(env, args[7]);
  int64_t m = integer(env, args[8]), n = integer(env, args[9]);
  if (m < 0 || n < 0 || k <= 0 || r < 0 || r >= k || nowAt < 0 || wasAt < 0 || (size_t)(m * n) > outLength ||
      (m > 0 && (size_t)((m - 1) * k + r) >= aLength) || (size_t)(nowAt + n) > nowLength || (size_t)(wasAt + n) > wasLength) {
    return out_of_range(env);
  }
  const double *b1 = now + nowAt, *b0 = was + wasAt;
  for (int64_t i = 0; i < m; i++) {
    const double w = a[i * k + r];
    double *row = out + i * n;
    for (int64_t j = 0; j < n; j++) row[j] = b1[j] != b0[j] ? row[j] + w * (b1[j] - b0[j]) : row[j];
  }
  return NULL;
}

/* relu(x, out, start, count): out[i] = max(x[i], 0) as Math.max gives it (NaN stays NaN, −0 gives +0). */
static napi_value relu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  size_t xLength, outLength;
  double *x = doubles(env, args[0], &xLength);
  double *out = x ? doubles(env, args[1], &outLength) : NULL;
  if (!out) return NULL;
  int64_t start = integer(env, args[2]), count = integer(env, args[3]);
  if (start < 0 || count < 0 || (size_t)(start + count) > xLength || (size_t)(start + count) > outLength) return out_of_range(env);
  for (int64_t i = start; i < start + count; i++) {
    const double v = x[i];
    out[i] = (v > 0 || v != v) ? v : 0.0;
  }
  return NULL;
}

/*
 * product(out, a, b, bias, m, k, n, transA, transB): out [m, n] = A·B (+ bias, one per row; bias
 * may be null), A [m, k] stored as is or transposed ([k, m]), B [k, n] likewise ([n, k]). Each
 * sum starts from 0 and runs over p in order, as the JavaScript matmul's do; B stored transposed
 * is first copied as [k, n], so that the loop over a row of the output still runs along memory.
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
  int64_t m = integer(env, args[4]), k = integer(env, args[5]), n = integer(env, args[6]);
  bool transA = false, transB = false;
  napi_get_value_bool(env, args[7], &transA);
  napi_get_value_bool(env, args[8], &transB);
  if (m < 0 || k < 0 || n < 0 || (size_t)(m * n) > outLength || (size_t)(m * k) > aLength || (size_t)(k * n) > bLength || (bias && (size_t)m > biasLength)) {
    return out_of_range(env);
  }
  double *bt = NULL;
  if (transB && k * n > 0) {
    bt = malloc(sizeof(double) * (size_t)(k * n));
    if (!bt) {
      napi_throw_error(env, NULL, "gradproof native kernels: out of memory");
      return NULL;
    }
    for (int64_t p = 0; p < k; p++)
      for (int64_t j = 0; j < n; j++) bt[p * n + j] = b[j * k + p];
  }
  const double *rows = bt ? bt : b;
  for (int64_t i = 0; i < m; i++) {
    double *row = out + i * n;
    for (int64_t j = 0; j < n; j++) row[j] = 0.0;
    for (int64_t p = 0; p < k; p++) {
      const double aip = transA ? a[p * m + i] : a[i * k + p];
      const double *bp = rows + p * n;
      for (int64_t j = 0; j < n; j++) row[j] += aip * bp[j];
    }
    if (bias) for (int64_t j = 0; j < n; j++) row[j] += bias[i];
  }
  free(bt);
  return NULL;
}

NAPI_MODULE_INIT() {
  const struct { const char *name; napi_callback f; } kernels[] = {
    {"rankUpdate", rank_update},
    {"relu", relu},
    {"product", product},
  };
  /* What src/core/native.ts expects: a build from another version of this file is not used. */
  napi_value version;
  napi_create_int32(env, KERNELS_VERSION, &version);
  napi_set_named_property(env, exports, "version", version);
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
    napi_value f;
    napi_create_function(env, kernels[i].name, NAPI_AUTO_LENGTH, kernels[i].f, NULL, &f);
    napi_set_named_property(env, exports, kernels[i].name, f);
  }
  return exports;
}
