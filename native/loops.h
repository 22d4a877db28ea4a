/*
 * The loops of gradproof's native kernels, shared by kernels.c (one loop a call) and chain.c (a
 * replay's chain of layers in one call). Built with -ffp-contract=off (and the pragma below),
 * without -ffast-math, so each element is the same IEEE operations, in the same order, as the
 * JavaScript loops they stand in for: the results are bitwise the same. On x86-64 the loops are
 * compiled twice, for AVX2 and for the baseline, and the one the CPU supports is picked when the
 * addon loads (the same operations either way).
 */
#ifndef GRADPROOF_LOOPS_H
#define GRADPROOF_LOOPS_H
#include <stdbool.h>
#include <stddef.h>

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTORISED __attribute__((target_clones("avx2", "default")))
#else
#define VECTORISED
#endif

/* ---- The loops ---- */

/* For each column j where b1 moved from b0 (!=, so NaN moved, ±0 not): row i of out += w_i·(b1 − b0). */
VECTORISED static void rank_update_loop(double *out, const double *a, size_t k, size_t r, const double *b1, const double *b0, size_t m, size_t n) {
  for (size_t i = 0; i < m; i++) {
    const double w = a[i * k + r];
    double *row = out + i * n;
    for (size_t j = 0; j < n; j++) {
      // Both sides computed, then one kept: a select the compiler turns into a vector blend.
      const double moved = row[j] + w * (b1[j] - b0[j]);
      row[j] = b1[j] != b0[j] ? moved : row[j];
    }
  }
}

/* out[i] = Math.max(x[i], 0): NaN stays NaN, −0 gives +0. */
VECTORISED static void relu_loop(const double *x, double *out, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const double v = x[i];
    out[i] = (v > 0 || v != v) ? v : 0.0;
  }
}

/* out [m, n] = A·B (+ bias per row): A [m, k] (read as stored [k, m] when transA), B [k, n] in rows. */
VECTORISED static void product_loop(double *out, const double *a, const double *b, const double *bias, size_t m, size_t k, size_t n, bool transA) {
  for (size_t i = 0; i < m; i++) {
    double *row = out + i * n;
    for (size_t j = 0; j < n; j++) row[j] = 0.0;
    for (size_t p = 0; p < k; p++) {
      const double aip = transA ? a[p * m + i] : a[i * k + p];
      const double *bp = b + p * n;
      for (size_t j = 0; j < n; j++) row[j] += aip * bp[j];
    }
    if (bias) for (size_t j = 0; j < n; j++) row[j] += bias[i];
  }
}

/* The relu of one element, as relu_loop and Math.max(v, 0) give it. */
static inline double relu_of(double v) { return (v > 0 || v != v) ? v : 0.0; }

#endif
