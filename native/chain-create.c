/*
 * Making a chain (chain.c runs it): chainCreate checks a program against its arrays once, so
 * that the calls that run it (chain-calls.c), once per evaluation, only check the param's
 * position and the element's index.
 *
 * The chain keeps pointers into the arrays it is given; the JavaScript object that holds the
 * chain holds the arrays too (src/engine/native-chain.ts), so they live as long as it does.
 * N-API's typed-array info moves a small array's numbers off V8's heap first, so they stay put.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "args.h"
#include "chain.h"
#include "chain-types.h"
#include "v8-math.h"

enum { HEADER = 4, VALUE = 4, STEP = 5 };

static void chain_free(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  chain_t *ch = data;
  if (!ch) return;
  if (ch->changes)
    for (size_t v = 0; v < ch->nvalues; v++) free(ch->changes[v].cols);
  if (ch->steps)
    for (size_t i = 0; i < ch->nsteps; i++) free(ch->steps[i].terms);
  free(ch->params), free(ch->values), free(ch->changes), free(ch->steps), free(ch->scratch), free(ch);
}

static bool overlap(const value_t *a, const double *p, const value_t *b) {
  return p && a->cur < p + b->m * b->n && p < a->cur + a->m * a->n;
}

/* Whether a replay that moves params[p] moves one input at most of each step (the engine leaves a step where two could to JavaScript). */
static bool one_moving_input(const chain_t *ch, size_t p, bool *moving) {
  for (size_t v = 0; v < ch->nvalues; v++) moving[v] = (size_t)ch->params[p] == v;
  for (size_t i = 0; i < ch->nsteps; i++) {
    const step_t *s = &ch->steps[i];
    int count = 0;
    for (int j = 0; j < 3; j++) count += s->in[j] >= 0 && moving[s->in[j]];
    if (count > 1) return false;
    moving[s->out] = count > 0;
  }
  return true;
}

/* Whether the values, params and steps make a program a replay can run without reading or writing out of bounds. */
static bool valid(const chain_t *ch) {
  if (ch->frontier >= ch->nvalues || ch->nparams == 0) return false;
  bool *param = calloc(ch->nvalues, sizeof(bool)), *output = calloc(ch->nvalues, sizeof(bool));
  bool ok = param && output;
  // A param is a value with no baseline (a leaf), named once.
  for (size_t p = 0; ok && p < ch->nparams; p++) {
    const int32_t v = ch->params[p];
    ok = v >= 0 && (size_t)v < ch->nvalues && !param[v] && !ch->values[v].base;
    if (ok) param[v] = true;
  }
  for (size_t i = 0; ok && i < ch->nsteps; i++) {
    const step_t *s = &ch->steps[i];
    const int inputs = s->op == LINEAR ? 3 : s->op == LOGLOSS ? 2 : 1;
    // Sigmoid and the cost only with V8's exp and log (v8-math.h).
    ok = (s->op == LINEAR || s->op == RELU || ((s->op == SIGMOID || s->op == LOGLOSS) && v8_exp)) && s->out >= 0 && (size_t)s->out < ch->nvalues && !output[s->out] && !param[s->out] && ch->values[s->out].base;
    for (int j = 0; ok && j < 3; j++) {
      const int32_t in = s->in[j];
      ok = j >= inputs ? in == -1 : (j == 2 && in == -1) || (in >= 0 && (size_t)in < ch->nvalues && in != s->out);
      // An input that is a step's output comes from an earlier step (it then has its baseline).
      if (ok && in >= 0) ok = output[in] || !ch->values[in].base;
    }
    if (!ok) break;
    const value_t *out = &ch->values[s->out], *x = &ch->values[s->in[0]];
    if (s->op == LINEAR) {
      const value_t *w = &ch->values[s->in[1]], *b = s->in[2] >= 0 ? &ch->values[s->in[2]] : NULL;
      ok = w->m == out->m && w->n == x->m && x->n == out->n && (!b || (b->m == out->m && b->n == 1));
    } else if (s->op == LOGLOSS) {
      // A is a step's output (its baseline gives the terms), Y its shape; the cost one number.
      const value_t *y = &ch->values[s->in[1]];
      ok = x->base && y->m == x->m && y->n == x->n && out->m == 1 && out->n == 1 && x->n > 0;
    } else {
      ok = x->m == out->m && x->n == out->n;
    }
    // A step's working copy shares memory with no other value, nor with its baseline.
    ok = ok && !overlap(out, out->base, out);
    for (size_t v = 0; ok && v < ch->nvalues; v++)
      if (v != (size_t)s->out) ok = !overlap(out, ch->values[v].cur, &ch->values[v]) && !overlap(out, ch->values[v].base, &ch->values[v]);
    output[s->out] = true;
  }
  ok = ok && output[ch->frontier];
  for (size_t p = 0; ok && p < ch->nparams; p++) ok = one_moving_input(ch, p, param);
  free(param), free(output);
  return ok;
}

