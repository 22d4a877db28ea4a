/** matmul(A, B) = A·B for matrices [m, k] and [k, n]. */
import type { Op } from '../core/op.js';
import { matmul as product } from '../core/kernels.js';
import { errors } from '../core/messages.js';
import { matrix } from './shape-rules.js';
import { productUpdate } from './product-update.js';

export const matmul: Op = {
  name: 'matmul',
  attrs: [],
  inputs: ['A', 'B'],
  doc: 'matrix product A·B',
  shape([a, b]) {
    const [m, k] = matrix('matmul', 'A', a);
    const [bk, n] = matrix('matmul', 'B', b);
    if (bk !== k) errors.shape('matmul', 'B', b, `[${k}, *] (B's rows must match A's columns)`);
    return [m, n];
  },
  forward: ([A, B]) => product(A, B),
  update: ([A, B], C, [dA, dB]) => productUpdate(A, B, undefined, C, dA, dB, null),
  // dA = dY·Bᵀ, dB = Aᵀ·dY.
  backward: ([A, B], _Y, dY, _attrs, needs = [true, true]) => [needs[0] ? product(dY, B, false, true) : null, needs[1] ? product(A, dY, true, false) : null],
};
