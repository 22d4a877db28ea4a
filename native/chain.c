/*
 * The replay of one moved element through a chain of built-in layers (linear, relu, and with V8's
 * exp and log, sigmoid and the logistic cost: chain-tail.c), in one native call:
 * src/engine/native-chain.ts builds the program from a plan, and the JavaScript replay runs what
 * follows the chain, if anything, from the change the chain reports.
 *
 * Each step does what the op's JavaScript incremental rule does in that case
 * (src/ops/product-update.ts, src/ops/row-updates.ts): the same IEEE operations on the same
 * elements, so the same bits, and the same part of its output reported changed, so that the ops
 * after the chain do what they would have done. The program is checked when it is made (sizes,
 * order, and at most one input of a step that can change): a replay only does arithmetic.
 */
#include <stdint.h>
#include <stdlib.h>

#include "chain-types.h"
#include "loops.h"

/* Z = W·X + b with one input changed: productUpdate's cases. */
void linear_step(chain_t *ch, const step_t *s) {
  const value_t *Z = &ch->values[s->out], *X = &ch->values[s->in[0]], *W = &ch->values[s->in[1]];
  const value_t *B = s->in[2] >= 0 ? &ch->values[s->in[2]] : NULL;
  change_t *cz = &ch->changes[s->out];
  const change_t *cx = &ch->changes[s->in[0]], *cw = &ch->changes[s->in[1]];
  const size_t m = Z->m, k = X->m, n = Z->n;
  double *out = Z->cur;
  const double *w = W->cur, *x = X->cur, *bias = B ? B->cur : NULL;
  if (cx->kind == ELEMENT) {
    /* X[r, c] moved by δ: column c moves by δ times column r of W. */
    const size_t r = cx->at / n, c = cx->at % n;
    for (size_t i = 0; i < m; i++) out[i * n + c] += w[i * k + r] * cx->delta;
    const int32_t col = (int32_t)c;
    return set_cols(cz, &col, 1);
  }
  if (cx->kind == ROW) {
    /* Row r of X moved: a rank-one update over the columns it moved in (NaN counts as moved). */
    const size_t r = cx->at;
    const double *now = x + r * n, *was = X->base + r * n;
    size_t moved = 0;
    for (size_t c = 0; c < n; c++)
      if (now[c] != was[c]) cz->cols[moved++] = (int32_t)c;
    if (moved == 0) { cz->kind = NONE; return; }
    if (8 * moved >= n) rank_update_loop(out, w, k, r, now, was, m, n);
    else
      for (size_t i = 0; i < m; i++) {
        const double wi = w[i * k + r];
        for (size_t j = 0; j < moved; j++) out[i * n + cz->cols[j]] += wi * (now[cz->cols[j]] - was[cz->cols[j]]);
      }
    return set_cols(cz, cz->cols, moved);
  }
  if (cx->kind == COLS) {
    /* Some columns of X moved in every row: those columns recomputed (all of them when half are). */
    if (2 * cx->ncols >= n) product_loop(out, w, x, bias, m, k, n, false);
    else
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < cx->ncols; j++) {
          const size_t c = cx->cols[j];
          double sum = 0.0;
          for (size_t p = 0; p < k; p++) sum += w[i * k + p] * x[p * n + c];
          out[i * n + c] = bias ? sum + bias[i] : sum;
        }
    return set_cols(cz, cx->cols, cx->ncols);
  }
  /* X did not move, or all of it did; else W or b (one of them) did. */
  const change_t *c = cx->kind == ALL ? cx : cw->kind != NONE ? cw : &ch->changes[s->in[2]];
  if (c->kind == ALL || c->kind == COLS) {
    product_loop(out, w, x, bias, m, k, n, false);
    cz->kind = ALL;
  } else if (c == cw && c->kind == ELEMENT) {
    /* W[r, p] moved by δ: row r moves by δ times row p of X. */
    const size_t r = c->at / k, p = c->at % k;
    for (size_t j = 0; j < n; j++) out[r * n + j] += c->delta * x[p * n + j];
    set_row(cz, r);
  } else if (c->kind == ELEMENT) {
    /* b[r] moved by δ: so does row r. */
    for (size_t j = 0; j < n; j++) out[c->at * n + j] += c->delta;
    set_row(cz, c->at);
  } else {
    /* A row of W or b (a step's output) moved: that row recomputed. */
    product_loop(out + c->at * n, w + c->at * k, x, bias ? bias + c->at : NULL, 1, k, n, false);
    set_row(cz, c->at);
  }
}

