/**
 * Incremental forward rules for the built-in ops (Op.update): after a change in some rows of an
 * input, each rule writes the changed part of the output in place, over the values from before
 * the change, and says which part it wrote: rows, or rows and columns (a Region); the engine puts
 * it back after the replay. A replay of one perturbed element then costs a row or a rank-|R|
 * update per layer instead of a full product, and no copy of a whole output. Each rule returns
 * null, having written nothing, where it has nothing cheaper than a full forward.
 *
 * Recomputed elements are bitwise what a full forward gives. Rank updates (Z + W·ΔX) differ from
 * a fresh product only by rounding, of order ε·|Z|; the baseline part of both evaluations of a
 * central difference is then the same bits, so the difference J(θ+h) − J(θ−h) loses nothing.
 */
import type { Region, RowChange, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import { f64 } from '../core/alloc.js';

const isMatrix = (t: Tensor) => t.shape.length === 2;

/**
 * An elementwise op's kernel: out[k] = f(x[k]) for `count` positions k: start + i, or start +
 * at[i] when a list of offsets is given (some columns of a row). Each op writes its own loop, so
 * the function inlines into it (a shared loop calling f would see every op's f and inline none).
 */
export type ElementwiseKernel = (x: Float64Array, out: Float64Array, start: number, count: number, at?: readonly number[]) => void;

/** The forward rule of an elementwise op, from its kernel. */
export const elementwiseForward = (kernel: ElementwiseKernel) => ([x]: Tensor[]): Tensor => {
  const out = f64(x.data.length);
  kernel(x.data, out, 0, out.length);
  return { shape: [...x.shape], data: out };
};

/**
 * An elementwise op's incremental rule, from its kernel: recompute what changed, no more. A
 * `cheap` kernel (relu's, not one that calls exp) runs over the whole array when most columns
 * of every row changed: one pass (vectorised natively) beats picking the columns out.
 */
export const elementwiseRows =
  (kernel: ElementwiseKernel, cheap = false) =>
  (inputs: Tensor[], output: Tensor, changes: (RowChange | null)[]): Rows | Region | null => {
    // Indexed, not destructured: this runs once per op per replay.
    const x = inputs[0];
    const change = changes[0];
    if (!change) return null;
    const rows = change.rows;
    const cols = change.cols;
    if (!isMatrix(x) || (rows === 'all' && !cols)) {
      kernel(x.data, output.data, 0, output.data.length);
      return 'all';
    }
    const m = x.shape[0];
    const n = x.shape[1];
    if (!cols) {
      for (let i = 0; i < rows.length; i++) kernel(x.data, output.data, (rows as readonly number[])[i] * n, n);
      return rows;
    }
    // The elements that did not change come out as the same bits.
    if (cheap && rows === 'all' && 2 * cols.length >= n) {
      kernel(x.data, output.data, 0, output.data.length);
      return { rows, cols };
    }
    // Row by row, the changed columns of each: along the rows, as the data lies.
    const count = rows === 'all' ? m : rows.length;
    for (let i = 0; i < count; i++) kernel(x.data, output.data, (rows === 'all' ? i : rows[i]) * n, cols.length, cols);
    return { rows, cols };
  };

/** The sorted union of two lists of rows. */
export const union = (a: readonly number[] = [], b: readonly number[] = []) => (b.length === 0 ? a : a.length === 0 ? b : [...new Set([...a, ...b])].sort((x, y) => x - y));

/** The rows a change names, when it names some (not 'all'). */
export const rowsOf = (c: RowChange | null) => (c && c.rows !== 'all' ? c.rows : undefined);

/**
 * add/mul: the changed part of an output whose inputs share its shape, or are columns [rows, 1]
 * or scalars. Rows of either input recompute those rows; some columns of a full-shape input
 * (the only one that changed) recompute just those.
 */
export const zipRows =
  (f: (x: number, y: number) => number) =>
  ([a, b]: Tensor[], output: Tensor, changes: (RowChange | null)[]): Rows | Region | null => {
    if (!isMatrix(output)) return null;
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
    const write = (r: number, c: number) => (output.data[r * cols + c] = f(ra(r, c), rb(r, c)));
    const only = changes[0] && changes[1] ? null : (changes[0] ?? changes[1]);
    const fullShape = only !== null && (only === changes[0] ? a : b).data.length === output.data.length;
    if (only?.cols && fullShape) {
      const count = only.rows === 'all' ? rows : only.rows.length;
      for (let i = 0; i < count; i++) for (const c of only.cols) write(only.rows === 'all' ? i : only.rows[i], c);
      return { rows: only.rows, cols: only.cols };
    }
    if (changes.some((c) => c?.rows === 'all')) return null;
    const changed = union(rowsOf(changes[0]), rowsOf(changes[1]));
    for (const r of changed) for (let c = 0; c < cols; c++) write(r, c);
    return changed;
  };
