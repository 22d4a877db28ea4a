/**
 * logloss(A, Y) = (1/m) Σ −[Y·log A + (1 − Y)·log(1 − A)], m the columns of A (the examples):
 * the seed's logistic cost. Stable near 0 and 1: log(1 − A) is log1p(−A), and a term whose weight
 * (Y or 1 − Y) is 0 contributes 0 to the cost and the gradient even where its log is −∞
 * (A = 1 with Y = 1 costs 0, not NaN).
 */
import type { Op, RowChange, Rows } from '../core/op.js';
import { errors } from '../core/messages.js';
import { sameShape, formatShape, type Tensor } from '../core/tensor.js';
import { matrix } from './shape-rules.js';

const examples = (shape: number[]): number => shape[1];

/** The two terms of an element: 0 where its weight (y or 1 − y) is 0, which is then not summed. */
const first = (a: number, y: number) => (y !== 0 ? y * -Math.log(a) : 0);
const second = (a: number, y: number) => (y !== 1 ? (1 - y) * -Math.log1p(-a) : 0);

/** sum plus an element's terms, in the forward rule's order (the update's sums are then the same bits). */
function plus(sum: number, y: number, t1: number, t2: number): number {
  if (y !== 0) sum += t1;
  if (y !== 1) sum += t2;
  return sum;
}

// Per baseline A (the engine's value from before a change, never written while it is in use): its
// elements' terms, so that a replay takes logs of the elements that changed only. Keyed weakly: a
// baseline that is gone takes its terms with it.
const baselineTerms = new WeakMap<Tensor, { y: Float64Array; terms: Float64Array }>();

function termsOf(A: Tensor, y: Float64Array): Float64Array {
  const terms = new Float64Array(2 * A.data.length);
  A.data.forEach((a, i) => {
    terms[2 * i] = first(a, y[i]);
    terms[2 * i + 1] = second(a, y[i]);
  });
  return terms;
}

/**
 * The incremental rule: the changed elements' terms afresh, the others' from the baseline's,
 * summed in order. Without a baseline (A moved in place) or after a change in Y, all afresh.
 */
function updateCost([A, Y]: Tensor[], cost: Tensor, [dA, dY]: (RowChange | null)[]): Rows {
  if (dY || !dA?.before || A.shape.length !== 2) {
    cost.data[0] = logloss.forward([A, Y]).data[0];
    return 'all';
  }
  let cached = baselineTerms.get(dA.before);
  if (cached?.y !== Y.data) {
    cached = { y: Y.data, terms: termsOf(dA.before, Y.data) };
    baselineTerms.set(dA.before, cached);
  }
  const [a, y, base] = [A.data, Y.data, cached.terms];
  const [m, n] = A.shape;
  const { rows, cols } = dA;
  let sum = 0;
  let listed = 0; // rows[listed] is the next changed row, when rows are listed (ascending)
  for (let r = 0; r < m; r++) {
    const rowChanged = rows === 'all' || rows[listed] === r;
    if (rows !== 'all' && rowChanged) listed++;
    let c = 0; // cols[c] is the row's next changed column, when columns are listed (ascending)
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      const changed = rowChanged && (!cols || cols[c] === j);
      if (changed && cols) c++;
      sum = changed ? plus(sum, y[i], first(a[i], y[i]), second(a[i], y[i])) : plus(sum, y[i], base[2 * i], base[2 * i + 1]);
    }
  }
  cost.data[0] = (1 / examples(A.shape)) * sum;
  return 'all';
}

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
    for (let i = 0; i < A.data.length; i++) sum = plus(sum, Y.data[i], first(A.data[i], Y.data[i]), second(A.data[i], Y.data[i]));
    return { shape: [], data: Float64Array.of((1 / examples(A.shape)) * sum) };
  },

  // After a change in A: the logs of what changed only (see updateCost).
  update: updateCost,

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
