/**
 * gradproof's side of a row, run in a fresh worker process (so its peak RSS is the row's own):
 * the check run whole, several times; or, for an element-wise check of a big case, timed on a
 * sample first and run whole only when the sample puts it under `fullUnderSeconds` (else the
 * row is the extrapolation). And one forward pass timed on its own, to express the check's cost
 * in forward-pass equivalents.
 */
import { Subject } from 'rxjs';
import { checkGraph, checkGraph$, checkGraphAsync, OpRegistry, type CheckOptions, type CheckReport, type Graph, type Op } from '../../src/index.js';
import { compile, type Plan } from '../../src/engine/plan.js';
import { forwardGuarded, leafValues, replayObjective } from '../../src/engine/forward.js';
import { buildGraph, loadCase, SEED_BUGS_MODULE, shrunkCase, type Variant } from './cases.js';
import { sampledRun, type ParamSample, type SampleOptions } from './sample.js';
import { pinMainThread } from './pin.js';
import { peakRssMb, rssMb, secondsPerCall, since, spread, type Spread } from './timing.js';
import { liveMemory, type MemoryFigures } from './memory.js';

/** graph: every element of every param (`full`); auto: gradproof's default verdict. */
export type Mode = 'graph' | 'auto';

export interface WorkerSpec {
  file: string;
  variant: Variant;
  mode: Mode;
  /** 1: the synchronous checkGraph; more: checkGraphAsync with that many worker threads. */
  threads: number;
  /** Seconds of untimed checks first, so the timed runs meet optimised code, not V8's first tiers. */
  warmupSeconds: number;
  /** Runs at least; cheap checks are repeated until `minSeconds` of checking (at most 50 runs). */
  runs: number;
  minSeconds: number;
  /** No further run starts when it would likely end past this many seconds of checking. */
  budgetSeconds: number;
  /** Big cases, mode graph: sample first; run whole when the estimate is at most `fullUnderSeconds`. */
  sample: (SampleOptions & { fullUnderSeconds: number }) | null;
  /** The CPU the worker's main thread runs on (pin.ts), or null. */
  cpu: number | null;
  /** Read the check's live memory and nothing else (a process of its own: speed/memory.ts). */
  memoryOnly?: boolean;
  /** For memoryOnly: the timed runs' guarded forward pass (seconds) and evaluations (see memoryWorker). */
  timedForwardSeconds?: number;
  timedEvaluations?: number;
}

export interface WorkerResult {
  seconds: Spread;
  evaluations: number;
  verdict: string;
  difference: number | null;
  extrapolated: boolean;
  /** The sample's estimate of the whole check, when a sample was taken (run whole or not). */
  sampledEstimate?: Spread;
  samples?: ParamSample[][];
  forward: Spread;
  /** Each timed run's seconds over one forward pass timed right before it (whole runs only). */
  forwardEquivalents?: Spread;
  guardedForward: Spread;
  rssBeforeCheckMb: number;
  peakRssMb: number;
  /**
   * The check's peak live memory (one-thread rows; null on threaded rows, whose threads hold
   * their own), read by the parent in a process of its own (bench/run.ts, memoryOf).
   */
  memory: MemoryFigures | null;
  /** Set by the parent when the row ran in several processes (bench/run.ts, workers): seconds are the median of theirs. */
  processes?: number;
  /** Set by the parent when the worker was stopped at its time limit: no figures but this. */
  unfinishedAfter?: number;
}

const registryOf = (ops: readonly Op[]): OpRegistry => {
  const registry = new OpRegistry();
  for (const op of ops) registry.register(op, SEED_BUGS_MODULE, SEED_BUGS_MODULE);
  return registry;
};

const oneVerdict = (verdicts: readonly string[]): string => {
  const set = new Set(verdicts);
  return set.size === 1 ? verdicts[0] : `mixed (${[...set].join('/')})`;
};

const optionsOf = (registry: OpRegistry, spec: WorkerSpec): CheckOptions => ({ method: 'auto', mode: spec.mode, registry, ...(spec.mode === 'graph' ? { full: true } : {}) });

const checkOnce = (graph: Graph, registry: OpRegistry, spec: WorkerSpec): Promise<CheckReport> | CheckReport => {
  const options = optionsOf(registry, spec);
  return spec.threads > 1 ? checkGraphAsync(graph, { ...options, workers: spec.threads }) : checkGraph(graph, options);
};

/**
 * The timed runs, each with one forward pass's time taken right before it (`forward`: the median
 * of 5 passes), so that a run's forward-pass equivalents divide two times of the same moment:
 * the machine's speed drifts by up to 1.6× over minutes.
 */
async function wholeRuns(graph: Graph, registry: OpRegistry, spec: WorkerSpec, maxRuns: number, forward: () => unknown): Promise<{ reports: CheckReport[]; equivalents: number[] }> {
  const warmup = performance.now();
  while (since(warmup) < spec.warmupSeconds) await checkOnce(graph, registry, spec);
  const reports: CheckReport[] = [];
  const equivalents: number[] = [];
  const started = performance.now();
  const more = () => reports.length < spec.runs || since(started) < spec.minSeconds;
  const affordable = () => reports.length === 0 || since(started) * (1 + 1 / reports.length) <= spec.budgetSeconds;
  while (reports.length < maxRuns && more() && affordable()) {
    const pass = secondsPerCall(forward, { minRuns: 5, minSeconds: 0 }).median;
    const report = await checkOnce(graph, registry, spec);
    reports.push(report);
    equivalents.push(report.seconds / pass);
  }
  return { reports, equivalents };
}

