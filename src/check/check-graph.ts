/**
 * The whole-graph check: the backward pass's gradient of every param against central
 * differences of the objective, element by element. `checkGraph$` streams progress and ends
 * with the report; `checkGraph` runs the same stream synchronously and returns the report.
 */
import { bufferCount, concat, defer, map, NEVER, of, takeUntil, type Observable } from 'rxjs';
import type { Graph } from '../core/graph.js';
import type { Op } from '../core/op.js';
import { unravel } from '../core/tensor.js';
import { compile, type Plan } from '../engine/plan.js';
import { forwardGuarded } from '../engine/forward.js';
import { backward, paramGradients } from '../engine/backward.js';
import { replay, type Perturbation, type ReplayOptions } from '../engine/replay.js';
import { OpRegistry } from '../ops/registry.js';
import { methodOf, type Method, type MethodName, type MethodOverrides } from './methods.js';
import { relativeDifference } from './norms.js';
import { RunningDifference } from './running-difference.js';
import type { CheckEvent, CheckReport, ParamResult, Verdict, WorstElement } from './report.js';

export interface CheckOptions extends MethodOverrides, ReplayOptions {
  method?: MethodName;
  /** The ops the graph may use; by default the built-ins plus `ops`. */
  registry?: OpRegistry;
  /** User ops to add to the built-ins (ignored when `registry` is given). */
  ops?: readonly Op[];
  /** Check only these params (default: all). */
  params?: readonly string[];
  /** Stop replaying when this emits (say, on Ctrl-C) and report on the elements checked so far. */
  until?: Observable<unknown>;
}

/** One param under check: its live data, its analytic gradient, and the estimate being filled. */
interface Target {
  name: string;
  shape: number[];
  data: Float64Array;
  analytic: Float64Array;
  numeric: Float64Array;
  /** Elements estimated so far: they are estimated in order, so these are the first ones. */
  checked: number;
}

export function registryFor(options: Pick<CheckOptions, 'registry' | 'ops'>): OpRegistry {
  if (options.registry) return options.registry;
  const registry = new OpRegistry();
  for (const op of options.ops ?? []) registry.register(op, 'the options given to the check');
  return registry;
}

export function checkGraph$(graph: Graph, options: CheckOptions = {}): Observable<CheckEvent> {
  return defer(() => {
    const plan = compile(graph, registryFor(options));
    const started = performance.now();
    const method = methodOf(options.method, options);
    const forward = forwardGuarded(plan);
    const targets = targetsOf(plan, paramGradients(plan, backward(plan, forward, { guard: true })), options.params);
    const perturbations = perturbationsOf(targets, method);
    // Closure state: the difference over the elements estimated so far, for progress.
    const running = new RunningDifference();
    const estimates = replay(plan, forward.values, perturbations, options).pipe(
      bufferCount(2),
      map(([plus, minus]): CheckEvent => {
        const { param, index, step } = plus.perturbation;
        const target = targets.get(param)!;
        const numeric = method.derivative(plus.value, minus.value, target.data[index], step);
        target.numeric[index] = numeric;
        target.checked = index + 1;
        running.add(target.analytic[index], numeric);
        const elapsed = (performance.now() - started) / 1000;
        const eta = minus.done > 0 ? (elapsed / minus.done) * (minus.total - minus.done) : null;
        return { type: 'progress', done: minus.done, total: minus.total, param, difference: running.value(), eta };
      }),
      takeUntil(options.until ?? NEVER),
    );
    const finish = defer(() => {
      const objective = forward.values[plan.objective].data[0];
      const seconds = (performance.now() - started) / 1000;
      const evaluations = 1 + 2 * [...targets.values()].reduce((n, t) => n + t.checked, 0);
      const report = reportOf([...targets.values()], method, objective, evaluations, seconds);
      return of<CheckEvent>({ type: 'report', report });
    });
    return concat(estimates, finish);
  });
}

/** The check run synchronously to its report (errors are thrown). */
export function checkGraph(graph: Graph, options: CheckOptions = {}): CheckReport {
  let report: CheckReport | undefined;
  let failure: { error: unknown } | undefined;
  checkGraph$(graph, { ...options, scheduler: undefined }).subscribe({
    next: (event) => {
      if (event.type === 'report') report = event.report;
    },
    error: (error) => (failure = { error }),
  });
  if (failure) throw failure.error;
  return report!;
}

function targetsOf(plan: Plan, gradients: Map<string, { data: Float64Array }>, only?: readonly string[]): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const leaf of plan.leaves) {
    if (leaf.kind !== 'param' || (only && !only.includes(leaf.name))) continue;
    const { shape, data } = leaf.value;
    targets.set(leaf.name, { name: leaf.name, shape: [...shape], data, analytic: gradients.get(leaf.name)!.data, numeric: new Float64Array(data.length), checked: 0 });
  }
  return targets;
}

/** +h then −h for each element of each param, in order. */
function perturbationsOf(targets: Map<string, Target>, method: Method): Perturbation[] {
  const out: Perturbation[] = [];
  for (const { name, data } of targets.values()) {
    for (let index = 0; index < data.length; index++) {
      const h = method.step(data[index]);
      out.push({ param: name, index, step: h }, { param: name, index, step: -h });
    }
  }
  return out;
}

function worstOf(t: Target): WorstElement | null {
  let worst = -1;
  let gap = -1;
  for (let i = 0; i < t.checked; i++) {
    const g = Math.abs(t.analytic[i] - t.numeric[i]);
    if (g > gap || Number.isNaN(g)) [worst, gap] = [i, Number.isNaN(g) ? Infinity : g];
  }
  return worst < 0 ? null : { index: unravel(worst, t.shape), analytic: t.analytic[worst], numeric: t.numeric[worst] };
}

function reportOf(targets: Target[], method: Method, objective: number, evaluations: number, seconds: number): CheckReport {
  const verdictOf = (d: number): Verdict => (d < method.threshold ? 'pass' : 'fail');
  // Figures cover the elements checked: all of them, unless the check was stopped early.
  const checkedPart = (t: Target, key: 'analytic' | 'numeric') => t[key].subarray(0, t.checked);
  const params: ParamResult[] = targets.map((t) => {
    const difference = relativeDifference(checkedPart(t, 'analytic'), checkedPart(t, 'numeric'));
    const { name, shape, checked, analytic, numeric } = t;
    return { name, shape, verdict: verdictOf(difference), difference, checked, worst: worstOf(t), analytic, numeric };
  });
  const concatenated = (key: 'analytic' | 'numeric') => Float64Array.from(targets.flatMap((t) => [...checkedPart(t, key)]));
  const difference = relativeDifference(concatenated('analytic'), concatenated('numeric'));
  const complete = targets.every((t) => t.checked === t.data.length);
  return { method: method.name, mode: 'graph', verdict: verdictOf(difference), complete, difference, threshold: method.threshold, objective, evaluations, seconds, params };
}
