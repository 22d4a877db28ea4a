/** linear(X, W, b?) = W·X + b: a dense layer, b broadcast over the columns (examples) of X. */
import type { Op } from '../core/op.js';
import { matmul, sumColumns } from '../core/kernels.js';
import { errors } from '../core/messages.js';
import { matrix } from './shape-rules.js';
import { productUpdate } from './product-update.js';

export const linear: Op = {
  name: 'linear',
  attrs: [],
  inputs: ['X', 'W', 'b?'],
  doc: 'W·X + b; X [features, examples], W [units, features], b [units, 1]',
  shape([x, w, b]) {
    const [features, examples] = matrix('linear', 'X', x);
    const [units, wCols] = matrix('linear', 'W', w);
    if (wCols !== features) errors.shape('linear', 'W', w, `[${units}, ${features}] (W's columns must match X's rows)`);
    if (b && !(b.length === 2 && b[0] === units && b[1] === 1)) errors.shape('linear', 'b', b, `[${units}, 1]`);
    return [units, examples];
  },

  forward([X, W, b]) {
    const Z = matmul(W, X);
    if (b) {
      const cols = Z.shape[1];
      for (let i = 0; i < Z.data.length; i++) Z.data[i] += b.data[Math.floor(i / cols)];
    }
    return Z;
  },

  // A change in rows of W or b recomputes those rows of Z; a change in rows of X updates Z by W·ΔX.
  update: ([X, W, b], Z, [dX, dW, db]) => productUpdate(W, X, b, Z, dW, dX, db ?? null),

  // dX = Wᵀ·dZ, dW = dZ·Xᵀ, db = dZ summed over the examples; each skipped where not needed.
  backward([X, W, b], _Z, dZ, _attrs, needs = [true, true, true]) {
    const grads = [needs[0] ? matmul(W, dZ, true) : null, needs[1] ? matmul(dZ, X, false, true) : null];
    return b ? [...grads, needs[2] ? sumColumns(dZ) : null] : grads;
  },
};
