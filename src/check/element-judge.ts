/**
 * Element-by-element verdicts of method `auto` over one vector (a param, or an op's input),
 * in two passes: `first` takes J(θ ± h) and either accepts the element or keeps it for `second`,
 * which takes J(θ ± h/2) and decides (error-model.ts has the arithmetic). Method `seed` judges
 * nothing here: its verdict is the difference against its threshold.
 */
import { firstRatio, judgeRefined, type ElementStatus } from './error-model.js';

const STATUS: ElementStatus[] = ['ok', 'nondifferentiable', 'fail'];
const NONE_KEPT = new Int32Array(0);
const NO_VALUES = new Float64Array(0);

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
  private keptValues = NO_VALUES;
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

  /** Elements whose first estimate was not enough and that are not decided yet, in index order. */
  toRefine(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.kept; k++) if (this.status[this.keptIndex[k]] === 0) out.push(this.keptIndex[k]);
    return this.ascending ? out : out.sort((x, y) => x - y);
  }

  /** Records J(θ ± h/2) for a kept element, decides it, and returns the estimate it rests on. */
  second(i: number, a: number, theta: number, halfStep: number, plusHalf: number, minusHalf: number): number {
    const k = 4 * this.find(i);
    const v = this.keptValues;
    const judgement = judgeRefined(a, {
      j0: this.j0,
      plus: v[k],
      minus: v[k + 1],
      up: v[k + 2],
      down: v[k + 3],
      plusHalf,
      minusHalf,
      upHalf: theta + halfStep - theta,
      downHalf: theta - (theta - halfStep),
    }, this.tau);
    this.accept(i, judgement.status, judgement.ratio);
    return judgement.numeric;
  }

  count(status: ElementStatus): number {
    const code = STATUS.indexOf(status) + 1;
    return this.status.reduce((n, s) => n + (s === code ? 1 : 0), 0);
  }

  private keep(i: number, plus: number, minus: number, up: number, down: number): void {
    if (this.kept === this.keptIndex.length) {
      const index = new Int32Array(Math.max(16, 2 * this.kept));
      index.set(this.keptIndex);
      const values = new Float64Array(4 * index.length);
      values.set(this.keptValues);
      [this.keptIndex, this.keptValues] = [index, values];
    }
    // Kept again (a first pass run twice over an element): the new values replace the old.
    const again = this.kept > 0 && (!this.ascending || i <= this.keptIndex[this.kept - 1]) ? this.find(i) : -1;
    const slot = again >= 0 ? again : this.kept++;
    if (again < 0 && slot > 0 && i < this.keptIndex[slot - 1]) this.ascending = false;
    this.keptIndex[slot] = i;
    this.keptValues.set([plus, minus, up, down], 4 * slot);
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