/* Y = relu(X): elementwiseRows' cases for a cheap kernel. */
void relu_step(chain_t *ch, const step_t *s) {
  const value_t *Y = &ch->values[s->out], *X = &ch->values[s->in[0]];
  change_t *cy = &ch->changes[s->out];
  const change_t *cx = &ch->changes[s->in[0]];
  const size_t m = Y->m, n = Y->n;
  if (cx->kind == ELEMENT || cx->kind == ROW) {
    const size_t r = cx->kind == ELEMENT ? cx->at / n : cx->at;
    relu_loop(X->cur + r * n, Y->cur + r * n, n);
    return set_row(cy, r);
  }
  if (cx->kind == COLS && 2 * cx->ncols < n) {
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < cx->ncols; j++) Y->cur[i * n + cx->cols[j]] = relu_of(X->cur[i * n + cx->cols[j]]);
    return set_cols(cy, cx->cols, cx->ncols);
  }
  /* The elements that did not change come out as the same bits. */
  relu_loop(X->cur, Y->cur, m * n);
  if (cx->kind == COLS) return set_cols(cy, cx->cols, cx->ncols);
  cy->kind = ALL;
}

/*
 * The fused loop: for each row i of Z (m rows): a = relu(Z[i] + w[i, r]·(now − was)), then
 * acc[j] += w3[j, i]·a for each row j of the next layer (m3 rows), over all n columns (a column
 * that did not move gives a number the caller does not use). Each element of a column that moved
 * is what the three steps compute: the rank update's sum, relu, and the next product's sum over
 * i in order, from 0.
 */
VECTORISED static void fused_loop(double *acc, double *a, const double *z, const double *w, size_t k, size_t r, const double *now, const double *was, const double *w3, size_t m, size_t n, size_t m3) {
  for (size_t c = 0; c < m3 * n; c++) acc[c] = 0.0;
  for (size_t i = 0; i < m; i++) {
    const double wi = w[i * k + r];
    for (size_t c = 0; c < n; c++) a[c] = relu_of(z[i * n + c] + wi * (now[c] - was[c]));
    for (size_t j = 0; j < m3; j++) {
      const double w3ji = w3[j * m + i];
      for (size_t c = 0; c < n; c++) acc[j * n + c] += w3ji * a[c];
    }
  }
}

/*
 * A row of X moved, in a linear step followed by relu and another linear that alone read what the
 * two compute: the three at once (fused_loop), writing only the last one's output, in the columns
 * the row moved in. What the two between would hold is never written, so never put back: on the
 * big network's first layer that is most of a replay's memory traffic.
 */
void fused_step(chain_t *ch, const step_t *s) {
  const step_t *t = s + 2;
  const value_t *Z = &ch->values[s->out], *X = &ch->values[s->in[0]], *W = &ch->values[s->in[1]];
  const value_t *Z3 = &ch->values[t->out], *W3 = &ch->values[t->in[1]];
  const double *bias = t->in[2] >= 0 ? ch->values[t->in[2]].cur : NULL;
  change_t *c3 = &ch->changes[t->out];
  const size_t m = Z->m, n = Z->n, m3 = Z3->m, r = ch->changes[s->in[0]].at;
  const double *now = X->cur + r * n, *was = X->base + r * n;
  size_t moved = 0;
  for (size_t c = 0; c < n; c++)
    if (now[c] != was[c]) c3->cols[moved++] = (int32_t)c;
  if (moved == 0) { c3->kind = NONE; return; }
  double *acc = ch->scratch, *a = ch->scratch + m3 * n;
  fused_loop(acc, a, Z->base, W->cur, X->m, r, now, was, W3->cur, m, n, m3);
  for (size_t j = 0; j < m3; j++)
    for (size_t q = 0; q < moved; q++) {
      const size_t c = c3->cols[q];
      Z3->cur[j * n + c] = bias ? acc[j * n + c] + bias[j] : acc[j * n + c];
    }
  set_cols(c3, c3->cols, moved);
}
