/**
 * logloss(A, Y) = (1/m) Σ −[Y·log A + (1 − Y)·log(1 − A)], m the columns of A (the examples):
 * the seed's logistic cost. Stable near 0 and 1: log(1 − A) is log1p(−A), and a term whose weight
 * (Y or 1 − Y) is 0 contributes 0 to the cost and the gradient even where its log is −∞
 * (A = 1 with Y = 1 costs 0, not NaN).
 */
import type { Op } from '../core/op.js';
import { errors } from '../core/messages.js';
import { sameShape, formatShape } from '../core/tensor.js';
import { matrix } from './shape-rules.js';

const examples = (shape: number[]): number => shape[1];

export const logloss: Op = {
  name: 'logloss',
  attrs: [],
  inputs: ['A', 'Y'],
  doc: 'mean logistic cost over the columns of A; Y holds labels in [0, 1] and takes no gradient',
  shape([a, y]) {
    matrix('logloss', 'A', a);
    if (!sameShape(a, y)) errors.shape('logloss', 'Y', y, `${formatShape(a)}, the shape of A`);
    return [];
  },

  forward([A, Y]) {
    let sum = 0;
    for (let i = 0; i < A.data.length; i++) {
      const a = A.data[i];
      const y = Y.data[i];
      if (y !== 0) sum += y * -Math.log(a);
      if (y !== 1) sum += (1 - y) * -Math.log1p(-a);
    }
    return { shape: [], data: Float64Array.of((1 / examples(A.shape)) * sum) };
  },

  // dA = (1/m)·(−Y/A + (1 − Y)/(1 − A)), each term skipped where its weight is 0.
  backward([A, Y], _cost, dCost) {
    const scale = dCost.data[0] / examples(A.shape);
    const dA = new Float64Array(A.data.length);
    for (let i = 0; i < dA.length; i++) {
      const a = A.data[i];
      const y = Y.data[i];
      let g = 0;
      if (y !== 0) g -= y / a;
      if (y !== 1) g += (1 - y) / (1 - a);
      dA[i] = scale * g;
    }
    return [{ shape: [...A.shape], data: dA }, null];
  },
};
