/**
 * The perturbation driver: replays forward evaluations, one per perturbation (param, element,
 * step), and hands the objective's values to a sink (replayInto), or emits them (replayBatches,
 * replay: Observables over it). Each perturbation writes one element
 * in place, replays only what depends on it (replayer.ts), and writes the saved original back
 * (not θ + h − h, which does not round-trip) before anything else can run; so between emissions,
 * and after completion, error or unsubscription, every param holds exactly its original bits.
 * An element perturbation copies no param (the replayer keeps one copy of the outputs it updates
 * in place, made once per subscription); a direction saves one copy of each param it moves, once
 * per subscription, and writes it back after each evaluation.
 */
import { Observable, type SchedulerLike, type TeardownLogic } from 'rxjs';
import { errors } from '../core/messages.js';
import { f64 } from '../core/alloc.js';
import type { Plan } from './plan.js';
import type { Values } from './forward.js';
import { directionReplayer } from './direction-replay.js';
import { Replayer } from './replayer.js';
import { replayInWorkers, workersFor } from './parallel-replay.js';
import { isDirection, SinkTo, type BatchSink, type ElementPerturbation, type Evaluation, type EvaluationBatch, type PerturbationList } from './perturbation.js';

export { isDirection, SinkTo } from './perturbation.js';
export type { BatchSink, Direction, DirectionPerturbation, ElementPerturbation, Evaluation, EvaluationBatch, Perturbation, PerturbationList } from './perturbation.js';

export interface ReplayOptions {
  /**
   * Without a scheduler the replays run synchronously on subscribe (like RxJS's `of`). With one,
   * they run in slices of about `sliceMs` that yield in between, so timers, signals and
   * unsubscription get their turn during a long check.
   */
  scheduler?: SchedulerLike;
  sliceMs?: number;
  /**
   * Replay through the ops' incremental rules (default true): recompute only the part a change
   * reaches. False recomputes every node downstream of the param in full.
   */
  incremental?: boolean;
  /**
   * Threads for element perturbations, this one included (parallel-replay.ts). `auto` (default):
   * one per core for 1,000,000 evaluations or more, when a scheduler is given (threads answer
   * asynchronously) and every op can be loaded again in a thread (built in, or from a module).
   */
  workers?: number | 'auto';
}

/** Evaluations per batch at most, and the time after which a batch ends early (ms). */
const BATCH = 1024;
const BATCH_MS = 25;
/** Evaluations between reads of the clock, and at most in one run of one param's elements (evaluateRun). */
const RUN = 8;

/** Options of the driver beyond ReplayOptions (see replayBatches). */
export interface DriverOptions extends ReplayOptions {
  batch?: number;
  firstBatch?: number;
  replayer?: () => Replayer;
}

/**
 * The driver: replays the perturbations in order and emits their values in batches, so a check
 * of many cheap evaluations pays for one emission per batch, not one per evaluation. Batches
 * start at 2 evaluations (one pair of a central difference) and double up to `batch` (default
 * 1024), ending early once `sliceMs` has passed: the first values come at once, and
 * unsubscribing stops the replays within one batch. Element perturbations of 1,000,000 evaluations
 * or more may go to worker threads (ReplayOptions.workers); the batches come back in order.
 * `replayer` gives the element replayer, for callers whose several streams over one baseline
 * share one (its buffers and native chain made once): by default each subscription makes its own.
 * `firstBatch` (default 2) is the first batch's size, for a caller that knows its replays are cheap.
 */
export function replayBatches(plan: Plan, baseline: Values, perturbations: PerturbationList, options: DriverOptions = {}): Observable<EvaluationBatch> {
  return new Observable<EvaluationBatch>((subscriber) => replayInto(plan, baseline, perturbations, options, subscriber));
}

/**
 * The driver itself (replayBatches), its batches handed to `sink`; returns what stops it. For a
 * stream made from the batches in one operator, without a subscriber between (param-check.ts).
 */
