/** The element with the largest |analytic − numeric| (NaN counts as largest), among the first `count`. */
import { unravel } from '../core/tensor.js';
import type { WorstElement } from './report.js';

export function worstOf(analytic: Float64Array, numeric: Float64Array, shape: readonly number[], count = analytic.length): WorstElement | null {
  let worst = -1;
  let gap = -1;
  for (let i = 0; i < count; i++) {
    const g = Math.abs(analytic[i] - numeric[i]);
    if (g > gap || Number.isNaN(g)) {
      worst = i;
      gap = Number.isNaN(g) ? Infinity : g;
    }
  }
  return worst < 0 ? null : { index: unravel(worst, shape), analytic: analytic[worst], numeric: numeric[worst] };
}
