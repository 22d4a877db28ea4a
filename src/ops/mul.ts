/** mul(a, b) = a ⊙ b, elementwise, with numpy broadcasting (a column, a row or a scalar). */
import type { Op } from '../core/op.js';
import { reduceTo, zipBroadcast } from '../core/kernels.js';
import { broadcast } from './shape-rules.js';
import { zipRows } from './row-updates.js';

const times = (x: number, y: number) => x * y;

export const mul: Op = {
  name: 'mul',
  attrs: [],
  inputs: ['a', 'b'],
  doc: 'a ⊙ b, elementwise with broadcasting',
  shape: (shapes) => broadcast('mul', shapes),
  forward: ([a, b]) => zipBroadcast(a, b, broadcast('mul', [a.shape, b.shape]), times),
  update: zipRows(times),
  // da = dy ⊙ b and db = dy ⊙ a, each summed back onto its input's shape.
  backward([a, b], _y, dy) {
    const dyTimes = (other: typeof a) => zipBroadcast(dy, other, dy.shape, times);
    return [reduceTo(dyTimes(b), a.shape), reduceTo(dyTimes(a), b.shape)];
  },
};
