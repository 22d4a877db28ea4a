/*
 * gradproof's optional native kernels: the loops a replay of a large dense layer spends its time
 * in, over whole rows so that the compiler vectorises them. Built with -ffp-contract=off (and the
 * pragma below), without -ffast-math, so each element is the same IEEE operations, in the same
 * order, as the JavaScript loops they stand in for: the results are bitwise the same. On x86-64
 * the loops are compiled twice, for AVX2 and for the baseline, and the one the CPU supports is
 * picked when the addon loads (the same operations either way).
 * src/core/native.ts loads this addon when `npm install` built it (scripts/build-native.mjs) and
 * falls back to the JavaScript loops when it did not.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTORISED __attribute__((target_clones("avx2", "default")))
#else
#define VECTORISED
#endif

/* ---- The loops ---- */

/* For each column j where b1 moved from b0 (!=, so NaN moved, ±0 not): row i of out += w_i·(b1 − b0). */
VECTORISED static void rank_update_loop(double *out, const double *a, size_t k, size_t r, const double *b1, const double *b0, size_t m, size_t n) {
  for (size_t i = 0; i < m; i++) {
    const double w = a[i * k + r];
    double *row = out + i * n;
    for (size_t j = 0; j < n; j++) {
      // Both sides computed, then one kept: a select the compiler turns into a vector blend.
      const double moved = row[j] + w * (b1[j] - b0[j]);
      row[j] = b1[j] != b0[j] ? moved : row[j];
    }
  }
}

/* out[i] = Math.max(x[i], 0): NaN stays NaN, −0 gives +0. */
VECTORISED static void relu_loop(const double *x, double *out, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const double v = x[i];
    out[i] = (v > 0 || v != v) ? v : 0.0;
  }
}

/* out [m, n] = A·B (+ bias per row): A [m, k] (read as stored [k, m] when transA), B [k, n] in rows. */
VECTORISED static void product_loop(double *out, const double *a, const double *b, const double *bias, size_t m, size_t k, size_t n, bool transA) {
  for (size_t i = 0; i < m; i++) {
    double *row = out + i * n;
    for (size_t j = 0; j < n; j++) row[j] = 0.0;
    for (size_t p = 0; p < k; p++) {
      const double aip = transA ? a[p * m + i] : a[i * k + p];
      const double *bp = b + p * n;
      for (size_t j = 0; j < n; j++) row[j] += aip * bp[j];
    }
    if (bias) for (size_t j = 0; j < n; j++) row[j] += bias[i];
  }
}

/* ---- Arguments ---- */

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

/* A count or index: a whole number in [0, 2^31); else -1. */
static int64_t count(napi_env env, napi_value value) {
  int64_t x = -1;
  if (napi_get_value_int64(env, value, &x) != napi_ok || x < 0 || x > INT32_MAX) return -1;
  return x;
}

/* a·b, or SIZE_MAX when it overflows (no array is that long, so a bounds check then fails). */
static size_t times(size_t a, size_t b) {
  size_t product;
  return __builtin_mul_overflow(a, b, &product) ? SIZE_MAX : product;
}

static napi_value out_of_range(napi_env env) {
  napi_throw_range_error(env, NULL, "gradproof native kernels: sizes do not fit the arrays");
  return NULL;
}

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
  const struct { const char *name; napi_callback f; } kernels[] = {
    {"rankUpdate", rank_update},
    {"relu", relu},
    {"product", product},
  };
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
    napi_value f;
    napi_create_function(env, kernels[i].name, NAPI_AUTO_LENGTH, kernels[i].f, NULL, &f);
    napi_set_named_property(env, exports, kernels[i].name, f);
  }
  return exports;
}
