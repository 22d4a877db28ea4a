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
import { f64, f64Copy } from '../core/alloc.js';

const examples = (shape: number[]): number => shape[1];

/**
 * The two terms of an element, 0 where its weight (y or 1 − y) is 0. Every sum adds both: adding
 * +0 leaves a sum's bits as they are (the sum starts at +0, so it is never −0), and no branch on
 * the labels then stands in the loop.
 */
const first = (a: number, y: number) => (y !== 0 ? y * -Math.log(a) : 0);
const second = (a: number, y: number) => (y !== 1 ? (1 - y) * -Math.log1p(-a) : 0);

/** Per baseline A: its elements' terms (2 per element), and a working copy that holds them between replays. */
interface Terms {
  y: Float64Array;
  terms: Float64Array;
  work: Float64Array;
}

// Per baseline A (the engine's value from before a change, never written while it is in use): its
// terms, so that a replay takes logs of the elements that changed only. Keyed weakly: a baseline
// that is gone takes its terms with it.
const baselineTerms = new WeakMap<Tensor, Terms>();

function termsOf(A: Tensor, y: Float64Array): Terms {
  const terms = f64(2 * A.data.length);
  A.data.forEach((a, i) => {
    terms[2 * i] = first(a, y[i]);
    terms[2 * i + 1] = second(a, y[i]);
  });
  return { y, terms, work: f64Copy(terms) };
}

/**
 * Writes into `work` the terms of the changed elements ([m, n], `rows`, `cols` when given): from A
 * and y when `fresh`, else from `terms` (the baseline's, put back). One loop for both, so that
 * what a replay writes is what it puts back.
 */
function writeChanged(m: number, n: number, rows: Rows, cols: readonly number[] | undefined, work: Float64Array, fresh: boolean, a: Float64Array, y: Float64Array, terms: Float64Array): void {
  const count = rows === 'all' ? m : rows.length;
  const width = cols === undefined ? n : cols.length;
  for (let k = 0; k < count; k++) {
    const row = (rows === 'all' ? k : rows[k]) * n;
    for (let j = 0; j < width; j++) {
      const i = row + (cols === undefined ? j : cols[j]);
      work[2 * i] = fresh ? first(a[i], y[i]) : terms[2 * i];
      work[2 * i + 1] = fresh ? second(a[i], y[i]) : terms[2 * i + 1];
    }
  }
}

/**
 * The incremental rule: the changed elements' terms afresh into the working copy, all of it
 * summed in order (the forward rule's sum, the same bits), then the baseline's terms put back.
 * Without a baseline (A moved in place) or after a change in Y, the forward rule's sum.
 */
function updateCost(inputs: Tensor[], cost: Tensor, changes: (RowChange | null)[]): Rows {
  // Indexed, not destructured: this runs once per replay.
  const A = inputs[0];
  const Y = inputs[1];
  const dA = changes[0];
  if (changes[1] || !dA?.before || A.shape.length !== 2) {
    cost.data[0] = logloss.forward([A, Y]).data[0];
    return 'all';
  }
  let cached = baselineTerms.get(dA.before);
  if (cached?.y !== Y.data) {
    cached = termsOf(dA.before, Y.data);
    baselineTerms.set(dA.before, cached);
  }
  const terms = cached.terms;
  const work = cached.work;
  const a = A.data;
  const y = Y.data;
  const m = A.shape[0];
  const n = A.shape[1];
  writeChanged(m, n, dA.rows, dA.cols, work, true, a, y, terms);
  let sum = 0;
  for (let i = 0; i < work.length; i++) sum += work[i];
  writeChanged(m, n, dA.rows, dA.cols, work, false, a, y, terms);
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
    for (let i = 0; i < A.data.length; i++) {
      sum += first(A.data[i], Y.data[i]);
      sum += second(A.data[i], Y.data[i]);
    }
    return { shape: [], data: Float64Array.of((1 / examples(A.shape)) * sum) };
  },

  // After a change in A: the logs of what changed only (see updateCost).
  update: updateCost,

  // dA = (1/m)·(−Y/A + (1 − Y)/(1 − A)), each term skipped where its weight is 0.
  backward([A, Y], _cost, dCost) {
    const scale = dCost.data[0] / examples(A.shape);
    const dA = f64(A.data.length);
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
