/** The benchmark's printout: the machine and command, then one Markdown table and its notes. */
import type { Variant } from './cases.js';
import type { Mode, WorkerResult } from './gradproof.js';
import type { PeerInfo } from './peer.js';
import { formatCount, formatRatio, formatSeconds, type Spread } from './timing.js';

export interface PeerSummary {
  seconds: Spread;
  verdict: 'pass' | 'fail' | null;
  evaluations: number;
  secondsPerForward: number;
  peakRssMb: number;
  extrapolated: boolean;
  sampledElements: number | null;
  /** The peer's check's peak memory (tracemalloc), bytes. */
  checkBytes: number;
}

export interface Row {
  caseId: string;
  caseLabel: string;
  params: number;
  variant: Variant;
  mode: Mode;
  /** gradproof's threads, and the peer's BLAS threads, on this row. */
  threads: number;
  peerThreads: number | 'default';
  /** The issue's goal for the row, where it sets one. */
  goal: string | null;
  gradproof: WorkerResult;
  peer: PeerSummary;
}

export interface Machine {
  date: string;
  command: string;
  cpu: string;
  cores: number;
  load: string;
  node: string;
  peer: PeerInfo;
  /** The CPU one-thread rows of both sides ran on (bench/speed/pin.ts), or null. */
  pinnedCpu: number | null;
}

export const ratioOf = (row: Row): number => row.peer.seconds.median / row.gradproof.seconds.median;

/** What each verdict should be, and a flag where one is not. */
export function verdictFlag(row: Row): string {
  const expected = row.variant === 'correct' ? 'pass' : 'fail';
  const flags: string[] = [];
  if (row.gradproof.unfinishedAfter) flags.push('gradproof: unfinished at the time limit');
  else if (!row.gradproof.verdict.startsWith(expected)) flags.push('**WRONG verdict: gradproof**');
  if (row.peer.verdict === null) flags.push('peer: no verdict (sampled)');
  else if (row.peer.verdict !== expected) {
    const known = row.caseId === 'fraud' && row.variant === 'correct';
    flags.push(known ? 'peer: known false alarm (seed h = 1e-7)' : '**WRONG verdict: peer**');
  }
  return flags.length ? flags.join('; ') : 'ok';
}

const check = (mode: Mode, threads = 1) => (mode === 'graph' ? 'element-wise (auto, graph)' : 'default (auto, auto)') + (threads > 1 ? `, ${threads} threads` : '');
const mb = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const est = (extrapolated: boolean) => (extrapolated ? ' (extrap.)' : '');

export function header(m: Machine): string {
  const p = m.peer;
  const dropped = Object.entries(p.dropped)
    .map(([k, v]) => `${k}=${v ?? '(unset)'}`)
    .join(', ');
  return [
    `# gradproof speed benchmark`,
    '',
    `- date: ${m.date}`,
    `- command: \`${m.command}\``,
    `- machine: ${m.cpu}, ${m.cores} cores, load average at start ${m.load}`,
    `- node ${m.node}; python ${p.python}, numpy ${p.numpy} (${p.blas})`,
    m.pinnedCpu === null
      ? '- CPU: not pinned (a process runs where the system puts it)'
      : `- CPU: one-thread rows compute on CPU ${m.pinnedCpu}: the peer under \`taskset -c ${m.pinnedCpu}\`, gradproof's main thread pinned there (V8's own threads free): this machine's vCPUs run at different speeds (bench/speed/pin.ts); threaded rows are not pinned`,
    `- peer's BLAS kernel: ${p.blasCore} with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the peer only` +
      (p.blasCoreWithParentEnv ? ` (this shell has ${dropped}: numpy would use ${p.blasCoreWithParentEnv})` : ' (neither was set here)') +
      `; BLAS threads ${p.blasThreads ?? '?'} (${p.threadsSetting}), except on rows where gradproof runs on ${m.cores} threads: the peer then has ${m.cores} BLAS threads (OPENBLAS_NUM_THREADS=${m.cores})`,
  ].join('\n');
}

/** A size in KB or MB. */
const sizeText = (mb: number): string => (mb < 1 ? `${(mb * 1024).toFixed(mb * 1024 < 10 ? 1 : 0)} KB` : `${mb.toFixed(1)} MB`);

/** A check's memory and its ratio to the model; below a KB it is within the collector's noise. */
function memoryText(mb: number, model: number): string {
  return mb * 1024 < 1 ? '< 1 KB' : `${sizeText(mb)} (${(mb / model).toFixed(1)}×)`;
}

/** Below this (model and activations), a check's part beyond its fixed part is within the readings' noise (a few KB). */
const RESOLVED_MB = 32 / 1024;

