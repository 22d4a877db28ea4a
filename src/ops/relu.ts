/** relu(x) = max(0, x). At x = 0 the rule takes the derivative 0 (the seed's `A > 0` mask). */
import type { Op } from '../core/op.js';
import { map, map2 } from '../core/kernels.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseRows } from './row-updates.js';

const reluOf = (v: number) => (v > 0 ? v : 0);

export const relu: Op = {
  name: 'relu',
  attrs: [],
  inputs: ['x'],
  doc: 'max(0, x), elementwise',
  shape: sameAsInput,
  forward: ([x]) => map(x, reluOf),
  update: elementwiseRows(reluOf),
  backward: ([x], _y, dy) => [map2(dy, x, (g, v) => (v > 0 ? g : 0))],
};
