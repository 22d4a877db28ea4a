/*
 * The N-API functions that run a chain (chain-create.c makes it, chain.c runs it), called once
 * per evaluation or run of evaluations: each checks its arguments (the param's position, its
 * elements, the arrays' lengths) before it moves anything.
 */
#include <node_api.h>
#include <stdint.h>

#include "args.h"
#include "chain.h"
#include "chain-types.h"

/* The chain (its block) and the param's position in its list from args[0] and args[1]; NULL (an error pending) when either is wrong. */
static chain_t *chain_and_param(napi_env env, const napi_value *args, size_t *param, const char *usage) {
  // The chain's block (chain-create.c): a Float64Array holding a chain made where it lies.
  napi_typedarray_type type;
  size_t length = 0;
  chain_t *ch = NULL;
  if (napi_get_typedarray_info(env, args[0], &type, &length, (void **)&ch, NULL, NULL) != napi_ok || type != napi_float64_array || length * sizeof(double) < sizeof *ch || ch->magic != CHAIN_MAGIC || ch->self != ch) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  const int64_t p = count(env, args[1]);
  if (p < 0 || (size_t)p >= ch->nparams) return out_of_range(env), NULL;
  *param = (size_t)p;
  return ch;
}

/* Whether `index` is an element of the param at `param`. */
static bool element_of(const chain_t *ch, size_t param, int64_t index) {
  const value_t *p = &ch->values[ch->params[param]];
  return index >= 0 && (size_t)index < p->m * p->n;
}

/* Whether the chain's frontier is one number (the objective, for chainStep and chainSteps). */
static bool ends_in_number(const chain_t *ch) { return ch->values[ch->frontier].m * ch->values[ch->frontier].n == 1; }

/*
 * The arguments of chainRun and chainStep, (chain, param, index, number), checked: the chain, or
 * NULL with an error pending. A chain for chainStep must end at one number (`objective`).
 */
static chain_t *one_element(napi_env env, napi_callback_info info, const char *usage, bool objective, size_t *param, size_t *index, double *number) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  chain_t *ch = argc >= 4 ? chain_and_param(env, args, param, usage) : (napi_throw_type_error(env, NULL, usage), NULL);
  if (!ch) return NULL;
  if (napi_get_value_double(env, args[3], number) != napi_ok) return napi_throw_type_error(env, NULL, usage), NULL;
  const int64_t i = count(env, args[2]);
  if (!element_of(ch, *param, i) || (objective && !ends_in_number(ch))) return out_of_range(env), NULL;
  *index = (size_t)i;
  return ch;
}

/* chainRun(chain, param, index, delta): one replay; the frontier's change is in the chain's report array. */
static napi_value chain_run_js(napi_env env, napi_callback_info info) {
  size_t param = 0, index = 0;
  double delta = 0;
  chain_t *ch = one_element(env, info, "gradproof native kernels: chainRun(chain, param, index, delta)", false, &param, &index, &delta);
  if (ch) chain_run(ch, param, index, delta);
  return NULL;
}

/* chainStep(chain, param, index, step): chain_step, for a chain whose frontier is the objective; its value. */
static napi_value chain_step_js(napi_env env, napi_callback_info info) {
  size_t param = 0, index = 0;
  double step = 0;
  napi_value result = NULL;
  chain_t *ch = one_element(env, info, "gradproof native kernels: chainStep(chain, param, index, step)", true, &param, &index, &step);
  if (ch) napi_create_double(env, chain_step(ch, param, index, step), &result);
  return result;
}

/*
 * chainSteps(chain, param, count): chain_step for the run the chain's `run` array holds
 * (chain-create.c): for k < count, the objective with element run[k] moved by run[capacity + k]
 * into run[2 · capacity + k]. Every index is checked before anything moves.
 */
static napi_value chain_steps_js(napi_env env, napi_callback_info info) {
  size_t argc = 3, param = 0;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  const char *usage = "gradproof native kernels: chainSteps(chain, param, count)";
  chain_t *ch = argc >= 3 ? chain_and_param(env, args, &param, usage) : (napi_throw_type_error(env, NULL, usage), NULL);
  if (!ch) return NULL;
  const int64_t n = count(env, args[2]);
  const size_t capacity = ch->capacity;
  const double *indices = ch->run, *steps = ch->run + capacity;
  double *out = ch->run + 2 * capacity;
  if (n < 0 || (size_t)n > capacity || !ends_in_number(ch)) return out_of_range(env);
  for (int64_t k = 0; k < n; k++)
    if (!element_of(ch, param, whole(indices[k]))) return out_of_range(env);
  for (int64_t k = 0; k < n; k++) out[k] = chain_step(ch, param, (size_t)indices[k], steps[k]);
  return NULL;
}

void chain_calls_register(napi_env env, napi_value exports) {
  const export_t calls[] = {
    {"chainRun", chain_run_js},
    {"chainStep", chain_step_js},
    {"chainSteps", chain_steps_js},
  };
  export_all(env, exports, calls, sizeof calls / sizeof calls[0]);
}
