/** add(a, b) = a + b, elementwise, with numpy broadcasting (a column, a row or a scalar). */
import type { Op } from '../core/op.js';
import { reduceTo, zipBroadcast } from '../core/kernels.js';
import { broadcast } from './shape-rules.js';
import { zipRows } from './row-updates.js';

const plus = (x: number, y: number) => x + y;

export const add: Op = {
  name: 'add',
  attrs: [],
  inputs: ['a', 'b'],
  doc: 'a + b, elementwise with broadcasting',
  shape: (shapes) => broadcast('add', shapes),
  forward: ([a, b]) => zipBroadcast(a, b, broadcast('add', [a.shape, b.shape]), plus),
  update: zipRows(plus),
  // A broadcast input receives the sum of the gradient over the axes it was spread along.
  backward: ([a, b], _y, dy) => [reduceTo(dy, a.shape), reduceTo(dy, b.shape)],
};