/**
 * The memory process's work (spec.memoryOnly): one untimed check, so that every function the
 * check calls has its bytecode, then the check's live memory read in three runs (speed/memory.ts),
 * the median (in a process without the JIT the three agree to a few kilobytes). Localising
 * (mode auto) decides by time between elements and directions (src/check/budget.ts), and
 * without the JIT everything is slower, and the readings' collections slow the check read
 * further: when a check with no budget (every element, as a fast machine's budget allows) makes
 * the timed runs' evaluations, it is the one read, whatever its speed; else the timed runs'
 * budget scaled by how much slower this process's guarded forward pass is, and the table marks
 * the row where the check read still took another path (MemoryFigures.evaluations).
 */
export function memoryWorker(spec: WorkerSpec): MemoryFigures | null {
  const { graph, ops } = buildGraph(loadCase(spec.file), spec.variant);
  const registry = registryOf(ops);
  const plan = compile(graph, registry);
  let options = optionsOf(registry, spec);
  checkGraph(graph, options);
  const timed = spec.timedForwardSeconds;
  if (spec.mode === 'auto' && timed) {
    const slower = secondsPerCall(() => forwardGuarded(plan), { minRuns: 5 }).median / timed;
    const all = unbudgetedMakes(graph, options, spec.timedEvaluations ?? 0);
    options = { ...options, budget: all ? Infinity : Math.max(1, 20 * timed) * slower };
  }
  const figures = medianReading(graph, plan, options);
  // The check's fixed part: the same check of the case's shrunk copy (its own plan and registry).
  const tiny = buildGraph(shrunkCase(loadCase(spec.file)), spec.variant);
  const tinyRegistry = registryOf(tiny.ops);
  const tinyOptions = { ...optionsOf(tinyRegistry, spec), ...(options.budget === undefined ? {} : { budget: options.budget }) };
  checkGraph(tiny.graph, tinyOptions);
  const fixed = medianReading(tiny.graph, compile(tiny.graph, tinyRegistry), tinyOptions);
  return figures && { ...figures, ...(fixed ? { fixed } : {}) };
}

/**
 * Whether the check with no budget makes `evaluations` evaluations: it is stopped as soon as its
 * progress passes them (without the JIT, a check with no budget on a large model that the timed
 * runs localised along directions would take minutes).
 */
function unbudgetedMakes(graph: Graph, options: CheckOptions, evaluations: number): boolean {
  const over = new Subject<void>();
  let report: CheckReport | undefined;
  checkGraph$(graph, { ...options, budget: Infinity, until: over, scheduler: undefined }).subscribe((event) => {
    if (event.type === 'report') report = event.report;
    else if (event.done > evaluations) over.next();
  });
  return report !== undefined && report.complete && report.evaluations === evaluations;
}

/** The median of three readings of the check's live memory (null without --expose-gc). */
function medianReading(graph: Graph, plan: Plan, options: CheckOptions): MemoryFigures | null {
  const readings = [0, 1, 2].map(() => liveMemory(graph, plan, forwardGuarded(plan).values, options));
  if (readings.some((r) => r === null)) return null;
  return (readings as MemoryFigures[]).sort((a, b) => a.checkMb - b.checkMb)[1];
}

export async function runWorker(spec: WorkerSpec): Promise<WorkerResult> {
  pinMainThread(spec.cpu);
  const values = loadCase(spec.file);
  const { graph, ops } = buildGraph(values, spec.variant);
  // The buggy variant's ops by module path, so that worker threads can load them too.
  const registry = registryOf(ops);
  const plan = compile(graph, registry);
  // One forward pass as the check's replays run it when nothing can be reused (unguarded, every
  // node), and the guarded first pass of a check for contrast.
  const onePass = () => replayObjective(plan, leafValues(plan), plan.nodes);
  const forward = secondsPerCall(onePass);
  const guardedForward = secondsPerCall(() => forwardGuarded(plan), { minRuns: 5 });
  const rssBeforeCheckMb = rssMb();
  const common = { forward, guardedForward, rssBeforeCheckMb };

  // A sample is taken on one thread: a threaded row is always run whole.
  const sample = spec.mode === 'graph' && spec.threads === 1 ? spec.sample : null;
  const first = sample ? sampledRun(graph, registry, sample) : null;
  if (!first || first.seconds <= sample!.fullUnderSeconds) {
    const { reports, equivalents } = await wholeRuns(graph, registry, spec, first ? spec.runs : 50, onePass);
    const last = reports[reports.length - 1];
    return {
      seconds: spread(reports.map((r) => r.seconds)),
      forwardEquivalents: spread(equivalents),
      evaluations: last.evaluations,
      verdict: oneVerdict(reports.map((r) => r.verdict)),
      difference: last.difference,
      extrapolated: false,
      ...(first ? { sampledEstimate: spread([first.seconds]), samples: [first.params] } : {}),
      ...common,
      peakRssMb: peakRssMb(),
      memory: null,
    };
  }

  const runs = [first, ...Array.from({ length: spec.runs - 1 }, () => sampledRun(graph, registry, sample!))];
  const seconds = spread(runs.map((r) => r.seconds));
  return {
    seconds,
    evaluations: runs[0].evaluations,
    verdict: oneVerdict(runs.map((r) => r.verdict)),
    difference: runs[0].difference,
    extrapolated: true,
    sampledEstimate: seconds,
    samples: runs.map((r) => r.params),
    ...common,
    peakRssMb: peakRssMb(),
    memory: null,
  };
}
