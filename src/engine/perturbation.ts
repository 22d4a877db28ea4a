/**
 * What the perturbation driver (replay.ts) replays and what it emits: element and direction
 * perturbations, lists of them made on demand, and the objective's values, one by one or in
 * batches, and where the batches go.
 */
import type { Subscriber } from 'rxjs';

/** One element of one param moved by `step`. */
export interface ElementPerturbation {
  readonly param: string;
  /** Row-major element index within the param. */
  readonly index: number;
  /** Added to the element's value for this evaluation. */
  readonly step: number;
}

/**
 * A direction v over some params. It writes θ + step·v itself, making v element by element as it
 * goes, so no one need hold v: it is as large as the params it moves.
 */
export interface Direction {
  /** The params it moves, in order. */
  readonly params: readonly string[];
  /** Writes original[k] + step·v into moved[k] for each param k (in `params` order); a null moved[k] skips param k. */
  move(moved: readonly (Float64Array | null)[], original: readonly Float64Array[], step: number): void;
}

/** Every element of the direction's params moved along it: θ + step·v. */
export interface DirectionPerturbation {
  readonly direction: Direction;
  readonly step: number;
}

export type Perturbation = ElementPerturbation | DirectionPerturbation;

export const isDirection = (p: Perturbation): p is DirectionPerturbation => 'direction' in p;

/**
 * The perturbations of a replay, by position: an array, or a list that makes each one when asked,
 * so a check of N elements holds no list of 2N perturbations. All of one kind.
 */
export interface PerturbationList<P extends Perturbation = Perturbation> {
  readonly length: number;
  at(i: number): P | undefined;
  /**
   * Optional, for a list of element perturbations: writes the element indices and steps of the
   * perturbations from `position` on that move the param of the one there, `max` at most, into
   * `indices` and `steps`, and returns how many (the driver then makes no object per evaluation).
   * For a position `at` gives, that is 1 to `max`: the driver fails on anything else.
   */
  run?(position: number, max: number, indices: Int32Array, steps: Float64Array): number;
}

export interface Evaluation {
  readonly perturbation: Perturbation;
  /** The objective's value with the perturbation applied. */
  readonly value: number;
  /** Evaluations done so far, this one included, and in all. */
  readonly done: number;
  readonly total: number;
}

/** The objective's values for a run of consecutive perturbations: what the driver emits. */
export interface EvaluationBatch {
  /** Position of the first of them in the perturbation list. */
  readonly start: number;
  /** One value per perturbation, from `start` on. */
  readonly values: Float64Array;
  /** Perturbations in the list. */
  readonly total: number;
}

/**
 * Where the driver's batches go: an observer with the `closed` it checks between batches (a
 * Subscriber is one). A caller that turns batches into something else gives one whose `closed`
 * is its own subscriber's, so that unsubscribing during a synchronous replay stops it there.
 */
export interface BatchSink {
  readonly closed: boolean;
  next(batch: EvaluationBatch): void;
  error(e: unknown): void;
  complete(): void;
}

/**
 * A sink whose `closed`, errors and completion are `subscriber`'s, its batches handed to `next`.
 * (A class: an object literal with a `closed` getter, made per pass, made a cheap check's time
 * erratic, 48-97 µs against a steady 39 µs, in scratch runs.)
 */
export class SinkTo<T> implements BatchSink {
  constructor(
    private readonly subscriber: Subscriber<T>,
    private readonly onBatch: (batch: EvaluationBatch) => void,
  ) {}

  /** `onBatch` of the batch; what it throws goes to the subscriber as an error, as an operator's would. */
  next(batch: EvaluationBatch): void {
    try {
      this.onBatch(batch);
    } catch (e) {
      this.subscriber.error(e);
    }
  }

  get closed(): boolean {
    return this.subscriber.closed;
  }

  error(e: unknown): void {
    this.subscriber.error(e);
  }

  complete(): void {
    this.subscriber.complete();
  }
}
