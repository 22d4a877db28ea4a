/*
 * The chain's steps that take exps and logs: sigmoid and the logistic cost (src/ops/sigmoid.ts,
 * src/ops/logloss.ts), through V8's own exp, log and log1p (v8-math.h), so the same bits as the
 * JavaScript rules; chain-create.c admits them only when those were found.
 */
#include <string.h>

#include "chain-types.h"
#include "v8-math.h"

/* No fused multiply-adds: binding.gyp builds with -ffp-contract=off, as JavaScript computes. */

/* sigmoid.ts's kernel: neither branch overflows. */
static inline double sigmoid_of(double v) {
  if (v >= 0) return 1 / (1 + v8_exp(-v));
  const double e = v8_exp(v);
  return e / (1 + e);
}

/* Y = sigmoid(X): the part of X that moved (a row, some columns of every row, or all of it). */
void sigmoid_step(chain_t *ch, const step_t *s) {
  const value_t *Y = &ch->values[s->out], *X = &ch->values[s->in[0]];
  change_t *cy = &ch->changes[s->out];
  const change_t *cx = &ch->changes[s->in[0]];
  const size_t m = Y->m, n = Y->n;
  if (cx->kind == ELEMENT || cx->kind == ROW) {
    const size_t r = cx->kind == ELEMENT ? cx->at / n : cx->at;
    for (size_t j = 0; j < n; j++) Y->cur[r * n + j] = sigmoid_of(X->cur[r * n + j]);
    set_row(cy, r);
  } else if (cx->kind == COLS) {
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < cx->ncols; j++) Y->cur[i * n + cx->cols[j]] = sigmoid_of(X->cur[i * n + cx->cols[j]]);
    set_cols(cy, cx->cols, cx->ncols);
  } else {
    for (size_t i = 0; i < m * n; i++) Y->cur[i] = sigmoid_of(X->cur[i]);
    cy->kind = ALL;
  }
}

/* logloss.ts's two terms of an element: 0 where the weight (y or 1 − y) is 0. */
static inline double first(double a, double y) { return y != 0 ? y * -v8_log(a) : 0.0; }
static inline double second(double a, double y) { return y != 1 ? (1 - y) * -v8_log1p(-a) : 0.0; }

/* The terms of the elements `c` names ([m, n]) into work: afresh from a and y, or back from terms. */
static void write_terms(const change_t *c, size_t m, size_t n, double *work, const double *terms, const double *a, const double *y) {
  const size_t rows = c->kind == COLS ? m : 1, width = c->kind == COLS ? c->ncols : c->kind == ROW ? n : 1;
  const size_t first_at = c->kind == ELEMENT ? c->at : c->kind == ROW ? c->at * n : 0;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < width; j++) {
      const size_t k = c->kind == COLS ? i * n + (size_t)c->cols[j] : first_at + j;
      work[2 * k] = a ? first(a[k], y[k]) : terms[2 * k];
      work[2 * k + 1] = a ? second(a[k], y[k]) : terms[2 * k + 1];
    }
}

/*
 * cost = (1/n)·Σ terms, n the columns: the terms of what moved afresh, the others the baseline's,
 * all summed in order (the forward rule's sum, so the same bits), then the baseline's put back.
 * After a change in Y or in all of A, every term afresh.
 */
void logloss_step(chain_t *ch, const step_t *s) {
  const value_t *A = &ch->values[s->in[0]], *Y = &ch->values[s->in[1]];
  const change_t *ca = &ch->changes[s->in[0]];
  const size_t m = A->m, n = A->n, len = m * n;
  double *terms = s->terms, *work = s->terms + 2 * len;
  double sum = 0.0;
  if (ch->changes[s->in[1]].kind != NONE || ca->kind == ALL) {
    for (size_t k = 0; k < len; k++) {
      sum += first(A->cur[k], Y->cur[k]);
      sum += second(A->cur[k], Y->cur[k]);
    }
  } else {
    write_terms(ca, m, n, work, terms, A->cur, Y->cur);
    for (size_t k = 0; k < 2 * len; k++) sum += work[k];
    write_terms(ca, m, n, work, terms, NULL, Y->cur);
  }
  ch->values[s->out].cur[0] = (1 / (double)n) * sum;
  ch->changes[s->out].kind = ALL;
}

void logloss_terms(chain_t *ch, step_t *s) {
  const value_t *A = &ch->values[s->in[0]], *Y = &ch->values[s->in[1]];
  const size_t len = A->m * A->n;
  for (size_t k = 0; k < len; k++) {
    s->terms[2 * k] = first(A->base[k], Y->cur[k]);
    s->terms[2 * k + 1] = second(A->base[k], Y->cur[k]);
  }
  memcpy(s->terms + 2 * len, s->terms, 2 * len * sizeof(double));
}
