/**
 * The element-wise check of params: +h then −h for each element of each param, replayed by the
 * perturbation driver, paired into central differences as they stream in.
 */
import { bufferCount, map, type Observable } from 'rxjs';
import type { Plan } from '../engine/plan.js';
import type { Values } from '../engine/forward.js';
import { replay, type Perturbation, type ReplayOptions } from '../engine/replay.js';
import type { Method } from './methods.js';
import { relativeDifference } from './norms.js';
import { RunningDifference } from './running-difference.js';
import type { CheckProgress, ParamResult, Verdict } from './report.js';
import { worstOf } from './worst.js';

/** One param under check: its live data, its analytic gradient, and the estimate being filled. */
export interface Target {
  name: string;
  shape: number[];
  data: Float64Array;
  analytic: Float64Array;
  numeric: Float64Array;
  /** Elements estimated so far: they are estimated in order, so these are the first ones. */
  checked: number;
}

export function targetsOf(plan: Plan, gradients: Map<string, { data: Float64Array }>, only?: readonly string[]): Target[] {
  return plan.leaves
    .filter((leaf) => leaf.kind === 'param' && (!only || only.includes(leaf.name)))
    .map(({ name, value: { shape, data } }) => ({ name, shape: [...shape], data, analytic: gradients.get(name)!.data, numeric: new Float64Array(data.length), checked: 0 }));
}

/** Streams one progress event per element while filling each target's `numeric`. */
export function estimateParams(plan: Plan, baseline: Values, targets: Target[], method: Method, options: ReplayOptions): Observable<CheckProgress> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const perturbations: Perturbation[] = [];
  for (const { name, data } of targets) {
    for (let index = 0; index < data.length; index++) {
      const h = method.step(data[index]);
      perturbations.push({ param: name, index, step: h }, { param: name, index, step: -h });
    }
  }
  const started = performance.now();
  // Closure state: the difference over the elements estimated so far, for progress.
  const running = new RunningDifference();
  return replay(plan, baseline, perturbations, options).pipe(
    bufferCount(2),
    map(([plus, minus]): CheckProgress => {
      const { param, index, step } = plus.perturbation;
      const target = byName.get(param)!;
      const numeric = method.derivative(plus.value, minus.value, target.data[index], step);
      target.numeric[index] = numeric;
      target.checked = index + 1;
      running.add(target.analytic[index], numeric);
      const elapsed = (performance.now() - started) / 1000;
      const eta = (elapsed / minus.done) * (minus.total - minus.done);
      return { type: 'progress', done: minus.done, total: minus.total, param, difference: running.value(), eta };
    }),
  );
}

/** Per-param figures over the elements checked (all of them, unless the check was stopped). */
export function paramResults(targets: Target[], method: Method): { params: ParamResult[]; difference: number } {
  const verdictOf = (d: number): Verdict => (d < method.threshold ? 'pass' : 'fail');
  const checkedPart = (t: Target, key: 'analytic' | 'numeric') => t[key].subarray(0, t.checked);
  const params = targets.map((t): ParamResult => {
    const difference = relativeDifference(checkedPart(t, 'analytic'), checkedPart(t, 'numeric'));
    const { name, shape, checked, analytic, numeric } = t;
    return { name, shape, verdict: verdictOf(difference), difference, checked, worst: worstOf(analytic, numeric, shape, checked), analytic, numeric };
  });
  const concatenated = (key: 'analytic' | 'numeric') => Float64Array.from(targets.flatMap((t) => [...checkedPart(t, key)]));
  return { params, difference: relativeDifference(concatenated('analytic'), concatenated('numeric')) };
}
