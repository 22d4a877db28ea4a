/**
 * The perturbation driver: an Observable that replays forward evaluations, one per perturbation
 * (param, element, step), and emits each objective value with the count done. Each perturbation
 * writes one element in place, replays only the nodes downstream of that param, and writes the
 * saved original back (not θ + h − h, which does not round-trip) before anything else can run;
 * so between emissions, and after completion, error or unsubscription, every param holds
 * exactly its original bits. An element perturbation copies nothing; a direction saves one copy
 * of each param it moves, once per subscription, and writes it back after each evaluation.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { errors } from '../core/messages.js';
import { fail } from '../core/errors.js';
import type { Plan } from './plan.js';
import { replayObjective, Workspace, type Values } from './forward.js';
import { replayInWorkers, workersFor } from './parallel-replay.js';

/** One element of one param moved by `step`. */
export interface ElementPerturbation {
  readonly param: string;
  /** Row-major element index within the param. */
  readonly index: number;
  /** Added to the element's value for this evaluation. */
  readonly step: number;
}

/** Every element of the named params moved along a direction: θ + step·v. */
export interface DirectionPerturbation {
  readonly direction: ReadonlyMap<string, Float64Array>;
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
}

export interface Evaluation {
  readonly perturbation: Perturbation;
  /** The objective's value with the perturbation applied. */
  readonly value: number;
  /** Evaluations done so far, this one included, and in all. */
  readonly done: number;
  readonly total: number;
}

export interface ReplayOptions {
  /**
   * Without a scheduler the replays run synchronously on subscribe (like RxJS's `of`). With one,
   * they run in slices of about `sliceMs` that yield in between, so timers, signals and
   * unsubscription get their turn during a long check.
   */
  scheduler?: SchedulerLike;
  sliceMs?: number;
  /**
   * Replay through the ops' incremental rules (default true): recompute only the rows a change
   * reaches. False recomputes every node downstream of the param in full.
   */
  incremental?: boolean;
  /**
   * Worker threads for element perturbations (parallel-replay.ts). `auto` (default): one per core
   * for 20,000 evaluations or more, when a scheduler is given (threads answer asynchronously)
   * and every op can be loaded again in a thread (built in, or from a module).
   */
  workers?: number | 'auto';
}

/**
 * The objective with one element of the param at `slot` moved by `step`, then written back to
 * its saved original: the one replay of an element, for this driver and for worker threads.
 */
export function replayElement(plan: Plan, baseline: Values, slot: number, index: number, step: number, incremental: boolean, workspace: Workspace): number {
  const { data, shape } = plan.leaves[slot].value;
  const original = data[index];
  data[index] = original + step;
  const element = { index, delta: data[index] - original };
  const source = incremental ? { slot, rows: shape.length === 2 ? [Math.floor(index / shape[1])] : ('all' as const), element } : undefined;
  try {
    return replayObjective(plan, baseline, plan.downstream.get(slot)!, source, workspace);
  } finally {
    data[index] = original;
  }
}

export function replay(plan: Plan, baseline: Values, perturbations: PerturbationList, options: ReplayOptions = {}): Observable<Evaluation> {
  const directions = perturbations.length > 0 && isDirection(perturbations.at(0)!);
  const threads = directions ? 1 : workersFor(plan, perturbations.length, options.workers ?? 'auto', options.scheduler !== undefined);
  if (threads > 1) return replayInWorkers(plan, perturbations as PerturbationList<ElementPerturbation>, threads, options.incremental ?? true);
  return new Observable<Evaluation>((subscriber) => {
    const total = perturbations.length;
    const incremental = options.incremental ?? true;
    // Closure state: the index of the next perturbation to replay, and (for directions) one
    // saved copy of each param moved, made once per subscription and written back after each.
    let next = 0;
    const saved = new Map<string, Float64Array>();
    const workspace = new Workspace();

    const paramSlot = (name: string): number => {
      const slot = plan.slotOf.get(name);
      if (slot === undefined || plan.leaves[slot].kind !== 'param') return errors.unknownParam(name);
      return slot;
    };

    const evaluateDirection = (p: DirectionPerturbation): number => {
      const moved = [...p.direction].map(([name, v]) => {
        const slot = paramSlot(name);
        const data = plan.leaves[slot].value.data;
        if (v.length !== data.length) fail('perturbation', `a direction for ${name} has ${v.length} elements; ${name} has ${data.length}`, { leaf: name });
        if (!saved.has(name)) saved.set(name, data.slice());
        return { slot, data, original: saved.get(name)!, v };
      });
      try {
        for (const { data, original, v } of moved) for (let i = 0; i < data.length; i++) data[i] = original[i] + p.step * v[i];
        const reached = new Set(moved.flatMap((m) => plan.downstream.get(m.slot)!));
        return replayObjective(plan, baseline, plan.nodes.filter((n) => reached.has(n)));
      } finally {
        for (const { data, original } of moved) data.set(original);
      }
    };

    const evaluate = (p: Perturbation): number => {
      if (isDirection(p)) return evaluateDirection(p);
      const slot = paramSlot(p.param);
      const leaf = plan.leaves[slot];
      const data = leaf.value.data;
      if (!Number.isInteger(p.index) || p.index < 0 || p.index >= data.length) {
        fail('perturbation', `${p.param} has ${data.length} elements; there is no element ${p.index}`, { leaf: p.param });
      }
      return replayElement(plan, baseline, slot, p.index, p.step, incremental, workspace);
    };

    /** Replays until done, closed, or past `deadline`; true when there is more to do. */
    const runUntil = (deadline: number): boolean => {
      while (next < total && !subscriber.closed) {
        const perturbation = perturbations.at(next)!;
        let value: number;
        try {
          value = evaluate(perturbation);
        } catch (e) {
          subscriber.error(e);
          return false;
        }
        next++;
        subscriber.next({ perturbation, value, done: next, total });
        if (deadline !== Infinity && performance.now() >= deadline) break;
      }
      if (next === total) subscriber.complete();
      return next < total && !subscriber.closed;
    };

    const { scheduler, sliceMs = 25 } = options;
    if (!scheduler) {
      runUntil(Infinity);
      return undefined;
    }
    return scheduler.schedule(function () {
      if (runUntil(performance.now() + sliceMs)) this.schedule();
    });
  });
}
