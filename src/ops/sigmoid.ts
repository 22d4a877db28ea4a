/** sigmoid(x) = 1 / (1 + e^-x), written so neither branch overflows. */
import type { Op } from '../core/op.js';
import { map2 } from '../core/kernels.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseForward, elementwiseRows, type ElementwiseKernel } from './row-updates.js';

const kernel: ElementwiseKernel = (x, out, start, count, at) => {
  for (let i = 0; i < count; i++) {
    const k = at === undefined ? start + i : start + at[i];
    const v = x[k];
    if (v >= 0) {
      out[k] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[k] = e / (1 + e);
    }
  }
};

export const sigmoid: Op = {
  name: 'sigmoid',
  attrs: [],
  inputs: ['x'],
  doc: '1 / (1 + exp(-x)), elementwise',
  shape: sameAsInput,
  forward: elementwiseForward(kernel),
  update: elementwiseRows(kernel),
  // dx = dy · s(1 − s), from the saved output s.
  backward: (_inputs, s, dy) => [map2(dy, s, (g, v) => g * v * (1 - v))],
};
