/** sum(x) = Σ x: every element added into a scalar, e.g. to make an objective of a tensor. */
import type { Op } from '../core/op.js';

export const sum: Op = {
  name: 'sum',
  attrs: [],
  inputs: ['x'],
  doc: 'the sum of all elements, a scalar',
  shape: () => [],
  forward([x]) {
    let s = 0;
    for (let i = 0; i < x.data.length; i++) s += x.data[i];
    return { shape: [], data: Float64Array.of(s) };
  },
  // Every element receives the scalar's gradient.
  backward: ([x], _s, ds) => [{ shape: [...x.shape], data: new Float64Array(x.data.length).fill(ds.data[0]) }],
};
