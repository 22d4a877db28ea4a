/**
 * The perturbations of an element-wise pass: +h then −h for the chosen elements of each target
 * (all of them by default), made as they are asked for, never held as a list: position 2j and
 * 2j + 1 are the two steps of the j-th element. Besides `at`, which makes a perturbation object,
 * the driver reads runs of one param's steps into its typed arrays (`run`), and the pass reads
 * where a value belongs through a cursor (`locate`): no object per evaluation on either side.
 */
import { errors } from '../core/messages.js';
import type { ElementPerturbation, PerturbationList } from '../engine/perturbation.js';

/** What a pass needs of a param under check: its name and values (param-check.ts's Target). */
export interface SteppedTarget {
  name: string;
  data: Float64Array;
}

/** Where a position falls: the target, the element's index and its step h (cached per element). */
interface Cursor {
  target: number;
  element: number;
  index: number;
  h: number;
}

export class ElementSteps<T extends SteppedTarget> implements PerturbationList<ElementPerturbation> {
  readonly length: number;
  /** After `locate`: the target, the element and the signed step of the position located. */
  target!: T;
  index = 0;
  step = 0;
  private readonly counts: number[];
  private readonly firsts: number[];
  // Cursor state, one for the driver (at, run) and one for the pass (locate): positions are
  // mostly asked for in order on each side (threads take chunks out of order), so the target
  // moves a step at a time, and both positions of a pair share the element's step.
  private readonly driver: Cursor = { target: 0, element: -1, index: 0, h: 0 };
  private readonly reader: Cursor = { target: 0, element: -1, index: 0, h: 0 };

  /** `stepOf(t, i)` is h for element i of t; `only[k]` lists the elements of target k, in order. */
  constructor(
    private readonly targets: readonly T[],
    private readonly stepOf: (t: T, index: number) => number,
    private readonly only?: readonly number[][],
  ) {
    // Chosen elements are checked here: run() writes them into an Int32Array, which would
    // truncate a wrong one (1.5, NaN, 2³²) into some element, out of the driver's sight.
    only?.forEach((elements, k) => {
      const size = targets[k].data.length;
      for (const i of elements) if (!(Number.isInteger(i) && i >= 0 && i < size)) errors.noElement(targets[k].name, size, i);
    });
    this.counts = targets.map((t, k) => (only ? only[k].length : t.data.length));
    this.firsts = [];
    let elements = 0;
    for (const c of this.counts) {
      this.firsts.push(elements);
      elements += c;
    }
    this.length = 2 * elements;
  }

  at(i: number): ElementPerturbation | undefined {
    if (!this.has(i)) return undefined;
    const c = this.seek(this.driver, i >> 1);
    return { param: this.targets[c.target].name, index: c.index, step: i % 2 === 0 ? c.h : -c.h };
  }

  /**
   * Writes the indices and steps of the perturbations from `position` on that move the param
   * of the one there, `max` at most, into `indices` and `steps`; returns how many.
   */
  run(position: number, max: number, indices: Int32Array, steps: Float64Array): number {
    if (!this.has(position)) return 0;
    const c = this.seek(this.driver, position >> 1);
    const end = Math.min(this.length, position + max, 2 * (this.firsts[c.target] + this.counts[c.target]));
    for (let i = position; i < end; i++) {
      this.seek(c, i >> 1);
      indices[i - position] = c.index;
      steps[i - position] = i % 2 === 0 ? c.h : -c.h;
    }
    return end - position;
  }

  /** Points `target`, `index` and `step` at position i. */
  locate(i: number): void {
    if (!this.has(i)) errors.noPosition(i, this.length);
    const c = this.seek(this.reader, i >> 1);
    this.target = this.targets[c.target];
    this.index = c.index;
    this.step = i % 2 === 0 ? c.h : -c.h;
  }

  private has(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.length;
  }

  /** Moves cursor c to element j (of all the pass's elements) and returns it. */
  private seek(c: Cursor, j: number): Cursor {
    if (j === c.element) return c;
    const { firsts, counts } = this;
    while (j < firsts[c.target]) c.target--;
    while (j >= firsts[c.target] + counts[c.target]) c.target++;
    const offset = j - firsts[c.target];
    c.index = this.only ? this.only[c.target][offset] : offset;
    c.h = this.stepOf(this.targets[c.target], c.index);
    c.element = j;
    return c;
  }
}
