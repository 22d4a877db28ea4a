/** tanh(x), elementwise. */
import type { Op } from '../core/op.js';
import { map, map2 } from '../core/kernels.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseRows } from './row-updates.js';

export const tanh: Op = {
  name: 'tanh',
  attrs: [],
  inputs: ['x'],
  doc: 'tanh(x), elementwise',
  shape: sameAsInput,
  forward: ([x]) => map(x, Math.tanh),
  update: elementwiseRows(Math.tanh),
  // dx = dy · (1 − t²), from the saved output t.
  backward: (_inputs, t, dy) => [map2(dy, t, (g, v) => g * (1 - v * v))],
};
