/**
 * The element-wise check of params: +h then −h for each element of each param, replayed by the
 * perturbation driver and paired into central differences as they stream in; then, for method
 * auto, a pass at h/2 over the elements the first could not settle, and for failures near a kink
 * passes at h/16 and h/32 (element-judge.ts).
 */
import { concat, defer, EMPTY, finalize, Observable } from 'rxjs';
import type { Plan } from '../engine/plan.js';
import type { Values } from '../engine/forward.js';
import { errors } from '../core/messages.js';
import { replayInto, SinkTo, type ReplayOptions } from '../engine/replay.js';
import { ElementSteps } from './element-steps.js';
import { Replayer } from '../engine/replayer.js';
import { ElementJudge, REFINEMENTS } from './element-judge.js';
import type { Method } from './methods.js';
import { relativeDifference, relativeDifferenceOver } from './norms.js';
import { RunningDifference } from './running-difference.js';
import type { CheckProgress, ParamResult, ParamVerdict } from './report.js';
import { worstOf } from './worst.js';
import { f64Views, ownAll } from '../core/alloc.js';

/** One param under check: its live data, its analytic gradient, and the estimate being filled. */
export interface Target {
  name: string;
  shape: number[];
  data: Float64Array;
  analytic: Float64Array;
  numeric: Float64Array;
  /** Elements estimated so far: they are estimated in order, so these are the first ones. */
  checked: number;
  /** Element verdicts (method auto); null for method seed. */
  judge: ElementJudge | null;
}

export function targetsOf(plan: Plan, gradients: Map<string, { data: Float64Array }>, method: Method, j0: number, only?: readonly string[]): Target[] {
  for (const name of only ?? []) {
    if (!plan.leaves.some((l) => l.kind === 'param' && l.name === name)) errors.unknownParam(name);
  }
  const targets: Target[] = [];
  for (const leaf of plan.leaves) {
    if (leaf.kind !== 'param' || (only && !only.includes(leaf.name))) continue;
    const { name, value: { shape, data } } = leaf;
    // numeric: made by the element-wise check, if one runs (directions need none: a copy of the param saved).
    targets.push({ name, shape: [...shape], data, analytic: gradients.get(name)!.data, numeric: NO_ESTIMATES, checked: 0, judge: method.judged ? new ElementJudge(data.length, j0, method.threshold) : null });
  }
  return targets;
}

/** A target's estimates before any are made (empty: nothing can be written into it). */
const NO_ESTIMATES = new Float64Array(0);

/** Evaluations the params' check has used so far (both passes). */
export const paramEvaluations = (targets: Target[], refined: number) => 2 * targets.reduce((n, t) => n + t.checked, 0) + 2 * refined;

/** A pass's first batch of replays, about this long by a forward pass's time (see firstBatchFor). */
const FIRST_BATCH_SECONDS = 1e-3;

/**
 * The first batch of a pass: the replays a forward pass of `forwardSeconds` says take about a
 * millisecond (a power of two, 2 to 1024; 2 when the time is not known). A replay costs at
 * most a forward pass, so the first values still come within a millisecond or so, and
 * unsubscribing stops the replays within as much; a cheap check then pays for one emission a
 * pass, not one per doubling from 2 (each goes through the stream's operators).
 */
export function firstBatchFor(forwardSeconds: number): number {
  if (!(forwardSeconds > 0)) return 2;
  return Math.min(1024, Math.max(2, 2 ** Math.floor(Math.log2(FIRST_BATCH_SECONDS / forwardSeconds))));
}

/**
 * Streams progress while filling each target's `numeric` (and judging it, for method auto).
 * `forwardSeconds`, one forward pass's time, sizes each pass's first batch (firstBatchFor).
 */
