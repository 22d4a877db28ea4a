/**
 * How a wrong gradient is wrong, in words and as data: non-finite, zero where it should not be,
 * scaled by a constant (×2, ×1/m, a flipped sign), transposed, or wrong in only some elements;
 * or close, off by no more than finite differences may be (a verdict near the method's limit).
 * The tests are tried in that order; the first that explains the analytic vector wins.
 */
import { unravel } from '../core/tensor.js';
import { norm2 } from './norms.js';

export type Diagnosis =
  | { kind: 'non-finite'; index: number[]; value: number; text: string }
  | { kind: 'zero'; text: string }
  | { kind: 'scaled'; factor: number; text: string }
  | { kind: 'close'; relative: number; text: string }
  | { kind: 'transposed'; text: string }
  | { kind: 'some-elements'; count: number; total: number; indices: number[][]; text: string }
  | { kind: 'wrong'; text: string };

/** A fit that leaves less than this share of the vector unexplained counts as an explanation. */
const EXPLAINED = 1e-4;

export function diagnose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, shape: readonly number[], tolerance: number): Diagnosis {
  const n = analytic.length;
  const bad = [...Array(n).keys()].find((i) => !Number.isFinite(analytic[i]));
  if (bad !== undefined) {
    return { kind: 'non-finite', index: unravel(bad, shape), value: analytic[bad], text: `analytic is ${analytic[bad]} at ${fmtIndex(unravel(bad, shape))}` };
  }
  const na = norm2(analytic);
  const nn = norm2(numeric);
  if (na <= EXPLAINED * nn) return { kind: 'zero', text: 'analytic is 0 where numeric is not (a gradient not passed on?)' };

  let dot = 0;
  for (let i = 0; i < n; i++) dot += analytic[i] * numeric[i];
  const factor = dot / (nn * nn);
  if (nn > 0 && residual(analytic, (i) => factor * numeric[i]) <= EXPLAINED * na) {
    if (Math.abs(factor - 1) >= 5e-4) return { kind: 'scaled', factor, text: `analytic = ${scaleText(factor)} × numeric` };
    const relative = residual(analytic, (i) => numeric[i]) / na;
    return { kind: 'close', relative, text: `analytic and numeric agree to ${relative.toExponential(1)} relative: near what this step can resolve` };
  }
  if (shape.length === 2 && shape[0] === shape[1] && shape[0] > 1) {
    const [r] = shape;
    const transposed = (i: number) => numeric[(i % r) * r + Math.floor(i / r)];
    if (residual(analytic, transposed) <= EXPLAINED * na) return { kind: 'transposed', text: 'analytic = numericᵀ (transposed)' };
  }
  const wrong: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Math.abs(analytic[i] - numeric[i]) > tolerance * (Math.abs(analytic[i]) + Math.abs(numeric[i])) + tolerance * 1e-2 * Math.max(na, nn) / Math.sqrt(n)) wrong.push(i);
  }
  if (wrong.length > 0 && wrong.length < n) {
    const indices = wrong.map((i) => unravel(i, shape));
    const listed = indices.slice(0, 3).map(fmtIndex).join(', ') + (wrong.length > 3 ? ', …' : '');
    return { kind: 'some-elements', count: wrong.length, total: n, indices, text: `wrong in ${wrong.length} of ${n} elements: ${listed}` };
  }
  return { kind: 'wrong', text: 'analytic and numeric disagree throughout, with no simple pattern' };
}

function residual(a: ArrayLike<number>, fit: (i: number) => number): number {
  const r = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i] - fit(i);
  return norm2(r);
}

const fmtIndex = (index: number[]) => `[${index.join(', ')}]`;

/** "2.000", "0.333 (1/3: a stray 1/m?)", "−1.000 (sign)". */
export function scaleText(c: number): string {
  const shown = c.toFixed(3).replace('-', '−');
  if (Math.abs(c + 1) < 1e-3) return `${shown} (sign)`;
  const k = Math.round(1 / c);
  if (Math.abs(k) >= 2 && Math.abs(c * k - 1) < 1e-6) return `${shown} (1/${k}: a stray 1/m?)`;
  return shown;
}
