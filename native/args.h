/* Reading the arguments JavaScript passes to the native kernels, checked (kernels.c, chain-create.c, chain-calls.c, v8-math.c). */
#ifndef GRADPROOF_ARGS_H
#define GRADPROOF_ARGS_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* A Float64Array argument and its length, or NULL (a TypeError is then pending). An empty one,
 * whose data N-API gives as NULL, comes back as a pointer to nothing: length 0, never read. */
static inline double *doubles(napi_env env, napi_value value, size_t *length) {
  static double nothing[1];
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "gradproof native kernels: expected a Float64Array");
    return NULL;
  }
  return *length == 0 || !data ? nothing : (double *)data;
}

/* x as a count or index: a whole number in [0, 2^31) (not 1.5, NaN or Infinity, which int64 would cut to one); else -1. */
static inline int64_t whole(double x) { return x >= 0 && x <= INT32_MAX && x == (double)(int64_t)x ? (int64_t)x : -1; }

/* A count or index argument (whole); else -1. */
static inline int64_t count(napi_env env, napi_value value) {
  double x = -1;
  return napi_get_value_double(env, value, &x) == napi_ok ? whole(x) : -1;
}

/* a·b, or SIZE_MAX when it overflows (no array is that long, so a bounds check then fails). */
static inline size_t times(size_t a, size_t b) {
  size_t product;
  return __builtin_mul_overflow(a, b, &product) ? SIZE_MAX : product;
}

/* A function to export: its JavaScript name and its C. */
typedef struct {
  const char *name;
  napi_callback f;
} export_t;

/* Adds each of `list` to `exports` under its name. */
static inline void export_all(napi_env env, napi_value exports, const export_t *list, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value f;
    napi_create_function(env, list[i].name, NAPI_AUTO_LENGTH, list[i].f, NULL, &f);
    napi_set_named_property(env, exports, list[i].name, f);
  }
}

static inline napi_value out_of_range(napi_env env) {
  napi_throw_range_error(env, NULL, "gradproof native kernels: sizes do not fit the arrays");
  return NULL;
}

#endif
