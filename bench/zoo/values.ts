/**
 * Values for the zoo's graphs, all from seeded generators (createRandom), so every run of the
 * benchmark checks the same numbers. Small helpers over row-major [rows, cols] tensors.
 */
import { createRandom } from '../../src/core/random.js';
import type { Tensor } from '../../src/core/tensor.js';
import { linear, tanh } from '../../src/ops/index.js';

export const tensorOf = (shape: number[], f: (i: number, row: number, col: number) => number): Tensor => {
  const cols = shape[1] ?? 1;
  return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i, Math.floor(i / cols), i % cols)) };
};

/** Standard normals × scale from `seed`. */
export function normals(seed: number, shape: number[], scale = 1): Tensor {
  const random = createRandom(seed);
  return tensorOf(shape, () => random.normal() * scale);
}

/** Integers drawn uniformly from lo..hi (inclusive), exact in floating point. */
export function integers(seed: number, shape: number[], lo: number, hi: number): Tensor {
  const random = createRandom(seed);
  return tensorOf(shape, () => lo + Math.floor(random.uniform() * (hi - lo + 1)));
}

export const filledWith = (shape: number[], v: number): Tensor => tensorOf(shape, () => v);

/** Labels in {0, 1}: 1 with probability 1/2. */
export function coinLabels(seed: number, m: number): Tensor {
  const random = createRandom(seed);
  return tensorOf([1, m], () => (random.uniform() < 0.5 ? 1 : 0));
}

/** Labels that match the sign of z (so a saturated sigmoid's cost stays finite and small). */
export const labelsMatching = (z: Tensor): Tensor => tensorOf([...z.shape], (i) => (z.data[i] > 0 ? 1 : 0));

/** W·X + b with the built-in forward rule (b optional), and tanh of it. */
export const dense = (X: Tensor, W: Tensor, b?: Tensor): Tensor => linear.forward(b ? [X, W, b] : [X, W]);
export const tanhOf = (Z: Tensor): Tensor => tanh.forward([Z]);

/** A copy of X with each column scaled so that w·X[:, j] equals target[j] (w one row). */
export function scaleColumnsTo(X: Tensor, w: Tensor, target: number[]): Tensor {
  const z = dense(X, w);
  return tensorOf([...X.shape], (i, _r, col) => (X.data[i] * target[col]) / z.data[col]);
}

/** |targets| drawn in [lo, hi] with alternating signs (so both labels occur). */
export function saturatedTargets(seed: number, m: number, lo: number, hi: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: m }, (_, j) => (j % 2 === 0 ? 1 : -1) * (lo + (hi - lo) * random.uniform()));
}

/** A bias column b = −W·X[:, col] (so column `col` of W·X + b is exactly 0 where the sums are exact). */
export function biasZeroingColumn(W: Tensor, X: Tensor, col: number, rows?: number[]): Tensor {
  const z = dense(X, W);
  const m = X.shape[1];
  return tensorOf([W.shape[0], 1], (r) => (rows && !rows.includes(r) ? 0.5 : -z.data[r * m + col]));
}

/** 10^u with u uniform in [lo, hi], times a random sign. */
export function logUniform(seed: number, shape: number[], lo: number, hi: number): Tensor {
  const random = createRandom(seed);
  return tensorOf(shape, () => (random.uniform() < 0.5 ? -1 : 1) * 10 ** (lo + (hi - lo) * random.uniform()));
}
