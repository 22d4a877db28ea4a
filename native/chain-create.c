/*
 * Making a chain (chain.c runs it): chainCreate lays the chain out in one block of memory that
 * JavaScript made (a Float64Array, chainSize bytes at least) and checks its program against its
 * arrays once (chain-check.c), so that the calls that run it (chain-calls.c), once per run of
 * evaluations, only check the param's position and the elements' indices. The block is the
 * chain's handle: JavaScript holds it, with the arrays the chain points into, as long as it
 * runs the chain, and the garbage collector frees it (no finalizer, no malloc: a chain of a tiny
 * network is made in a few microseconds, once per check). The block must be out of every op's
 * reach (src/core/alloc.ts, hiddenF64): it holds pointers.
 *
 * The pointers into the arrays stay good while JavaScript holds them: N-API's typed-array info
 * moves a small array's numbers off V8's heap first, and numbers off the heap never move.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "args.h"
#include "chain.h"
#include "chain-types.h"

enum { HEADER = 4, VALUE = 4, STEP = 5, ARGS = 4, MAX_ARGS = 64 };

/*
 * A program (Int32Array) = nvalues, nsteps, nparams, frontier; the params' values (a replay
 * moves one of them: a run's `param` is its position here); per value: rows, columns, its
 * array's position among the arrays, its baseline's (−1 for none); per step: op (1 linear,
 * 2 relu, 3 sigmoid, 4 logloss), output, inputs (linear: X, W, b or −1; relu and sigmoid: x,
 * −1, −1; logloss: A, Y, −1).
 */
typedef struct {
  const int32_t *header, *params, *values, *steps;
  size_t nvalues, nsteps, nparams;
} program_t;