/* Whether the value `v` is read by a step other than `reader`, or is the frontier. */
static bool read_elsewhere(const chain_t *ch, int32_t v, size_t reader) {
  if ((size_t)v == ch->frontier) return true;
  for (size_t i = 0; i < ch->nsteps; i++)
    for (int j = 0; j < 3; j++)
      if (i != reader && ch->steps[i].in[j] == v) return true;
  return false;
}

/*
 * Marks the linear steps that run fused with the relu and linear after them (fused_step): where
 * the relu reads the first's output, the second linear the relu's as its X, and nothing else reads
 * either. Makes room for the fused loops; false when out of memory.
 */
static bool fuse(chain_t *ch) {
  size_t room = 0;
  for (size_t i = 0; i + 2 < ch->nsteps; i++) {
    step_t *s = &ch->steps[i];
    const step_t *relu = s + 1, *next = s + 2;
    s->fuse = s->op == LINEAR && relu->op == RELU && next->op == LINEAR && relu->in[0] == s->out && next->in[0] == relu->out &&
              next->in[1] != s->out && next->in[1] != relu->out && next->in[2] != s->out && next->in[2] != relu->out &&
              !read_elsewhere(ch, s->out, i + 1) && !read_elsewhere(ch, relu->out, i + 2);
    const value_t *out = &ch->values[next->out];
    if (s->fuse && (out->m + 1) * out->n > room) room = (out->m + 1) * out->n;
  }
  ch->scratch = room ? malloc(room * sizeof(double)) : NULL;
  return !room || ch->scratch;
}

/*
 * chainCreate(arrays, program, report): program (Int32Array) = nvalues, nsteps, nparams, frontier;
 * the params' values (a replay moves one of them: chainRun's `param` is its position here); per value: rows, columns, its array's index in `arrays`, its baseline's (−1 for none); per
 * step: op (1 linear, 2 relu, 3 sigmoid, 4 logloss), output, inputs (linear: X, W, b or −1; relu
 * and sigmoid: x, −1, −1; logloss: A, Y, −1). `report`
 * (Int32Array, 2 + the frontier's columns) receives the frontier's change after each chainRun
 * (chain-calls.c; chainStep and chainSteps, for a chain that ends at the objective, need none).
 */