export function replayInto(plan: Plan, baseline: Values, perturbations: PerturbationList, options: DriverOptions, sink: BatchSink): TeardownLogic {
  const directions = perturbations.length > 0 && isDirection(perturbations.at(0)!);
  const threads = directions ? 1 : workersFor(plan, perturbations.length, options.workers ?? 'auto', options.scheduler !== undefined);
  if (threads > 1 && options.scheduler) {
    const threaded = { incremental: options.incremental ?? true, scheduler: options.scheduler, sliceMs: options.sliceMs ?? BATCH_MS };
    // (Threads answer asynchronously: the subscription is returned before any batch.)
    return replayInWorkers(plan, baseline, perturbations as PerturbationList<ElementPerturbation>, threads, threaded).subscribe(sink);
  }
  const total = perturbations.length;
  const { scheduler, sliceMs = BATCH_MS, batch = BATCH } = options;
  // Closure state: the position of the next perturbation to replay; the replayer (made on the
  // first element perturbation); for directions, the direction replayer (direction-replay.ts).
  let next = 0;
  let size = Math.max(1, Math.min(options.firstBatch ?? 2, batch));
  let replayer: Replayer | undefined;

  const paramSlot = (name: string): number => {
    const slot = plan.slotOf.get(name);
    if (slot === undefined || plan.leaves[slot].kind !== 'param') return errors.unknownParam(name);
    return slot;
  };

  // Closure state: the direction replayer, made at the first direction.
  let evaluateDirection: ReturnType<typeof directionReplayer> | undefined;

  /** Fails unless `index` is an element of `param`, the param at `slot`. */
  const checkElement = (param: string, index: number, slot: number): void => {
    const size = plan.leaves[slot].value.data.length;
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      errors.noElement(param, size, index);
    }
  };

  // Closure state: a run of element perturbations of one param, handed to the replayer at once
  // (a native chain then replays them in one call).
  const runIndices = new Int32Array(RUN);
  const runSteps = new Float64Array(RUN);

  /**
   * Replays the perturbation at `position` and, for an element, those right after it that move
   * the same param, `max` at most; writes their values into out from `at`; returns how many.
   */
  const evaluateRun = (position: number, out: Float64Array, at: number, max: number): number => {
    const p = perturbations.at(position)!;
    if (isDirection(p)) {
      evaluateDirection ??= directionReplayer(plan, baseline, paramSlot);
      out[at] = evaluateDirection(p);
      return 1;
    }
    const slot = paramSlot(p.param);
    let n = 0;
    if (perturbations.run) {
      n = perturbations.run(position, Math.min(max, RUN), runIndices, runSteps);
      // (A count out of range would stall the driver, or replay indices left from the last run.)
      if (!(n >= 1 && n <= Math.min(max, RUN))) errors.runCount(p.param, position, n, Math.min(max, RUN));
      for (let k = 0; k < n; k++) checkElement(p.param, runIndices[k], slot);
    } else {
      for (let q: ElementPerturbation | undefined = p; ; ) {
        // (Only the first's param is checked: the rest move the same one.)
        checkElement(p.param, q.index, slot);
        runIndices[n] = q.index;
        runSteps[n] = q.step;
        if (++n === max || n === RUN) break;
        q = perturbations.at(position + n) as ElementPerturbation | undefined;
        if (q === undefined || q.param !== p.param) break;
      }
    }
    replayer ??= options.replayer?.() ?? new Replayer(plan, baseline, options.incremental ?? true);
    replayer.elements(slot, runIndices, runSteps, n, out, at);
    return n;
  };

  /** Replays batches until done, closed, or past `deadline`; true when there is more to do. */
  const runUntil = (deadline: number): boolean => {
    while (next < total && !sink.closed) {
      const start = next;
      // (From a slab: a batch is read as it is emitted, by the engine's own subscribers.)
      const values = f64(Math.min(size, total - start));
      size = Math.min(2 * size, batch);
      const ends = Math.min(deadline, performance.now() + sliceMs);
      let count = 0;
      try {
        // The clock is read every RUN evaluations: often enough for a slow model, cheap for a fast one.
        while (count < values.length && (count % RUN !== 0 || performance.now() < ends || count === 0)) {
          count += evaluateRun(start + count, values, count, Math.min(values.length - count, RUN - (count % RUN)));
        }
      } catch (e) {
        sink.error(e);
        return false;
      }
      next += count;
      sink.next({ start, values: count === values.length ? values : values.slice(0, count), total });
      if (deadline !== Infinity && performance.now() >= deadline) break;
    }
    if (next === total) sink.complete();
    return next < total && !sink.closed;
  };

  if (!scheduler) {
    runUntil(Infinity);
    return undefined;
  }
  return scheduler.schedule(function () {
    if (runUntil(performance.now() + sliceMs)) this.schedule();
  });
}

/** The driver one evaluation at a time: each perturbation with its value and the count done. */
export function replay(plan: Plan, baseline: Values, perturbations: PerturbationList, options: ReplayOptions = {}): Observable<Evaluation> {
  return new Observable<Evaluation>((subscriber) =>
    replayInto(
      plan,
      baseline,
      perturbations,
      { ...options, batch: 1 },
      new SinkTo(subscriber, ({ start, values, total }) => {
        for (let i = 0; i < values.length && !subscriber.closed; i++) subscriber.next({ perturbation: perturbations.at(start + i)!, value: values[i], done: start + i + 1, total });
      }),
    ),
  );
}
