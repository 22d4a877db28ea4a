/**
 * How a check differentiates numerically: each element's step, the quotient that turns two
 * objective values into a derivative, and the threshold on the difference.
 *
 * - `seed`: the assignment exactly. h = 1e-7 for every element, (J+ − J−) / (2h), pass when the
 *   difference is below 1e-7. Kept to reproduce the seed's figures, false alarm included.
 * - `auto`: gradproof's own. The step balances truncation (∝ h²) against rounding (∝ ε/h):
 *   h = ∛ε · max(1, |θ|). The quotient divides by the step actually taken, (θ+h) − (θ−h), which
 *   is what the two evaluations saw, rather than the 2h that was asked for.
 */
export interface Method {
  readonly name: 'seed' | 'auto';
  readonly threshold: number;
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

const CBRT_EPS = Math.cbrt(Number.EPSILON);

export function methodOf(name: MethodName = 'auto', overrides: MethodOverrides = {}): Method {
  const { eps, threshold } = overrides;
  if (name === 'seed') {
    const h = eps ?? 1e-7;
    return {
      name,
      threshold: threshold ?? 1e-7,
      step: () => h,
      derivative: (plus, minus, _theta, step) => (plus - minus) / (2 * step),
    };
  }
  return {
    name,
    threshold: threshold ?? 1e-6,
    step: eps === undefined ? (theta) => CBRT_EPS * Math.max(1, Math.abs(theta)) : () => eps,
    derivative: (plus, minus, theta, step) => (plus - minus) / (theta + step - (theta - step)),
  };
}
