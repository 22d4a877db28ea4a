/*
 * The checks chain-create.c runs on a program once, so that a replay (chain.c) only does
 * arithmetic: sizes that fit, steps in order, a step's working copy shared with no other value,
 * and at most one input of a step that a replay of any one param moves. Then the fusing of a
 * linear, a relu and a linear into one step where nothing else reads what the first two make.
 */
#include <stdbool.h>
#include <stdint.h>

#include "chain-types.h"
#include "v8-math.h"

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

/* Whether step `s`'s inputs have the sizes its op needs (for the cost, A is a step's output: its baseline gives the terms). */
static bool sizes_fit(const chain_t *ch, const step_t *s) {
  const value_t *out = &ch->values[s->out], *x = &ch->values[s->in[0]];
  if (s->op == LINEAR) {
    const value_t *w = &ch->values[s->in[1]], *b = s->in[2] >= 0 ? &ch->values[s->in[2]] : NULL;
    return w->m == out->m && w->n == x->m && x->n == out->n && (!b || (b->m == out->m && b->n == 1));
  }
  if (s->op == LOGLOSS) {
    const value_t *y = &ch->values[s->in[1]];
    return x->base && y->m == x->m && y->n == x->n && out->m == 1 && out->n == 1 && x->n > 0;
  }
  return x->m == out->m && x->n == out->n;
}

bool chain_valid(const chain_t *ch, bool *scratch) {
  if (ch->frontier >= ch->nvalues || ch->nparams == 0) return false;
  bool *param = scratch, *output = scratch + ch->nvalues;
  bool ok = true;
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
    ok = ok && sizes_fit(ch, s);
    // A step's working copy shares memory with no other value, nor with its baseline.
    const value_t *out = ok ? &ch->values[s->out] : NULL;
    ok = ok && !overlap(out, out->base, out);
    for (size_t v = 0; ok && v < ch->nvalues; v++)
      if (v != (size_t)s->out) ok = !overlap(out, ch->values[v].cur, &ch->values[v]) && !overlap(out, ch->values[v].base, &ch->values[v]);
    if (ok) output[s->out] = true;
  }
  ok = ok && output[ch->frontier];
  for (size_t p = 0; ok && p < ch->nparams; p++) ok = one_moving_input(ch, p, param);
  return ok;
}

/* Whether the bytes [a, a + na) and [b, b + nb) share none. */
static bool apart(const void *a, size_t na, const void *b, size_t nb) {
  const char *x = a, *y = b;
  return !a || !b || na == 0 || nb == 0 || x + na <= y || y + nb <= x;
}

bool chain_own_memory(const chain_t *ch, size_t nblock, size_t nreport) {
  const size_t nrun = 3 * ch->capacity * sizeof(double), nrep = nreport * sizeof(int32_t);
  bool ok = apart(ch, nblock, ch->run, nrun) && apart(ch, nblock, ch->report, nrep) && apart(ch->run, nrun, ch->report, nrep);
  for (size_t v = 0; ok && v < ch->nvalues; v++) {
    const value_t *x = &ch->values[v];
    const size_t bytes = x->m * x->n * sizeof(double);
    ok = apart(x->cur, bytes, ch, nblock) && apart(x->cur, bytes, ch->run, nrun) && apart(x->cur, bytes, ch->report, nrep) &&
         apart(x->base, bytes, ch, nblock) && apart(x->base, bytes, ch->run, nrun) && apart(x->base, bytes, ch->report, nrep);
  }
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
 * Fused (fused_step): where the relu reads the first linear's output, the second linear the
 * relu's as its X, and nothing else reads either. The room: the second's (rows + 1) · columns.
 */
size_t chain_fuse(chain_t *ch) {
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
  return room;
}
