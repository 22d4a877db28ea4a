/**
 * Putting back what an incremental rule wrote into a replayer's copy of a node's output
 * (replayer.ts), from the baseline output.
 */
import type { Region, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';

export const isRegion = (w: Rows | Region): w is Region => w !== 'all' && !Array.isArray(w);

/** Outputs of at most this many elements are put back whole. */
const SMALL = 256;

/**
 * Puts back, from `baseline`, the part of `buffer` an update wrote: whole rows by block copies
 * (TypedArray.set is a memcpy, an order of magnitude faster than a loop here), a few columns of
 * many rows element by element, and many columns as the whole block of rows.
 */
export function restore(buffer: Float64Array, baseline: Tensor, written: Rows | Region): void {
  const rows = isRegion(written) ? written.rows : written;
  if (rows !== 'all' && rows.length === 0) return;
  const base = baseline.data;
  // A small output is copied whole: cheaper than working out which part to copy.
  if (base.length <= SMALL || (rows === 'all' && (!isRegion(written) || 8 * written.cols.length > baseline.shape[1]))) return buffer.set(base);
  if (baseline.shape.length !== 2) return buffer.set(base);
  const [m, n] = baseline.shape;
  if (isRegion(written) && 8 * written.cols.length <= n) {
    const { cols } = written;
    const count = rows === 'all' ? m : rows.length;
    for (let i = 0; i < count; i++) {
      const row = (rows === 'all' ? i : rows[i]) * n;
      for (let j = 0; j < cols.length; j++) buffer[row + cols[j]] = base[row + cols[j]];
    }
    return;
  }
  for (const r of rows as readonly number[]) buffer.set(base.subarray(r * n, (r + 1) * n), r * n);
}
