/** sigmoid(x) = 1 / (1 + e^-x), written so neither branch overflows. */
import type { Op } from '../core/op.js';
import { map, map2 } from '../core/kernels.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseRows } from './row-updates.js';

const sigmoidOf = (v: number): number => {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
};

export const sigmoid: Op = {
  name: 'sigmoid',
  attrs: [],
  inputs: ['x'],
  doc: '1 / (1 + exp(-x)), elementwise',
  shape: sameAsInput,
  forward: ([x]) => map(x, sigmoidOf),
  update: elementwiseRows(sigmoidOf),
  // dx = dy · s(1 − s), from the saved output s.
  backward: (_inputs, s, dy) => [map2(dy, s, (g, v) => g * v * (1 - v))],
};
