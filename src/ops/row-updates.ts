/**
 * Incremental forward rules for the built-in ops (Op.update): after a change in some rows of an
 * input, each rule writes the changed rows of the output in place, over the values from before
 * the change, and says which rows it wrote; the engine puts them back after the replay. A replay
 * of one perturbed element then costs a row or a rank-|R| update per layer instead of a full
 * product, and no copy of a whole output. Each rule returns null, having written nothing, where
 * it has nothing cheaper than a full forward.
 *
 * Recomputed rows are bitwise what a full forward gives. Rank updates (Z + W·ΔX) differ from a
 * fresh product only by rounding, of order ε·|Z|; the baseline part of both evaluations of a
 * central difference is then the same bits, so the difference J(θ+h) − J(θ−h) loses nothing.
 */
import type { RowChange, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';

const isMatrix = (t: Tensor) => t.shape.length === 2;

/**
 * An elementwise op's kernel: out[k] = f(x[k]) for k in [from, to). Each op writes its own loop,
 * so the function inlines into it (a shared loop calling f would see every op's f and inline none).
 */
export type ElementwiseKernel = (x: Float64Array, out: Float64Array, from: number, to: number) => void;

/** The forward rule of an elementwise op, from its kernel. */
export const elementwiseForward = (kernel: ElementwiseKernel) => ([x]: Tensor[]): Tensor => {
  const out = new Float64Array(x.data.length);
  kernel(x.data, out, 0, out.length);
  return { shape: [...x.shape], data: out };
};

/** An elementwise op's incremental rule, from its kernel: recompute the changed rows. */
export const elementwiseRows =
  (kernel: ElementwiseKernel) =>
  ([x]: Tensor[], output: Tensor, [change]: (RowChange | null)[]): Rows | null => {
    if (!change) return null;
    if (change.rows === 'all' || !isMatrix(x)) {
      kernel(x.data, output.data, 0, output.data.length);
      return 'all';
    }
    const cols = x.shape[1];
    for (const r of change.rows) kernel(x.data, output.data, r * cols, (r + 1) * cols);
    return change.rows;
  };

/** Rows `rows` of A·B (+ b) ('all' for every row), recomputed in place in `out` from the current A, B and b. */
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

/** out += A[:, rows]·(B − before)[rows, :]: a rank-|rows| update for a change in rows of B. */
function rankUpdate(out: Float64Array, A: Tensor, B: Tensor, before: Tensor, rows: readonly number[]): void {
  const [m, k] = A.shape;
  const n = B.shape[1];
  for (const r of rows) {
    for (let i = 0; i < m; i++) {
      const a = A.data[i * k + r];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * (B.data[r * n + j] - before.data[r * n + j]);
    }
  }
}

const union = (a: readonly number[] = [], b: readonly number[] = []) => (b.length === 0 ? a : a.length === 0 ? b : [...new Set([...a, ...b])].sort((x, y) => x - y));
const rowsOf = (c: RowChange | null) => (c && c.rows !== 'all' ? c.rows : undefined);

/**
 * The product rule for left·right (+ bias): a change in rows of the left factor (or the bias)
 * recomputes those rows of the output; a change in rows of the right factor, which must be a
 * node's value (its before is known), is a rank update of every row.
 */
export function productUpdate(left: Tensor, right: Tensor, bias: Tensor | undefined, output: Tensor, leftChange: RowChange | null, rightChange: RowChange | null, biasChange: RowChange | null): Rows | null {
  const out = output.data;
  if ([leftChange, rightChange, biasChange].some((c) => c?.rows === 'all')) {
    // Everything changed: the full product, written in place.
    recomputeRows(out, left, right, 'all', bias);
    return 'all';
  }
  if (rightChange) {
    if (leftChange || biasChange || !rightChange.before) return null;
    rankUpdate(out, left, right, rightChange.before, rightChange.rows as readonly number[]);
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

/** add/mul: rows of an output whose inputs share its shape, or are columns [rows, 1] or scalars. */
export const zipRows =
  (f: (x: number, y: number) => number) =>
  ([a, b]: Tensor[], output: Tensor, changes: (RowChange | null)[]): Rows | null => {
    if (!isMatrix(output) || changes.some((c) => c?.rows === 'all')) return null;
    const [rows, cols] = output.shape;
    const reader = (t: Tensor) => {
      if (t.data.length === 1) return () => t.data[0];
      if (isMatrix(t) && t.shape[0] === rows && t.shape[1] === cols) return (r: number, c: number) => t.data[r * cols + c];
      if (isMatrix(t) && t.shape[0] === rows && t.shape[1] === 1) return (r: number) => t.data[r];
      return null;
    };
    const ra = reader(a);
    const rb = reader(b);
    if (!ra || !rb || changes.some((c, i) => c && [a, b][i].data.length === 1)) return null;
    const changed = union(rowsOf(changes[0]), rowsOf(changes[1]));
    for (const r of changed) for (let c = 0; c < cols; c++) output.data[r * cols + c] = f(ra(r, c), rb(r, c));
    return changed;
  };
