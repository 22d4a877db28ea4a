/*
 * A chain's replay (chain-types.h): the steps in order, each that has a moved input (linear,
 * relu and the fused three in chain.c, sigmoid and the cost in chain-tail.c), then what they
 * wrote put back from the baselines; chain_step also moves the element and puts it back.
 */
#include <string.h>

#include "chain-types.h"

/* Puts back from the baseline what a step wrote. */
static void restore(const value_t *v, const change_t *c) {
  const size_t n = v->n;
  if (c->kind == ROW) memcpy(v->cur + c->at * n, v->base + c->at * n, n * sizeof(double));
  else if (c->kind == ALL || (c->kind == COLS && 8 * c->ncols > n)) memcpy(v->cur, v->base, v->m * n * sizeof(double));
  else if (c->kind == COLS)
    for (size_t i = 0; i < v->m; i++)
      for (size_t j = 0; j < c->ncols; j++) v->cur[i * n + c->cols[j]] = v->base[i * n + c->cols[j]];
}

/* One replay (chain-types.h). */
void chain_run(chain_t *ch, size_t param, size_t index, double delta) {
  for (size_t v = 0; v < ch->nvalues; v++) ch->changes[v].kind = NONE;
  const size_t moved = (size_t)ch->params[param];
  ch->changes[moved] = (change_t){ .kind = ELEMENT, .at = index, .delta = delta, .cols = ch->changes[moved].cols };
  for (size_t i = 0; i < ch->nsteps; i++) {
    const step_t *s = &ch->steps[i];
    int moved = 0;
    for (int j = 0; j < 3; j++) moved |= s->in[j] >= 0 && ch->changes[s->in[j]].kind != NONE;
    if (!moved) continue;
    if (s->fuse && ch->changes[s->in[0]].kind == ROW) {
      fused_step(ch, s);
      i += 2;
    } else if (s->op == LINEAR) {
      linear_step(ch, s);
    } else if (s->op == RELU) {
      relu_step(ch, s);
    } else if (s->op == SIGMOID) {
      sigmoid_step(ch, s);
    } else {
      logloss_step(ch, s);
    }
  }
  for (size_t i = 0; i < ch->nsteps; i++) {
    const size_t out = ch->steps[i].out;
    if (out != ch->frontier) restore(&ch->values[out], &ch->changes[out]);
  }
  const change_t *f = &ch->changes[ch->frontier];
  ch->report[0] = f->kind;
  ch->report[1] = (int32_t)(f->kind == COLS ? f->ncols : f->at);
  if (f->kind == COLS) memcpy(ch->report + 2, f->cols, f->ncols * sizeof(int32_t));
}

/*
 * A replay of a chain that ends at the objective (a number): moves element `index` of params[param] by
 * `step` itself, as the JavaScript replay does (θ + step written, the move taken as what was
 * written minus θ), replays, puts everything back (the element, to its saved bits) and returns
 * the objective.
 */
double chain_step(chain_t *ch, size_t param, size_t index, double step) {
  double *theta = ch->values[ch->params[param]].cur + index;
  const double original = *theta;
  *theta = original + step;
  chain_run(ch, param, index, *theta - original);
  *theta = original;
  const value_t *f = &ch->values[ch->frontier];
  const double objective = f->cur[0];
  restore(f, &ch->changes[ch->frontier]);
  return objective;
}
