/**
 * Element-by-element verdicts of method `auto` over one vector (a param, or an op's input),
 * in passes: `first` takes J(θ ± h) and either accepts the element or keeps it for `refine`,
 * which takes J(θ ± h/2) and decides, or, for an element that shows a kink near θ, goes on
 * to h/16 and h/32 (error-model.ts has the arithmetic). Method `seed` judges nothing here: its
 * verdict is the difference against its threshold.
 */
import { firstRatio, judgeRefined, type ElementStatus } from './error-model.js';
import { f64 } from '../core/alloc.js';

const STATUS: ElementStatus[] = ['ok', 'nondifferentiable', 'fail'];

/** The code in `status` of an accepted element. */
export const OK = STATUS.indexOf('ok') + 1;
const NONE_KEPT = new Int32Array(0);
const NO_VALUES = new Float64Array(0);
const NO_LEVELS = new Uint8Array(0);

/**
 * The steps of the passes after the first, as fractions of h: each pass replays the elements
 * still undecided (usually only h/2 is needed; h/16 and h/32 only for a failure near a kink).
 */
export const REFINEMENTS = [1 / 2, 1 / 16, 1 / 32];

export class ElementJudge {
  /** Per element: 0 not judged yet, else 1 + the index of its status in STATUS. */
  readonly status: Uint8Array;
  /** The largest |a − numeric| / bound among accepted elements: how close the check came to failing. */
  margin = 0;
  // Closure-like state: the first pass's values of the elements kept for the second, as plain
  // arrays (a Map of small objects took ~100 bytes an element: megabytes on a big, buggy param):
  // their indices, in the order kept, and J(θ+h), J(θ−h) and the two steps, four per element.
  // Made on the first element kept: a check makes a judge per param, and most keep none.
  private keptIndex = NONE_KEPT;
  private keptValues: Float64Array = NO_VALUES;
  /** Per kept element, how far it has been refined: 0 after `first`, 1 awaiting h/16, 2 awaiting h/32. */
  private keptLevel = NO_LEVELS;
  private kept = 0;
  /** Whether indices were kept in increasing order (the usual case), so a search can find them. */
  private ascending = true;

  constructor(size: number, private readonly j0: number, private readonly tau?: number) {
    this.status = new Uint8Array(size);
  }

  /** Records J(θ + h) and J(θ − h) and returns D(h); the element is accepted or kept for refining. */
  first(i: number, a: number, theta: number, h: number, plus: number, minus: number): number {
    const up = theta + h - theta;
    const down = theta - (theta - h);
    const d = (plus - minus) / (up + down);
    const ratio = firstRatio(a, d, Math.max(Math.abs(this.j0), Math.abs(plus), Math.abs(minus)), (up + down) / 2, this.tau);
    if (ratio <= 1) this.accept(i, 'ok', ratio);
    else this.keep(i, plus, minus, up, down);
    return d;
  }

  /**
   * Elements whose first estimate was not enough and that are not decided yet, in index order.
   * When every kept element is decided, the kept values go (4 numbers an element: on a large
   * param with a bug, more than the param; the check holds its judges to the report).
   */
  toRefine(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.kept; k++) if (this.status[this.keptIndex[k]] === 0) out.push(this.keptIndex[k]);
    if (out.length === 0 && this.kept > 0) [this.keptIndex, this.keptValues, this.keptLevel, this.kept, this.ascending] = [NONE_KEPT, NO_VALUES, NO_LEVELS, 0, true];
    return this.ascending ? out : out.sort((x, y) => x - y);
  }

  /**
   * Records J(θ ± step) for an element kept by `first`, at the step of its refinement (see
   * REFINEMENTS), and returns the estimate its verdict rests on: at h/2 the element is decided,
   * unless it shows a kink near θ (error-model.ts); then h/16 is recorded and h/32 decides,
   * judged the same way from those two; a kink that still shows there is closer to θ than the
   * steps tell apart, and is judged as one at θ (the derivative between the one-sided slopes).
   */
  refine(i: number, a: number, theta: number, step: number, plus: number, minus: number): number {
    const k = this.find(i);
    const v = this.keptValues;
    const [up, down] = [theta + step - theta, theta - (theta - step)];
    if (this.keptLevel[k] === 1) {
      // h/16: kept as the larger step of the last judgement.
      v[4 * k] = plus;
      v[4 * k + 1] = minus;
      v[4 * k + 2] = up;
      v[4 * k + 3] = down;
      this.keptLevel[k] = 2;
      return (plus - minus) / (up + down);
    }
    const judgement = judgeRefined(a, { j0: this.j0, plus: v[4 * k], minus: v[4 * k + 1], up: v[4 * k + 2], down: v[4 * k + 3], plusHalf: plus, minusHalf: minus, upHalf: up, downHalf: down }, this.tau);
    if (judgement.nearKink && this.keptLevel[k] === 0) this.keptLevel[k] = 1;
    // A kink still between θ ± h/32 is closer to θ than the steps tell apart: judged as one at θ.
    else if (judgement.nearKink) this.accept(i, judgement.between ? 'nondifferentiable' : 'fail', judgement.between ? 0 : Infinity);
    else this.accept(i, judgement.status, judgement.ratio);
    return judgement.numeric;
  }

  count(status: ElementStatus): number {
    const code = STATUS.indexOf(status) + 1;
    let n = 0;
    for (let i = 0; i < this.status.length; i++) if (this.status[i] === code) n++;
    return n;
  }

  /** Among the first `checked` elements, those not judged yet (0: every one was). */
  undecided(checked: number): number {
    let n = 0;
    for (let i = 0; i < checked; i++) if (this.status[i] === 0) n++;
    return n;
  }

  private keep(i: number, plus: number, minus: number, up: number, down: number): void {
    if (this.kept === this.keptIndex.length) {
      const index = new Int32Array(Math.max(16, 2 * this.kept));
      index.set(this.keptIndex);
      // (From a slab: the judge's own, never handed out; a first keep on a small param is cheap.)
      const values = f64(4 * index.length);
      values.set(this.keptValues);
      const levels = new Uint8Array(index.length);
      levels.set(this.keptLevel);
      [this.keptIndex, this.keptValues, this.keptLevel] = [index, values, levels];
    }
    // Kept again (a first pass run twice over an element): the new values replace the old.
    const again = this.kept > 0 && (!this.ascending || i <= this.keptIndex[this.kept - 1]) ? this.find(i) : -1;
    const slot = again >= 0 ? again : this.kept++;
    if (again < 0 && slot > 0 && i < this.keptIndex[slot - 1]) this.ascending = false;
    this.keptIndex[slot] = i;
    const v = this.keptValues;
    v[4 * slot] = plus;
    v[4 * slot + 1] = minus;
    v[4 * slot + 2] = up;
    v[4 * slot + 3] = down;
    this.keptLevel[slot] = 0;
  }

  /** Where element i was kept (a binary search, or a scan when they were kept out of order). */
  private find(i: number): number {
    if (!this.ascending) return this.keptIndex.subarray(0, this.kept).indexOf(i);
    if (this.kept === 0) return -1;
    let [lo, hi] = [0, this.kept - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keptIndex[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return this.keptIndex[lo] === i ? lo : -1;
  }

  private accept(i: number, status: ElementStatus, ratio: number): void {
    this.status[i] = STATUS.indexOf(status) + 1;
    if (status !== 'fail' && Number.isFinite(ratio)) this.margin = Math.max(this.margin, ratio);
  }
}