export function estimateParams(plan: Plan, baseline: Values, targets: Target[], method: Method, options: ReplayOptions, counts: { refined: number }, forwardSeconds = 0): Observable<CheckProgress> {
  const started = performance.now();
  // Closure state: evaluations planned (grows as each later pass is known) and done, and the running difference.
  let planned = 2 * targets.reduce((n, t) => n + t.data.length, 0);
  let done = 0;
  const running = new RunningDifference();
  // Closure state: the element replayer the passes share (its buffers and native chain made once,
  // at the first replay), let go when they end.
  let replayer: Replayer | undefined;
  const shared = { ...options, firstBatch: firstBatchFor(forwardSeconds), replayer: () => (replayer ??= new Replayer(plan, baseline, options.incremental ?? true)) };
  // The estimates, handed out in the report: views of one buffer, made once.
  const unmade = targets.filter((t) => t.numeric.length !== t.data.length);
  const views = f64Views(unmade.map((t) => t.data.length));
  for (let k = 0; k < unmade.length; k++) unmade[k].numeric = views[k];
  /**
   * The pass over `steps`: each batch's values paired into central differences for `onPair`,
   * then progress. The driver hands its batches straight to this one operator (replayInto):
   * with the stream's map and filter, a cheap check's pass paid for two subscribers more.
   */
  const pairs = (steps: ElementSteps<Target>, onPair: (t: Target, index: number, step: number, plus: number, minus: number) => void) =>
    new Observable<CheckProgress>((subscriber) => {
      // Closure state: the +h value of a pair whose −h is in the next batch.
      let plus = NaN;
      return replayInto(
        plan,
        baseline,
        steps,
        shared,
        new SinkTo(subscriber, ({ start, values }) => {
          let param = '';
          for (let i = 0; i < values.length; i++) {
            if ((start + i) % 2 === 0) {
              plus = values[i];
              continue;
            }
            steps.locate(start + i - 1);
            onPair(steps.target, steps.index, steps.step, plus, values[i]);
            param = steps.target.name;
            done += 2;
          }
          // A batch that ends on a +h settles no pair: nothing new to tell.
          if (param === '') return;
          const eta = ((performance.now() - started) / 1000 / Math.max(done, 1)) * (planned - done);
          subscriber.next({ type: 'progress', done, total: planned, param, difference: running.value(), eta });
        }),
      );
    });

  const first = pairs(new ElementSteps(targets, (t, i) => method.step(t.data[i])), (t, i, h, plus, minus) => {
    const a = t.analytic[i];
    t.numeric[i] = t.judge ? t.judge.first(i, a, t.data[i], h, plus, minus) : method.derivative(plus, minus, t.data[i], h);
    t.checked = i + 1;
    running.add(a, t.numeric[i]);
  });
  // The passes after the first, at h/2 (and for failures near a kink, h/16 and h/32), each over
  // the elements still undecided when it starts.
  const refinement = (pass: number): Observable<CheckProgress> =>
    defer(() => {
      const refine = targets.map((t) => t.judge?.toRefine() ?? []);
      const count = refine.reduce((n, r) => n + r.length, 0);
      if (pass >= REFINEMENTS.length || count === 0) return EMPTY;
      counts.refined += count;
      planned += 2 * count;
      const steps = new ElementSteps(targets, (t, i) => method.step(t.data[i]) * REFINEMENTS[pass], refine);
      const estimates = pairs(steps, (t, i, step, plus, minus) => {
        t.numeric[i] = t.judge!.refine(i, t.analytic[i], t.data[i], step, plus, minus);
      });
      return concat(estimates, refinement(pass + 1));
    });
  return concat(first, refinement(0)).pipe(finalize(() => (replayer = undefined)));
}

/** Per-param figures over the elements checked (all of them, unless the check was stopped). */
export function paramResults(targets: Target[], method: Method): { params: ParamResult[]; difference: number } {
  // (A subarray costs a few hundred nanoseconds: a whole param, the usual case, goes as it is.)
  const checkedPart = (t: Target, key: 'analytic' | 'numeric') => (t.checked === t[key].length ? t[key] : t[key].subarray(0, t.checked));
  const analytic = ownAll(targets.map((t) => t.analytic));
  const params = targets.map((t, k): ParamResult => {
    const difference = relativeDifference(checkedPart(t, 'analytic'), checkedPart(t, 'numeric'));
    const { name, shape, checked, numeric, judge } = t;
    const failing = judge ? judge.count('fail') : 0;
    const failed = judge ? failing > 0 : !(difference < method.threshold);
    // Not every element settled (a stop came first): no verdict for the param, unless one failed.
    const settled = checked === t.data.length && !(judge && judge.toRefine().length > 0);
    const verdict: ParamVerdict = failed ? 'fail' : settled || t.data.length === 0 ? 'pass' : 'unchecked';
    const result: ParamResult = { name, shape, verdict, difference, checked, worst: worstOf(analytic[k], numeric, shape, checked), analytic: analytic[k], numeric };
    // Method auto's counts (fields set one by one: object spreads cost, once per param of every check).
    if (judge) {
      result.failing = failing;
      result.nondifferentiable = judge.count('nondifferentiable');
      result.margin = judge.margin;
      const undecided = judge.undecided(checked);
      if (undecided > 0) result.undecided = undecided;
    }
    return result;
  });
  return { params, difference: relativeDifferenceOver(targets.map((t) => [checkedPart(t, 'analytic'), checkedPart(t, 'numeric')] as const)) };
}
