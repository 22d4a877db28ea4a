/**
 * gradproof's side of a row, run in a fresh worker process (so its peak RSS is the row's own):
 * the check `runs` times, whole or (big cases) sampled and extrapolated, and one forward pass
 * timed on its own to express the check's cost in forward-pass equivalents.
 */
import { Subject } from 'rxjs';
import { checkGraph, checkGraph$, OpRegistry, relativeDifference, type CheckReport, type Graph, type Op } from '../../src/index.js';
import { compile } from '../../src/engine/plan.js';
import { forwardGuarded, leafValues, replayObjective } from '../../src/engine/forward.js';
import { buildGraph, loadCase, type Variant } from './cases.js';
import { estimateNodesPhase, type NodesPhaseEstimate } from './nodes-estimate.js';
import { peakRssMb, rssMb, secondsPerCall, spread, type Spread } from './timing.js';

export type Mode = 'graph' | 'auto';

export interface WorkerSpec {
  file: string;
  variant: Variant;
  mode: Mode;
  runs: number;
  /** null: the whole check; otherwise each param is checked on its first elements for about `seconds`. */
  sample: { seconds: number; maxElements: number } | null;
}

export interface ParamSample {
  name: string;
  size: number;
  checked: number;
  secondsPerElement: number;
  /** Share of the sampled elements that method auto's second pass would take again (extrapolated). */
  refineShare: number;
  /** The difference over this param's sampled elements. */
  difference: number;
}

interface SampledRun {
  seconds: number;
  params: ParamSample[];
  evaluations: number;
  fixed: number;
  difference: number;
  verdict: 'pass' | 'fail';
}

export interface WorkerResult {
  seconds: Spread;
  evaluations: number;
  verdict: string;
  difference: number | null;
  extrapolated: boolean;
  samples?: ParamSample[][];
  nodesPhase?: NodesPhaseEstimate;
  forward: Spread;
  guardedForward: Spread;
  rssBeforeCheckMb: number;
  peakRssMb: number;
}

const registryOf = (ops: readonly Op[]): OpRegistry => {
  const registry = new OpRegistry();
  for (const op of ops) registry.register(op, 'graphs/ops/seed-bugs.ts');
  return registry;
};

/**
 * One check run sampled param by param (`params: [name]`, stopped through `until` after the first
 * elements), its time extrapolated to every element. Stopping cuts method auto's second pass
 * (h/2, for elements the first could not settle), so the sampled verdict is: fail when the judge
 * already failed an element, else the difference over the sampled elements against the method's
 * threshold; and the second pass's cost is extrapolated from the share of sampled elements whose
 * estimate is off by more than that threshold (the ones it would refine).
 */