/**
 * gradproof's check memory and the peer's, each with its ratio to the model and activations (the
 * model's size is gradproof's reading); ‡ where the check read took another path than the timed
 * ones (other evaluations). Then gradproof's beyond its fixed part (the same check of the case's
 * shrunk copy, memory.ts), as a ratio to the model, where the model is large enough to read it;
 * § where the shrunk copy's check went through other stages.
 */
function memoryCell(g: WorkerResult, peerBytes: number): string {
  const m = g.memory;
  if (!m) return '–';
  const model = m.modelMb + m.activationsMb;
  const path = g.extrapolated || m.evaluations === g.evaluations ? '' : ` ‡ (${formatCount(m.evaluations)} evaluations)`;
  const peer = Number.isFinite(peerBytes) ? memoryText(peerBytes / 2 ** 20, model) : '–';
  if (!m.fixed) return `${memoryText(m.checkMb, model)}${path} / ${peer}`;
  const fixed = `fixed part ${sizeText(m.fixed.checkMb)}${m.fixed.stages === m.stages ? '' : ' §'}`;
  const beyond = model < RESOLVED_MB ? 'the model within its noise' : `${((m.checkMb - m.fixed.checkMb) / model).toFixed(1)}× beyond it`;
  return `${memoryText(m.checkMb, model)}${path}; ${fixed}, ${beyond} / ${peer}`;
}

