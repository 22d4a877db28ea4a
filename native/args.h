/* Reading the arguments JavaScript passes to the native kernels, checked (kernels.c, chain.c). */
#ifndef GRADPROOF_ARGS_H
#define GRADPROOF_ARGS_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* A Float64Array argument and its length, or NULL (a TypeError is then pending). */
static inline double *doubles(napi_env env, napi_value value, size_t *length) {
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "gradproof native kernels: expected a Float64Array");
    return NULL;
  }
  return (double *)data;
}

/* A count or index: a whole number in [0, 2^31); else -1. */
static inline int64_t count(napi_env env, napi_value value) {
  int64_t x = -1;
  if (napi_get_value_int64(env, value, &x) != napi_ok || x < 0 || x > INT32_MAX) return -1;
  return x;
}

/* a·b, or SIZE_MAX when it overflows (no array is that long, so a bounds check then fails). */
static inline size_t times(size_t a, size_t b) {
  size_t product;
  return __builtin_mul_overflow(a, b, &product) ? SIZE_MAX : product;
}

static inline napi_value out_of_range(napi_env env) {
  napi_throw_range_error(env, NULL, "gradproof native kernels: sizes do not fit the arrays");
  return NULL;
}

#endif
