/**
 * Element-by-element verdicts of method `auto` over one vector (a param, or an op's input),
 * in two passes: `first` takes J(θ ± h) and either accepts the element or keeps it for `second`,
 * which takes J(θ ± h/2) and decides (error-model.ts has the arithmetic). Method `seed` judges
 * nothing here: its verdict is the difference against its threshold.
 */
import { firstRatio, judgeRefined, type ElementStatus } from './error-model.js';

const STATUS: ElementStatus[] = ['ok', 'nondifferentiable', 'fail'];

export class ElementJudge {
  /** Per element: 0 not judged yet, else 1 + the index of its status in STATUS. */
  readonly status: Uint8Array;
  /** The largest |a − numeric| / bound among accepted elements: how close the check came to failing. */
  margin = 0;
  // Closure-like state: the first pass's values of elements waiting for the second.
  private readonly pending = new Map<number, { plus: number; minus: number; up: number; down: number }>();

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
    else this.pending.set(i, { plus, minus, up, down });
    return d;
  }

  /** Elements whose first estimate was not enough, in index order. */
  toRefine(): number[] {
    return [...this.pending.keys()].sort((x, y) => x - y);
  }

  /** Records J(θ ± h/2) for a kept element, decides it, and returns the estimate it rests on. */
  second(i: number, a: number, theta: number, halfStep: number, plusHalf: number, minusHalf: number): number {
    const kept = this.pending.get(i)!;
    this.pending.delete(i);
    const judgement = judgeRefined(a, {
      j0: this.j0,
      ...kept,
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

  private accept(i: number, status: ElementStatus, ratio: number): void {
    this.status[i] = STATUS.indexOf(status) + 1;
    if (status !== 'fail' && Number.isFinite(ratio)) this.margin = Math.max(this.margin, ratio);
  }
}
