/* V8's exp, log and log1p, found in the node binary at run time (v8-math.h says why). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_DEFAULT */
#endif
#include <stddef.h>

#include "args.h"
#include "v8-math.h"

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
/* The C++ names of double v8::base::ieee754::exp(double) and the others (Itanium ABI mangling). */
static unary_t find(const char *name) { return (unary_t)dlsym(RTLD_DEFAULT, name); }
#else
static unary_t find(const char *name) { (void)name; return NULL; }
#endif

unary_t v8_exp, v8_log, v8_log1p;

/* Looked up once, when the addon is loaded (before any thread's module init reads them). */
__attribute__((constructor)) static void resolve_at_load(void) { v8_math_resolve(); }

bool v8_math_resolve(void) {
  v8_exp = find("_ZN2v84base7ieee7543expEd");
  v8_log = find("_ZN2v84base7ieee7543logEd");
  v8_log1p = find("_ZN2v84base7ieee7545log1pEd");
  if (!v8_exp || !v8_log || !v8_log1p) v8_exp = v8_log = v8_log1p = NULL;
  return v8_exp != NULL;
}

/* v8Math(which, x, out): out[i] = f(x[i]) for f exp (0), log (1) or log1p (2); false when V8's are not found. */
static napi_value v8_math_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3], result;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t which = -1;
  size_t nx = 0, nout = 0;
  double *x = argc >= 3 && napi_get_value_int32(env, args[0], &which) == napi_ok ? doubles(env, args[1], &nx) : NULL;
  double *out = x ? doubles(env, args[2], &nout) : NULL;
  if (!out) return NULL;
  if (which < 0 || which > 2 || nout < nx) return out_of_range(env);
  const unary_t f = which == 0 ? v8_exp : which == 1 ? v8_log : v8_log1p;
  if (f)
    for (size_t i = 0; i < nx; i++) out[i] = f(x[i]);
  napi_get_boolean(env, f != NULL, &result);
  return result;
}

void v8_math_register(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "v8Math", NAPI_AUTO_LENGTH, v8_math_js, NULL, &f);
  napi_set_named_property(env, exports, "v8Math", f);
}
