/**
 * The incremental rule of a product left·right (+ bias, one per row), for linear and matmul
 * (see row-updates.ts for the contract). A change in rows of the left factor or the bias changes
 * those rows of the output; a change in the right factor changes every row, but only in the
 * columns where the right factor moved, and the rule says which columns those are, so the ops
 * after it (relu, the next layer) work on those columns alone.
 */
import type { Region, RowChange, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import { rowsOf, union } from './row-updates.js';
import { NATIVE_MIN, nativeKernels } from '../core/native.js';

/** Rows `rows` of A·B (+ b) ('all' for every row), recomputed in place in `out`: bitwise a full forward's. */
function recomputeRows(out: Float64Array, A: Tensor, B: Tensor, rows: Rows, b?: Tensor): void {
  const [m, k] = A.shape;
  const n = B.shape[1];
  const count = rows === 'all' ? m : rows.length;
  for (let i = 0; i < count; i++) {
    const r = rows === 'all' ? i : rows[i];
    const row = r * n;
    out.fill(0, row, row + n);
    for (let p = 0; p < k; p++) {
      const a = A.data[r * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) out[row + j] += a * B.data[bp + j];
    }
    if (b) for (let j = 0; j < n; j++) out[row + j] += b.data[r];
  }
}

/** Columns `cols` of A·B (+ b) in every row, recomputed in place: the same sums, in the same order. */
function recomputeCols(out: Float64Array, A: Tensor, B: Tensor, cols: readonly number[], b?: Tensor): Region {
  const [m, k] = A.shape;
  const n = B.shape[1];
  const a = A.data;
  const x = B.data;
  // Natively, every column over whole rows (vectorised) beats half of them one by one; the
  // columns that did not move come out as the same bits they held.
  const native = nativeKernels();
  if (native && 2 * cols.length >= n && m * k * n >= NATIVE_MIN) {
    native.product(out, a, x, b ? b.data : null, m, k, n, false, false);
    return { rows: 'all', cols };
  }
  for (let i = 0; i < m; i++) {
    for (const c of cols) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p] * x[p * n + c];
      out[i * n + c] = b ? sum + b.data[i] : sum;
    }
  }
  return { rows: 'all', cols };
}

// Scratch for the rank update's column deltas, grown as needed and reused: rules run one at a
// time, and each fills what it reads before reading it.
let deltas = new Float64Array(64);

/**
 * out += A[:, rows]·(B − before)[rows, cols]: a rank-|rows| update for a change in rows of B,
 * over the columns where B moved (NaN counts as moved); [] when it moved nowhere.
 */
function rankUpdate(out: Float64Array, A: Tensor, B: Tensor, before: Tensor, rows: readonly number[], only?: readonly number[]): Region | Rows {
  const [m, k] = A.shape;
  const n = B.shape[1];
  const [a, now, was] = [A.data, B.data, before.data];
  const moved: number[] = [];
  const count = only ? only.length : n;
  for (let j = 0; j < count; j++) {
    const c = only ? only[j] : j;
    for (const r of rows) {
      if (now[r * n + c] !== was[r * n + c]) {
        moved.push(c);
        break;
      }
    }
  }
  if (moved.length === 0) return [];
  const native = nativeKernels();
  if (native && rows.length === 1 && !only && 8 * moved.length >= n && m * n >= NATIVE_MIN) {
    // One row moved in every column it may have (a replay of one element): whole rows,
    // vectorised, masked to the columns it moved in, the same operations on those as below.
    native.rankUpdate(out, a, k, rows[0], now, was, rows[0] * n, rows[0] * n, m, n);
    return { rows: 'all', cols: moved };
  }
  if (deltas.length < moved.length) deltas = new Float64Array(2 * moved.length);
  const delta = deltas;
  const width = moved.length;
  for (const r of rows) {
    for (let j = 0; j < width; j++) delta[j] = now[r * n + moved[j]] - was[r * n + moved[j]];
    for (let i = 0; i < m; i++) {
      const w = a[i * k + r];
      const row = i * n;
      for (let j = 0; j < width; j++) out[row + moved[j]] += w * delta[j];
    }
  }
  return { rows: 'all', cols: moved };
}

/**
 * The product rule for left·right (+ bias). The right factor may be a node's value (its before
 * is known: a rank update over the columns it moved in, or those columns recomputed when every
 * row moved) or a param moved in one element (that column of the output moves).
 */
export function productUpdate(left: Tensor, right: Tensor, bias: Tensor | undefined, output: Tensor, leftChange: RowChange | null, rightChange: RowChange | null, biasChange: RowChange | null): Rows | Region | null {
  const out = output.data;
  if (rightChange) {
    const { rows, cols, before, element } = rightChange;
    if (leftChange || biasChange) {
      recomputeRows(out, left, right, 'all', bias);
      return 'all';
    }
    if (element && !before) {
      // B[r, c] moved by δ: column c of the output moves by δ times column r of A.
      const [m, k] = left.shape;
      const n = right.shape[1];
      const [r, c] = [Math.floor(element.index / n), element.index % n];
      for (let i = 0; i < m; i++) out[i * n + c] += left.data[i * k + r] * element.delta;
      return { rows: 'all', cols: [c] };
    }
    if (rows !== 'all' && before) return rankUpdate(out, left, right, before, rows, cols);
    if (cols) return recomputeCols(out, left, right, cols, bias);
    recomputeRows(out, left, right, 'all', bias);
    return 'all';
  }
  if (leftChange?.rows === 'all' || biasChange?.rows === 'all') {
    recomputeRows(out, left, right, 'all', bias);
    return 'all';
  }
  const rows = union(rowsOf(leftChange), rowsOf(biasChange));
  // One element of the left factor moved by δ: its output row moves by δ times a row of the right.
  const element = leftChange?.element;
  if (element && !biasChange) {
    const [r, p] = [Math.floor(element.index / left.shape[1]), element.index % left.shape[1]];
    const n = right.shape[1];
    for (let j = 0; j < n; j++) out[r * n + j] += element.delta * right.data[p * n + j];
    return rows;
  }
  const biasElement = biasChange?.element;
  if (biasElement && !leftChange) {
    const n = right.shape[1];
    for (let j = 0; j < n; j++) out[biasElement.index * n + j] += biasElement.delta;
    return rows;
  }
  recomputeRows(out, left, right, rows, bias);
  return rows;
}
