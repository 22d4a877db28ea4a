/**
 * Checking a graph. Mode `graph`: the backward pass's gradient of every param against central
 * differences of the objective, element by element. Mode `nodes`: every node's rule on its own
 * (check-nodes.ts). Mode `auto`: the graph first and, when it fails, the nodes, to say which
 * rule is wrong. `checkGraph$` streams progress and ends with the report; `checkGraph` runs the
 * same stream synchronously and returns the report.
 */
import { asyncScheduler, concat, defer, EMPTY, filter, lastValueFrom, map, of, takeUntil, tap, type Observable } from 'rxjs';
import type { Graph } from '../core/graph.js';
import type { Op } from '../core/op.js';
import { compile, type PlanNode } from '../engine/plan.js';
import { forwardGuarded, leafValues, replayObjective } from '../engine/forward.js';
import { backward, paramGradients } from '../engine/backward.js';
import type { ReplayOptions } from '../engine/replay.js';
import { OpRegistry } from '../ops/registry.js';
import { methodOf, type MethodName, type MethodOverrides } from './methods.js';
import { nodeStage } from './check-nodes.js';
import { norm2, relativeDifference } from './norms.js';
import { directionalStage } from './directional-stage.js';
import { budgetOf } from './budget.js';
import { estimateParams, paramEvaluations, paramResults, targetsOf } from './param-check.js';
import type { CheckEvent, CheckMode, CheckReport } from './report.js';

export interface CheckOptions extends MethodOverrides, ReplayOptions {
  method?: MethodName;
  /** What is checked (default `auto`: the graph, then the nodes when it fails). */
  mode?: CheckMode;
  /** The ops the graph may use; by default the built-ins plus `ops`. */
  registry?: OpRegistry;
  /** User ops to add to the built-ins (ignored when `registry` is given). */
  ops?: readonly Op[];
  /** Check only these params (default: all). */
  params?: readonly string[];
  /** Stop replaying when this emits (say, on Ctrl-C) and report on the elements checked so far. */
  until?: Observable<unknown>;
  /** Seed for everything random in the check (directions, the node checks' cotangents). */
  seed?: number;
  /** Check every element of every param, never along directions (the seed's way, PyTorch's slow mode). */
  full?: boolean;
  /**
   * Seconds that localising may spend on one param or node input element by element (default:
   * 1 s, or 20 forward passes on a slow model); beyond it, directions are used.
   */
  budget?: number;
}

/** `events` until `until` emits (without one, as they are: an operator less on a cheap check's way). */
const untilStopped = <T>(events: Observable<T>, until: Observable<unknown> | undefined): Observable<T> => (until ? events.pipe(takeUntil(until)) : events);

export function registryFor(options: Pick<CheckOptions, 'registry' | 'ops'>): OpRegistry {
  if (options.registry) return options.registry;
  const registry = new OpRegistry();
  for (const op of options.ops ?? []) registry.register(op, 'the options given to the check');
  return registry;
}

