/**
 * How a check differentiates numerically: each element's step, the quotient that turns two
 * objective values into a derivative, and the threshold on the difference.
 *
 * - `seed`: the assignment exactly. h = 1e-7 for every element, (J+ − J−) / (2h), pass when the
 *   difference is below 1e-7. Kept to reproduce the seed's figures, false alarm included.
 * - `auto`: gradproof's own. The step balances truncation (∝ h²) against the rounding of a
 *   forward pass (∝ κε/h, see error-model.ts): h = ∛(κε) · max(1, |θ|), rounded to a power of
 *   two so that θ ± h is often exact. The quotient divides by the step actually taken,
 *   (θ+h) − (θ−h), which is what the two evaluations saw, rather than the 2h that was asked for.
 *   Each element is judged on its own (`judged`), with refinement where the first step is unsure.
 */
import { KAPPA, TAU } from './error-model.js';

export interface Method {
  readonly name: 'seed' | 'auto';
  /** seed: the bound on the difference; auto: the relative tolerance τ of each element. */
  readonly threshold: number;
  /** Whether elements are judged one by one with the error model (auto) or by the difference alone (seed). */
  readonly judged: boolean;
  /** The step for an element whose value is `theta`. */
  step(theta: number): number;
  /** The central-difference derivative from J(θ+h) and J(θ−h). */
  derivative(plus: number, minus: number, theta: number, h: number): number;
}

export type MethodName = Method['name'];

export interface MethodOverrides {
  /** A fixed step for every element. */
  eps?: number;
  threshold?: number;
}

const BASE_STEP = 2 ** Math.round(Math.log2(Math.cbrt(KAPPA * Number.EPSILON)));
// (|θ| ≤ 1, most params, skips the log: the same step, once per element of every check.)
const autoStep = (theta: number) => (Math.abs(theta) <= 1 ? BASE_STEP : BASE_STEP * 2 ** Math.ceil(Math.log2(Math.abs(theta))));

export function methodOf(name: MethodName = 'auto', overrides: MethodOverrides = {}): Method {
  const { eps, threshold } = overrides;
  if (name === 'seed') {
    const h = eps ?? 1e-7;
    return {
      name,
      threshold: threshold ?? 1e-7,
      judged: false,
      step: () => h,
      derivative: (plus, minus, _theta, step) => (plus - minus) / (2 * step),
    };
  }
  return {
    name,
    threshold: threshold ?? TAU,
    judged: true,
    step: eps === undefined ? autoStep : () => eps,
    // Method auto's elements are judged by element-judge.ts, which forms this same quotient from
    // the steps taken on each side (and its refinement from them); this is the quotient alone.
    derivative: (plus, minus, theta, step) => (plus - minus) / (theta + step - (theta - step)),
  };
}