function sampledRun(graph: Graph, ops: readonly Op[], spec: WorkerSpec): SampledRun {
  const { seconds: budget, maxElements } = spec.sample!;
  const names = graph.leaves.filter((l) => l.kind === 'param').map((l) => l.name);
  const params: ParamSample[] = [];
  const analytic: number[] = [];
  const numeric: number[] = [];
  let threshold = NaN;
  let judgedFail = false;
  // What a whole run spends outside its elements (forward, backward, perturbation list, the
  // difference): taken from the run of the largest param, which builds most of that list.
  let fixed = 0;
  for (const name of names) {
    const stop = new Subject<void>();
    let first = 0;
    let last = 0;
    let checked = 0;
    let report: CheckReport | undefined;
    checkGraph$(graph, { method: 'auto', mode: spec.mode, ops, params: [name], until: stop }).subscribe({
      next: (event) => {
        if (event.type === 'report') return void (report = event.report);
        last = performance.now();
        if (checked++ === 0) first = last;
        if (checked >= maxElements || last - first >= budget * 1000) stop.next();
      },
      error: (e) => {
        throw e;
      },
    });
    const p = report!.params[0];
    const size = p.analytic.length;
    // Per element: the spacing of progress events after the first (which also carries the setup).
    // A one-element param takes the rate of the param before it (its layer's W: same downstream).
    const rate = checked >= 2 ? (last - first) / 1000 / (checked - 1) : (params[params.length - 1]?.secondsPerElement ?? 0);
    if (params.every((q) => q.size <= size)) fixed = Math.max(0, report!.seconds - rate * checked);
    threshold = report!.threshold;
    judgedFail ||= (p.failing ?? 0) > 0;
    let unsure = 0;
    for (let i = 0; i < p.checked; i++) {
      analytic.push(p.analytic[i]);
      numeric.push(p.numeric[i]);
      if (Math.abs(p.analytic[i] - p.numeric[i]) > threshold * (Math.abs(p.analytic[i]) + Math.abs(p.numeric[i]))) unsure++;
    }
    params.push({ name, size, checked: p.checked, secondsPerElement: rate, refineShare: unsure / Math.max(1, p.checked), difference: p.difference });
  }
  const difference = relativeDifference(analytic, numeric);
  const perElement = (q: ParamSample) => q.secondsPerElement * q.size * (1 + q.refineShare);
  return {
    seconds: fixed + params.reduce((s, q) => s + perElement(q), 0),
    params,
    evaluations: 1 + params.reduce((n, q) => n + 2 * q.size * (1 + q.refineShare), 0),
    fixed,
    difference,
    verdict: judgedFail || !(difference < threshold) ? 'fail' : 'pass',
  };
}

export function runWorker(spec: WorkerSpec): WorkerResult {
  const values = loadCase(spec.file);
  const { graph, ops } = buildGraph(values, spec.variant);
  const plan = compile(graph, registryOf(ops));
  // One forward pass as the check's replays run it (unguarded, every node), and the guarded
  // first pass for contrast.
  const forward = secondsPerCall(() => replayObjective(plan, leafValues(plan), plan.nodes));
  const guardedForward = secondsPerCall(() => forwardGuarded(plan), { minRuns: 5 });
  const rssBeforeCheckMb = rssMb();

  if (!spec.sample) {
    const reports = Array.from({ length: spec.runs }, () => checkGraph(graph, { method: 'auto', mode: spec.mode, ops }));
    const last = reports[reports.length - 1];
    const verdicts = new Set(reports.map((r) => r.verdict));
    // For comparison with the real nodes phase (big cases only get the estimate).
    const nodesPhase = spec.mode === 'auto' && last.nodes ? estimateNodesPhase(plan) : undefined;
    return {
      seconds: spread(reports.map((r) => r.seconds)),
      evaluations: last.evaluations,
      verdict: verdicts.size === 1 ? last.verdict : `mixed (${[...verdicts].join('/')})`,
      difference: last.difference,
      extrapolated: false,
      ...(nodesPhase ? { nodesPhase } : {}),
      forward,
      guardedForward,
      rssBeforeCheckMb,
      peakRssMb: peakRssMb(),
    };
  }

  const runs = Array.from({ length: spec.runs }, () => sampledRun(graph, ops, spec));
  const verdicts = new Set(runs.map((r) => r.verdict));
  const failed = verdicts.has('fail');
  // Mode auto goes on to check every node's rule when the graph check fails: estimated, not run.
  const nodesPhase = spec.mode === 'auto' && failed ? estimateNodesPhase(plan) : undefined;
  return {
    seconds: spread(runs.map((r) => r.seconds + (nodesPhase?.seconds ?? 0))),
    evaluations: runs[0].evaluations + (nodesPhase?.evaluations ?? 0),
    verdict: verdicts.size === 1 ? runs[0].verdict : `mixed (${[...verdicts].join('/')})`,
    difference: runs[0].difference,
    extrapolated: true,
    samples: runs.map((r) => r.params),
    ...(nodesPhase ? { nodesPhase } : {}),
    forward,
    guardedForward,
    rssBeforeCheckMb,
    peakRssMb: peakRssMb(),
  };
}