export function checkGraph$(graph: Graph, options: CheckOptions = {}): Observable<CheckEvent> {
  return defer(() => {
    const mode = options.mode ?? 'auto';
    const plan = compile(graph, registryFor(options));
    const started = performance.now();
    const method = methodOf(options.method, options);
    const forward = forwardGuarded(plan);
    const grads = backward(plan, forward, { guard: true });
    const objective = forward.values[plan.objective].data[0];
    // One plain forward pass, timed, as the unit of the report's forwardEquivalents (its time is
    // not counted in the check's).
    const timing = performance.now();
    replayObjective(plan, leafValues(plan), plan.nodes);
    const forwardSeconds = (performance.now() - timing) / 1000;
    const targets = mode === 'nodes' ? [] : targetsOf(plan, paramGradients(plan, grads), method, objective, options.params);
    // The nodes' gradients serve the node checks alone, which mode graph never runs: let them go
    // (the params' stay with the targets).
    const nodeGrads = mode === 'graph' ? null : grads;
    const counts = { refined: 0 };
    // Method seed replays every node in full, as the assignment does, so its figures are its own.
    const replayOptions = { ...options, incremental: options.incremental ?? method.name !== 'seed' };
    // Mode auto with method auto judges along random directions first (directional-stage.ts).
    const budget = budgetOf(forward, options.full, options.budget);
    const stage = mode === 'auto' && method.judged && !options.full && targets.length > 0 ? directionalStage(plan, forward.values, targets, method, options.seed ?? 0, objective, replayOptions, budget) : null;
    const elementwise = defer(() => (targets.length === 0 ? EMPTY : estimateParams(plan, forward.values, targets, method, replayOptions, counts, forwardSeconds)));
    // Closure state: the evaluations the params' check reported last, where node progress goes on.
    let doneByParams = 0;
    const estimates = untilStopped(stage ? stage.events : elementwise, options.until).pipe(tap((e) => (doneByParams = e.done)));

    // What the params' check found, worked out once when it ends (or is stopped).
    let graphOutcome: ReturnType<typeof summarise> | undefined;
    const summarise = () => {
      const outcome = stage?.finish();
      if (outcome) {
        const settled = outcome.directions.filter((d) => d.status !== 'pending');
        const difference = relativeDifference(settled.map((d) => d.analytic), settled.map((d) => d.numeric));
        return { outcome, params: outcome.params, difference, complete: outcome.complete, graphFails: outcome.graphFails };
      }
      const { params, difference } = paramResults(targets, method);
      const complete = targets.every((t) => t.checked === t.data.length && !t.judge?.toRefine().length);
      // Method auto fails on any element outside its error bound; method seed on the difference.
      const graphFails = method.judged ? params.some((p) => p.verdict === 'fail') : !(difference < method.threshold);
      return { outcome, params, difference, complete, graphFails };
    };
    const graphResult = () => (graphOutcome ??= summarise());

    // Mode auto checks every node when the graph fails, to say which rule is wrong; and, when
    // it passes, the nodes whose upstream gradient is zero, where a wrong rule hides from it.
    let nodeChecks: ReturnType<typeof nodeStage> | undefined;
    const nodeEvents = defer(() => {
      const { complete, graphFails } = graphResult();
      if (!nodeGrads) return EMPTY;
      const hidden = (node: PlanNode) => !nodeGrads[node.slot] || norm2(nodeGrads[node.slot]!.data) === 0;
      const wantNodes = mode === 'nodes' || (mode === 'auto' && complete && (graphFails || plan.nodes.some(hidden)));
      if (!wantNodes) return EMPTY;
      nodeChecks = nodeStage(plan, forward.values, nodeGrads, method, options.seed ?? 0, budget, mode === 'nodes' || graphFails ? undefined : hidden, options.scheduler, doneByParams);
      return untilStopped(nodeChecks.events, options.until);
    });

    const finish = defer(() => {
      const { outcome, params, difference, graphFails, complete: paramsComplete } = graphResult();
      const nodes = nodeChecks?.finish();
      const complete = paramsComplete && (nodes?.complete ?? true);
      const nodesFail = nodes?.results.some((n) => n.verdict === 'fail') ?? false;
      const seconds = (performance.now() - started) / 1000 - forwardSeconds;
      const evaluations = 1 + (outcome?.evaluations ?? paramEvaluations(targets, counts.refined)) + (nodes?.evaluations ?? 0);
      const report: CheckReport = {
        method: method.name,
        mode,
        verdict: (mode === 'nodes' ? nodesFail : graphFails || nodesFail) ? 'fail' : complete ? 'pass' : 'incomplete',
        complete,
        difference: mode === 'nodes' ? (nodes?.difference ?? 0) : difference,
        threshold: method.threshold,
        objective,
        evaluations,
        seconds,
        forwardEquivalents: seconds / Math.max(forwardSeconds, 1e-9),
        params,
        ...(outcome ? { directions: outcome.directions } : {}),
        ...(nodes ? { nodes: nodes.results } : {}),
      };
      return of<CheckEvent>({ type: 'report', report });
    });
    return concat(estimates, nodeEvents, finish);
  });
}

/**
 * The check run in slices that yield to the event loop, to its report; large element-wise
 * checks use worker threads (ReplayOptions.workers).
 */
export function checkGraphAsync(graph: Graph, options: CheckOptions = {}): Promise<CheckReport> {
  const report = checkGraph$(graph, { scheduler: asyncScheduler, ...options }).pipe(
    filter((e): e is Extract<CheckEvent, { type: 'report' }> => e.type === 'report'),
    map((e) => e.report),
  );
  return lastValueFrom(report);
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