export function table(rows: readonly Row[]): string {
  const head = [
    'case', 'params', 'variant', 'gradproof check', 'runs gp / peer', 'gradproof s', 'peer s', 'peer / gradproof', 'goal',
    'fwd equiv. (gp)', 'one forward (gp)', 'evaluations gp / peer', 'check memory gp / peer (× model + acts.)', 'peak RSS MB gp / peer', 'verdict gp / peer', 'flag',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const g = r.gradproof;
    const cells = [
      r.caseLabel,
      formatCount(r.params),
      r.variant,
      check(r.mode, r.threads),
      `${g.processes && g.processes > 1 ? `${g.processes} × ${Math.round(g.seconds.runs / g.processes)}` : g.seconds.runs} / ${r.peer.seconds.runs}`,
      (g.unfinishedAfter ? '> ' : '') + formatSeconds(g.seconds.median) + est(g.extrapolated) + (g.unfinishedAfter ? ' (unfinished)' : ''),
      formatSeconds(r.peer.seconds.median) + est(r.peer.extrapolated),
      (g.unfinishedAfter ? '< ' : '') + formatRatio(ratioOf(r)),
      r.goal ?? '–',
      formatCount(g.forwardEquivalents?.median ?? g.seconds.median / g.forward.median),
      formatSeconds(g.forward.median),
      `${formatCount(g.evaluations)}${g.extrapolated ? '*' : ''} / ${formatCount(r.peer.evaluations)}`,
      memoryCell(g, r.peer.checkBytes),
      `${mb(g.peakRssMb)} / ${mb(r.peer.peakRssMb)}`,
      `${g.verdict}${g.extrapolated ? ' (sampled)' : ''} / ${r.peer.verdict ?? '–'}`,
      verdictFlag(r),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function notes(rows: readonly Row[], m: Machine, opts: { sampleSeconds: number; peerSample: number; fullUnderSeconds: number; full: boolean; limit: number | null }): string {
  const big = rows.find((r) => r.gradproof.sampledEstimate);
  const nodeFloor = Math.min(...rows.map((r) => r.gradproof.rssBeforeCheckMb));
  const lines = [
    '',
    'Notes:',
    '- Seconds are the median over the runs shown (gradproof repeats a cheap check until a second of checking, at most 50 runs, after 2 s of untimed warm-up checks on the small cases, so that V8 has optimised the code (after half a second it had not quite: bench/run.ts); the big case\'s sample warms it up). On the small cases gradproof\'s row runs in 3 fresh processes (3 × runs), as the peer\'s runs each have their own: its seconds are the median of the three processes\' medians (a process here can run a third or more slower than the next, whatever it runs); both sides time the check in-process (start-up, loading and compiling excluded): gradproof its report\'s `seconds` (its forward and backward passes included), the peer its `seconds_check` (the perturbation loop alone; its forward and backward pass before it are not counted).',
    '- Threads: gradproof\'s rows run on one thread (the synchronous `checkGraph`), except those marked with threads: `checkGraphAsync` asked for one thread per core (`workers`; the command starts threads by itself from 1,000,000 evaluations): the check\'s own, and a worker thread for each other core (whose start, which loads the engine, is counted in the check\'s time; the check\'s thread replays meanwhile); the peer is then run with as many BLAS threads.',
    '- gradproof runs method auto (its default). Its element-wise rows are mode graph (every element of every param, central differences); the default rows are mode auto, gradproof\'s default verdict as the engine reaches it today (its evaluations column shows how much of the element-wise work it skips). The peer has one check, the seed\'s (h = 1e-7, threshold 1e-7), shown on both rows of a variant.',
    '- fwd equiv.: the check\'s time ÷ one forward pass, an unguarded forward pass over every node of the same compiled graph (`replayObjective(plan, leafValues(plan), plan.nodes)`, what each replay runs): on rows run whole, the median over the timed runs of each run\'s time over the median of 5 passes timed right before it (the machine\'s speed drifts by up to 1.6× over minutes); on extrapolated rows, the check\'s time over the median of many passes (the "one forward" column on every row).',
    '- check memory: the check\'s peak live memory (V8 heap less its compiled code, plus array buffers) above what was live before it, read after a garbage collection at every progress event, at the report and right after every large array is made, in an untimed run in a process of its own without the JIT (`node --jitless --no-flush-bytecode`, after one check: bench/speed/memory.ts), the median of three such runs, and its ratio to the model\'s values (params and inputs) plus one forward pass\'s activations; the goal is at most 3×. Not read on threaded rows. A check has a fixed part (the plan, the stream, the report, V8\'s hidden classes and feedback for them: tens of kilobytes), which outweighs a model of a few kilobytes: it is read as the same check of the case\'s shrunk copy (6 units a hidden layer, 2 examples, its first values: bench/speed/cases.ts, shrunkCase; a model of 1-2 KB, whose own share is left in the fixed part), and the check\'s memory beyond it is given as a ratio to the model where the model and its activations are 32 KB or more (below, the readings\' noise of a few KB swamps it); § marks a row whose shrunk copy\'s check went through other stages (directions, params checked element by element, nodes checked). Localising decides by time between elements and directions: the memory run reads the check with no budget (every element) when that makes the timed runs\' evaluations, else with their budget scaled by how much slower its forward pass is without the JIT, and ‡ marks a row whose memory run took another path (its evaluations shown). The peer\'s: the peak of Python\'s tracemalloc (numpy\'s arrays and Python\'s objects) over its gradient_check, in one more untimed run of its own (bench/speed/peer.ts), against the same model and activations.',
    `- Peak RSS: getrusage's ru_maxrss high-water of the process that ran the row: a fresh node worker per gradproof row (node + jiti + the case: ${mb(nodeFloor)} MB or more before any check), a fresh python3 per peer run (python + numpy alone: ${mb(m.peer.baselineRssMb)} MB; the largest of the runs).`,
    '- Buggy = the seed\'s bug: layer 1\'s rule returns 4 × db and layer 2\'s 2 × dW (the zoo\'s mutants linear_db_x4 on Z1 and linear_dW_x2 on Z2, user ops that keep linear\'s forward and incremental rules, loaded from bench/speed/seed-bug-ops.ts so that worker threads load them too; the peer\'s --buggy). Correct must pass and buggy must fail.',
  ];
  if (big) {
    const limit = !opts.full
      ? `when that estimate is at most ${formatSeconds(opts.fullUnderSeconds)}, the check is then run whole (the row is not marked extrap.), else the row is the estimate`
      : 'then run whole (--full)';
    lines.push(
      `- Big case, gradproof: first timed on a sample, each param checked alone on its first elements for about ${opts.sampleSeconds} s: its per-element time × its size, plus the fixed part of a run (forward, backward, bookkeeping), with method auto's second pass (h/2) extrapolated from the share of sampled elements off by more than the threshold; ${limit}. In (extrap.) rows, evaluations marked * are the whole check's count and the verdict (sampled) is the judge's failures, else the difference over the sampled elements against the threshold. The default rows (mode auto: directions first, not elements) and the threaded rows are always run whole.`,
    );
    for (const r of rows.filter((x) => x.gradproof.sampledEstimate && !x.gradproof.extrapolated)) {
      lines.push(`  - ${r.caseLabel}, ${r.variant}, ${check(r.mode, r.threads)}: the sample estimated ${formatSeconds(r.gradproof.sampledEstimate!.median)}; the whole check took ${formatSeconds(r.gradproof.seconds.median)}.`);
    }
  }
  const stopped = rows.filter((r) => r.gradproof.unfinishedAfter);
  if (stopped.length) lines.push(`- unfinished: the gradproof worker was stopped at the ${formatSeconds(opts.limit ?? NaN)} limit (--limit); its time is a lower bound and the ratio an upper bound.`);
  if (rows.some((r) => r.peer.extrapolated)) lines.push(`- (extrap.) peer: \`--sample ${opts.peerSample}\` (random elements; its time scaled to all of them; no verdict).`);
  return lines.join('\n');
}
