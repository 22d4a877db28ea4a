/** tanh(x), elementwise. */
import type { Op } from '../core/op.js';
import { map2 } from '../core/kernels.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseForward, elementwiseRows, type ElementwiseKernel } from './row-updates.js';

const kernel: ElementwiseKernel = (x, out, start, count, at) => {
  for (let i = 0; i < count; i++) {
    const k = at === undefined ? start + i : start + at[i];
    out[k] = Math.tanh(x[k]);
  }
};

export const tanh: Op = {
  name: 'tanh',
  attrs: [],
  inputs: ['x'],
  doc: 'tanh(x), elementwise',
  shape: sameAsInput,
  forward: elementwiseForward(kernel),
  update: elementwiseRows(kernel),
  // dx = dy · (1 − t²), from the saved output t.
  backward: (_inputs, t, dy) => [map2(dy, t, (g, v) => g * (1 - v * v))],
};
