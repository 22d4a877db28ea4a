/** mul(a, b) = a ⊙ b, elementwise, with numpy broadcasting (a column, a row or a scalar). */
import type { Op } from '../core/op.js';
import { reduceTo, zipBroadcast } from '../core/kernels.js';
import { broadcast } from './shape-rules.js';

export const mul: Op = {
  name: 'mul',
  inputs: ['a', 'b'],
  doc: 'a ⊙ b, elementwise with broadcasting',
  shape: (shapes) => broadcast('mul', shapes),
  forward: ([a, b]) => zipBroadcast(a, b, broadcast('mul', [a.shape, b.shape]), (x, y) => x * y),
  // da = dy ⊙ b and db = dy ⊙ a, each summed back onto its input's shape.
  backward([a, b], _y, dy) {
    const times = (other: typeof a) => zipBroadcast(dy, other, dy.shape, (g, v) => g * v);
    return [reduceTo(times(b), a.shape), reduceTo(times(a), b.shape)];
  },
};