static napi_value chain_create_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  uint32_t narrays = 0;
  napi_typedarray_type type, reportType;
  size_t plen = 0, rlen = 0;
  int32_t *prog = NULL, *report = NULL;
  if (argc < 3 || napi_get_array_length(env, args[0], &narrays) != napi_ok ||
      napi_get_typedarray_info(env, args[1], &type, &plen, (void **)&prog, NULL, NULL) != napi_ok || type != napi_int32_array || plen < HEADER ||
      napi_get_typedarray_info(env, args[2], &reportType, &rlen, (void **)&report, NULL, NULL) != napi_ok || reportType != napi_int32_array) {
    napi_throw_type_error(env, NULL, "gradproof native kernels: chainCreate(arrays, program: Int32Array, report: Int32Array)");
    return NULL;
  }
  if (prog[0] < 1 || prog[1] < 1 || prog[2] < 1 || prog[3] < 0 || plen != HEADER + (size_t)prog[2] + (size_t)prog[0] * VALUE + (size_t)prog[1] * STEP) return out_of_range(env);
  chain_t *ch = calloc(1, sizeof *ch);
  if (!ch) return out_of_range(env);
  *ch = (chain_t){ .nvalues = prog[0], .nsteps = prog[1], .nparams = prog[2], .frontier = prog[3], .report = report };
  const int32_t *values = prog + HEADER + ch->nparams, *steps = values + ch->nvalues * VALUE;
  ch->params = malloc(ch->nparams * sizeof *ch->params);
  ch->values = calloc(ch->nvalues, sizeof *ch->values);
  ch->changes = calloc(ch->nvalues, sizeof *ch->changes);
  ch->steps = calloc(ch->nsteps, sizeof *ch->steps);
  // Each array's numbers and length, looked up once (N-API calls cost here: a value may share an array).
  double **data = calloc(narrays + 1, sizeof *data);
  size_t *lengths = calloc(narrays + 1, sizeof *lengths);
  bool ok = ch->params && ch->values && ch->changes && ch->steps && data && lengths;
  for (uint32_t a = 0; ok && a < narrays; a++) {
    napi_value array;
    data[a] = napi_get_element(env, args[0], a, &array) == napi_ok ? doubles(env, array, &lengths[a]) : NULL;
    if (!data[a]) return free(data), free(lengths), chain_free(env, ch, NULL), NULL;
  }
  for (size_t p = 0; ok && p < ch->nparams; p++) ch->params[p] = prog[HEADER + p];
  for (size_t v = 0; ok && v < ch->nvalues; v++) {
    const int32_t *p = values + v * VALUE;
    value_t *value = &ch->values[v];
    ok = p[0] >= 0 && p[1] >= 0 && p[2] >= 0 && (uint32_t)p[2] < narrays && p[3] >= -1 && (p[3] < 0 || (uint32_t)p[3] < narrays);
    if (!ok) break;
    value->m = p[0], value->n = p[1];
    value->cur = data[p[2]];
    value->base = p[3] >= 0 ? data[p[3]] : NULL;
    ok = times(value->m, value->n) <= lengths[p[2]] && (p[3] < 0 || times(value->m, value->n) <= lengths[p[3]]);
    ch->changes[v].cols = ok ? malloc((value->n + 1) * sizeof(int32_t)) : NULL;
    ok = ok && ch->changes[v].cols;
  }
  free(data), free(lengths);
  for (size_t i = 0; ok && i < ch->nsteps; i++) {
    const int32_t *p = steps + i * STEP;
    ch->steps[i] = (step_t){ .op = p[0], .out = p[1], .in = { p[2], p[3], p[4] } };
  }
  ok = ok && valid(ch) && fuse(ch);
  for (size_t i = 0; ok && i < ch->nsteps; i++)
    if (ch->steps[i].op == LOGLOSS) ok = logloss_terms(ch, &ch->steps[i]);
  if (!ok || rlen < 2 + ch->values[ch->frontier].n) {
    chain_free(env, ch, NULL);
    return out_of_range(env);
  }
  napi_value external;
  if (napi_create_external(env, ch, chain_free, NULL, &external) != napi_ok) {
    chain_free(env, ch, NULL);
    return NULL;
  }
  return external;
}

void chain_register(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "chainCreate", NAPI_AUTO_LENGTH, chain_create_js, NULL, &f);
  napi_set_named_property(env, exports, "chainCreate", f);
  chain_calls_register(env, exports);
}