/* The program in `arg`, its header and length checked; false with an error pending. */
static bool program_of(napi_env env, napi_value arg, program_t *p, const char *usage) {
  napi_typedarray_type type;
  size_t length = 0;
  int32_t *prog = NULL;
  if (napi_get_typedarray_info(env, arg, &type, &length, (void **)&prog, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  if (length < HEADER || prog[0] < 1 || prog[1] < 1 || prog[2] < 1 || prog[3] < 0 || length != HEADER + (size_t)prog[2] + (size_t)prog[0] * VALUE + (size_t)prog[1] * STEP) return out_of_range(env), false;
  *p = (program_t){ .header = prog, .nvalues = prog[0], .nsteps = prog[1], .nparams = prog[2], .params = prog + HEADER };
  p->values = p->params + p->nparams, p->steps = p->values + p->nvalues * VALUE;
  return true;
}

/* A value's rows and columns (0 for a position outside the program: chain_valid refuses it later). */
static size_t rows(const program_t *p, int32_t v) { return v >= 0 && (size_t)v < p->nvalues && p->values[v * VALUE] > 0 ? (size_t)p->values[v * VALUE] : 0; }
static size_t cols(const program_t *p, int32_t v) { return v >= 0 && (size_t)v < p->nvalues && p->values[v * VALUE + 1] > 0 ? (size_t)p->values[v * VALUE + 1] : 0; }

/* The bytes chain_create takes at most for the program (what each `take` there asks, with fuse's room at its largest). */
static size_t chain_bytes(const program_t *p) {
  size_t bytes = aligned(sizeof(chain_t));
  bytes = plus(bytes, aligned(times(p->nparams, sizeof(int32_t))));
  bytes = plus(bytes, aligned(times(p->nvalues, sizeof(value_t))));
  bytes = plus(bytes, aligned(times(p->nvalues, sizeof(change_t))));
  bytes = plus(bytes, aligned(times(p->nsteps, sizeof(step_t))));
  bytes = plus(bytes, aligned(times(2 * sizeof(bool), p->nvalues)));
  for (size_t v = 0; v < p->nvalues; v++) bytes = plus(bytes, aligned(times(cols(p, v) + 1, sizeof(int32_t))));
  size_t room = 0;
  for (size_t i = 0; i < p->nsteps; i++) {
    const int32_t *s = p->steps + i * STEP;
    const size_t fused = times(rows(p, s[1]) + 1, cols(p, s[1])), terms = times(4, times(rows(p, s[2]), cols(p, s[2])));
    if (s[0] == LINEAR && fused > room) room = fused;
    if (s[0] == LOGLOSS) bytes = plus(bytes, aligned(times(terms, sizeof(double))));
  }
  return plus(bytes, aligned(times(room, sizeof(double))));
}

/* chainSize(program): the bytes of the block chainCreate needs for it. */
static napi_value chain_size_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg = NULL, result = NULL;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  program_t p;
  const char *usage = "gradproof native kernels: chainSize(program: Int32Array)";
  if (argc < 1) return napi_throw_type_error(env, NULL, usage), NULL;
  if (!program_of(env, arg, &p, usage)) return NULL;
  const size_t bytes = chain_bytes(&p);
  if (bytes > (size_t)1 << 50) return out_of_range(env);
  napi_create_double(env, (double)bytes, &result);
  return result;
}

/* The value `v` of the program over the arrays' numbers and lengths; false when it does not fit them. */
static bool value_of(const program_t *p, size_t v, double *const *data, const size_t *lengths, size_t narrays, value_t *value) {
  const int32_t *w = p->values + v * VALUE;
  if (w[0] < 0 || w[1] < 0 || w[2] < 0 || (size_t)w[2] >= narrays || w[3] < -1 || (w[3] >= 0 && (size_t)w[3] >= narrays)) return false;
  *value = (value_t){ .m = w[0], .n = w[1], .cur = data[w[2]], .base = w[3] >= 0 ? data[w[3]] : NULL };
  const size_t size = times(value->m, value->n);
  return size <= lengths[w[2]] && (w[3] < 0 || size <= lengths[w[3]]);
}

/* The chain of program `p` laid out in `a` over the arrays; NULL when it does not fit the arrays or the block, or is not valid. */
static chain_t *chain_create(const program_t *p, arena_t *a, double *const *data, const size_t *lengths, size_t narrays, int32_t *report, size_t nreport, double *run, size_t nrun) {
  const size_t nblock = a->left;
  chain_t *ch = take(a, sizeof *ch);
  if (!ch) return NULL;
  *ch = (chain_t){ .magic = CHAIN_MAGIC, .self = ch, .nvalues = p->nvalues, .nsteps = p->nsteps, .nparams = p->nparams, .frontier = p->header[3], .report = report, .run = run, .capacity = nrun / 3 };
  ch->params = take(a, p->nparams * sizeof *ch->params);
  ch->values = take(a, p->nvalues * sizeof *ch->values);
  ch->changes = take(a, p->nvalues * sizeof *ch->changes);
  ch->steps = take(a, p->nsteps * sizeof *ch->steps);
  bool *scratch = take(a, 2 * p->nvalues * sizeof(bool));
  bool ok = ch->params && ch->values && ch->changes && ch->steps && scratch;
  for (size_t i = 0; ok && i < p->nparams; i++) ch->params[i] = p->params[i];
  for (size_t v = 0; ok && v < p->nvalues; v++) {
    ok = value_of(p, v, data, lengths, narrays, &ch->values[v]);
    ch->changes[v].cols = ok ? take(a, (ch->values[v].n + 1) * sizeof(int32_t)) : NULL;
    ok = ok && ch->changes[v].cols;
  }
  for (size_t i = 0; ok && i < p->nsteps; i++) {
    const int32_t *s = p->steps + i * STEP;
    ch->steps[i] = (step_t){ .op = s[0], .out = s[1], .in = { s[2], s[3], s[4] } };
  }
  ok = ok && chain_valid(ch, scratch) && nreport >= 2 + ch->values[ch->frontier].n && chain_own_memory(ch, nblock, nreport);
  const size_t room = ok ? chain_fuse(ch) : 0;
  ch->scratch = room ? take(a, room * sizeof(double)) : NULL;
  ok = ok && (!room || ch->scratch);
  for (size_t i = 0; ok && i < ch->nsteps; i++) {
    step_t *s = &ch->steps[i];
    if (s->op != LOGLOSS) continue;
    s->terms = take(a, 4 * ch->values[s->in[0]].m * ch->values[s->in[0]].n * sizeof(double));
    if ((ok = s->terms != NULL)) logloss_terms(ch, s);
  }
  if (!ok) ch->magic = 0;
  return ok ? ch : NULL;
}

/* chainCreate's work over its arguments, each array's numbers in `data` and length in `lengths` (room for them); false with an error pending. */
static bool create(napi_env env, const napi_value *args, size_t argc, double **data, size_t *lengths, const char *usage) {
  const size_t narrays = argc - ARGS;
  napi_typedarray_type type;
  size_t nreport = 0, nrun = 0, nblock = 0;
  int32_t *report = NULL;
  double *run = NULL, *block = NULL;
  program_t p;
  if (!program_of(env, args[0], &p, usage)) return false;
  if (napi_get_typedarray_info(env, args[1], &type, &nreport, (void **)&report, NULL, NULL) != napi_ok || type != napi_int32_array) return napi_throw_type_error(env, NULL, usage), false;
  if (!(run = doubles(env, args[2], &nrun)) || !(block = doubles(env, args[3], &nblock))) return false;
  for (size_t i = 0; i < narrays; i++)
    if (!(data[i] = doubles(env, args[ARGS + i], &lengths[i]))) return false;
  arena_t arena = { .at = (char *)block, .left = times(nblock, sizeof(double)) };
  if (!chain_create(&p, &arena, data, lengths, narrays, report, nreport, run, nrun)) return out_of_range(env), false;
  return true;
}

/*
 * chainCreate(program, report, run, block, ...arrays): the chain of the program (program_t)
 * over the arrays (Float64Arrays), laid out in `block` (a Float64Array of chainSize(program)
 * bytes or more), which is then its handle. `report` (Int32Array, 2 + the frontier's columns)
 * receives the frontier's change after each chainRun; `run` (a Float64Array of 3 × a run's
 * largest count) holds chainSteps' elements, steps and objectives, so that a call of it reads no
 * array but the block. (chainStep and chainSteps, for a chain that ends at the objective, need
 * no report.)
 */
static napi_value chain_create_js(napi_env env, napi_callback_info info) {
  const char *usage = "gradproof native kernels: chainCreate(program: Int32Array, report: Int32Array, run: Float64Array, block: Float64Array, ...arrays: Float64Array[])";
  // The arrays come as arguments: one N-API call reads them all (up to MAX_ARGS; more take a second).
  napi_value stack[MAX_ARGS], *args = stack;
  double *stackData[MAX_ARGS], **data = stackData;
  size_t stackLengths[MAX_ARGS], *lengths = stackLengths, argc = MAX_ARGS;
  napi_get_cb_info(env, info, &argc, stack, NULL, NULL);
  if (argc < ARGS) return napi_throw_type_error(env, NULL, usage), NULL;
  if (argc > MAX_ARGS) {
    args = malloc(argc * sizeof *args), data = malloc(argc * sizeof *data), lengths = malloc(argc * sizeof *lengths);
    if (args && data && lengths) napi_get_cb_info(env, info, &argc, args, NULL, NULL);
    else napi_throw_error(env, NULL, "gradproof native kernels: out of memory");
  }
  if (args && data && lengths) create(env, args, argc, data, lengths, usage);
  if (args != stack) free(args), free(data), free(lengths);
  return NULL;
}

void chain_register(napi_env env, napi_value exports) {
  const export_t calls[] = {
    {"chainSize", chain_size_js},
    {"chainCreate", chain_create_js},
  };
  export_all(env, exports, calls, sizeof calls / sizeof calls[0]);
  chain_calls_register(env, exports);
}
