/**
 * gradproof's own verdict on one element (method `auto`): the analytic value is judged against
 * what central differences can know, not against a fixed threshold.
 *
 * A first estimate D(h) is accepted when it agrees with the analytic value a within
 *   τ·(|a| + |D|) + ρ(h),   ρ(h) = κ·ε·J/h,
 * τ a relative tolerance and ρ the rounding noise of a difference quotient of a forward pass
 * whose value J carries about κ·ε·|J| of accumulated rounding. Otherwise the element is refined
 * with the half step: D(h/2), and the one-sided quotients F± from J(θ) (already known). Then:
 *  - a kink (ReLU at 0, a tie in a max) shows as a jump F₊ − F₋ that does not shrink with the
 *    step (a smooth function's jump halves with it). The element is `nondifferentiable`; it passes
 *    when a lies between the one-sided derivatives (known to within their own truncation, the
 *    amount they moved from h to h/2), and fails otherwise.
 *  - else D(h/2) is accepted within 2·|D(h/2) − D(h)| (a measured bound on its truncation and
 *    rounding error) plus the same τ and ρ(h/2).
 * A kink near θ but not at it (between θ and θ ± h) fools both tests; an element that shows
 * signs of one (`nearKink`) is judged once more the same way at h/16 and h/32 (element-judge.ts).
 */
export type ElementStatus = 'ok' | 'nondifferentiable' | 'fail';

/** Relative tolerance on agreement: the default threshold of method auto (`--threshold` sets it). */
export const TAU = 1e-6;
/** Rounding in a forward pass, in units of ε·|J| (an allowance for accumulated rounding). */
export const KAPPA = 256;

/** ρ(h): the rounding noise of a difference quotient at step h of a J of size jScale. */
export const rounding = (jScale: number, h: number) => (KAPPA * Number.EPSILON * jScale) / h;

/** gap / bound, where an exact agreement is 0 even against a zero bound (s ≡ 0 gives 0/0). */
const ratioOf = (gap: number, bound: number) => (gap === 0 ? 0 : gap / bound);

/** Pass 1: |a − D(h)| over what D(h) may be off by; at most 1 accepts it without refining. */
export function firstRatio(a: number, d: number, jScale: number, h: number, tau = TAU): number {
  return ratioOf(Math.abs(a - d), tau * (Math.abs(a) + Math.abs(d)) + rounding(jScale, h));
}

export interface Refinement {
  /** J at θ, θ ± h and θ ± h/2, with the steps actually taken on each side. */
  j0: number;
  plus: number;
  minus: number;
  up: number;
  down: number;
  plusHalf: number;
  minusHalf: number;
  upHalf: number;
  downHalf: number;
}

export interface Judgement {
  status: ElementStatus;
  /**
   * A failure that may come from a kink near θ but not at it, inside the steps (a ReLU input a
   * step away from 0): the slopes on the two sides differ by more than rounding, and from h to
   * h/2 one of them moved much more than the other (a smooth function's move alike). The element
   * is then judged again at much smaller steps, which such a kink no longer falls between (its
   * D(h) and D(h/2) make a bound 2·|D(h/2) − D(h)| too loose to pass on, as well as a failure).
   */
  nearKink: boolean;
  /** Whether a lies between the one-sided slopes at h/2, give or take their truncation and rounding. */
  between: boolean;
  /** The estimate the verdict rests on (the half-step one). */
  numeric: number;
  /** |a − numeric| over its error bound (0 for a kink judged by the one-sided derivatives). */
  ratio: number;
}

export function judgeRefined(a: number, r: Refinement, tau = TAU): Judgement {
  const jScale = Math.max(Math.abs(r.j0), Math.abs(r.plus), Math.abs(r.minus));
  const d1 = (r.plus - r.minus) / (r.up + r.down);
  const d2 = (r.plusHalf - r.minusHalf) / (r.upHalf + r.downHalf);
  const right = (r.plusHalf - r.j0) / r.upHalf;
  const left = (r.j0 - r.minusHalf) / r.downHalf;
  const jump1 = (r.plus - r.j0) / r.up - (r.j0 - r.minus) / r.down;
  const jump2 = right - left;
  const noise = rounding(jScale, r.upHalf + r.downHalf) * 4;
  const rough = Math.abs(jump2) > noise + tau * (Math.abs(right) + Math.abs(left));
  const kink = Math.abs(jump2) > 0.75 * Math.abs(jump1) && rough;
  // The one-sided quotients carry a truncation error of about |J''|·h/4 each, which is what they
  // moved by from h to h/2: the subdifferential is known only to that slack.
  const [movedRight, movedLeft] = [(r.plus - r.j0) / r.up - right, left - (r.j0 - r.minus) / r.down];
  const slack = noise + Math.abs(movedRight) + Math.abs(movedLeft) + tau * (Math.abs(right) + Math.abs(left));
  const between = a >= Math.min(left, right) - slack && a <= Math.max(left, right) + slack;
  // A smooth function's one-sided slopes move by about the same amount, toward each other; a
  // kink between θ and one of θ ± h moves that side's slope alone.
  const lopsided = Math.abs(movedRight - movedLeft);
  const nearKink = rough && lopsided > noise && lopsided > 0.2 * (Math.abs(movedRight) + Math.abs(movedLeft));
  if (kink) return { status: between ? 'nondifferentiable' : 'fail', numeric: d2, ratio: between ? 0 : Infinity, nearKink: !between, between };
  const bound = 2 * Math.abs(d2 - d1) + tau * (Math.abs(a) + Math.abs(d2)) + rounding(jScale, (r.upHalf + r.downHalf) / 2);
  const ratio = ratioOf(Math.abs(a - d2), bound);
  return { status: ratio <= 1 ? 'ok' : 'fail', numeric: d2, ratio, nearKink, between };
}
