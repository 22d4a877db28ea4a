/**
 * `npm run bench [-- OPTIONS]`: gradproof's gradient check side by side with the NumPy peer
 * (../shared/reference/seed_gradcheck.py) on the same cases, as ratios, correct and buggy.
 *
 *   --quick         fewer runs and smaller samples (a smoke run, a minute or two)
 *   --full          check the big case whole on both sides, once, however long it takes (by
 *                   default gradproof's check of it runs whole only when a sample puts it under
 *                   two minutes, and the peer's is sampled)
 *   --cases A,B     only these cases (fraud, mlp-100, mlp-784)
 *   --runs N        runs per small row (default 5; big rows 3, or 1 with --full / --quick)
 *   --limit S       stop a big row's gradproof worker after S seconds (default 180; 60 with
 *                   --quick; none with --full): the row then reads "unfinished"
 *   --peer-threads N|default   BLAS threads for the peer (default 1: see speed/peer.ts)
 *   --cpu N|none    the CPU both sides' one-thread runs are pinned to (default 0: see speed/pin.ts)
 *   --json PATH     also write the raw results there
 *
 * Each gradproof row runs in a fresh worker process (this file with --worker), so its peak RSS
 * is its own; each peer run is a fresh python3.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CASES, caseById, loadCase, paramCount, prepareCases, VARIANTS, type CaseSpec, type Variant } from './speed/cases.js';
import { memoryWorker, runWorker, type Mode, type WorkerSpec } from './speed/gradproof.js';
import { memoryOf, SMALL_PROCESSES, worker, WORKER_MARK, workers } from './speed/processes.js';
import { peerCheckBytes, peerInfo, runPeer, setPeerThreads } from './speed/peer.js';
import { pinnedCpu, setCpu } from './speed/pin.js';
import { header, notes, table, type Machine, type PeerSummary, type Row } from './speed/table.js';
import { since, spread } from './speed/timing.js';

/** The issue's goals: peer / gradproof for the element-wise rows, forward-pass equivalents for the big default rows. */
const GOALS: Record<string, Partial<Record<Mode, string>>> = { fraud: { graph: '≥ 30×' }, 'mlp-100': { graph: '≥ 20×' }, 'mlp-784': { graph: '≥ 100×', auto: '≤ 10 fwd equiv. (correct)' } };

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    cases: { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'string' },
    limit: { type: 'string' },
    'peer-threads': { type: 'string', default: '1' },
    cpu: { type: 'string', default: '0' },
    worker: { type: 'string' },
  },
  strict: true,
});

if (opts.worker) {
  const spec = JSON.parse(opts.worker) as WorkerSpec;
  const result = spec.memoryOnly ? memoryWorker(spec) : await runWorker(spec);
  process.stdout.write(`\n${WORKER_MARK}${JSON.stringify(result)}\n`);
} else {
  main();
}

function peer(spec: CaseSpec, file: string, variant: Variant, runs: number, sample: number | null): PeerSummary {
  const args = [...spec.peerArgs(file), ...(variant === 'buggy' ? ['--buggy'] : []), ...(sample ? ['--sample', String(sample)] : [])];
  const results = Array.from({ length: runs }, () => runPeer(args));
  const verdicts = new Set(results.map((r) => r.verdict));
  if (verdicts.size > 1) throw new Error(`the peer changed its verdict between runs on ${args.join(' ')}`);
  return {
    seconds: spread(results.map((r) => r.seconds_check)),
    verdict: results[0].verdict,
    evaluations: results[0].forward_evaluations,
    secondsPerForward: results[0].seconds_per_forward,
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    extrapolated: results[0].extrapolated === true,
    sampledElements: results[0].sampled_elements ?? null,
    checkBytes: peerCheckBytes(args),
  };
}

function machine(command: string): Machine {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    date: new Date().toISOString(),
    command,
    cpu,
    cores: cpus().length,
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
    node: process.version,
    peer: peerInfo(),
    pinnedCpu: pinnedCpu(),
  };
}

function main(): void {
  const started = performance.now();
  const argv = process.argv.slice(2);
  const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}` : `node bin/run-ts.mjs bench/run.ts ${argv.join(' ')}`.trim();
  const specs = opts.cases ? opts.cases.split(',').map(caseById) : CASES;
  const smallRuns = opts.runs ? Number(opts.runs) : opts.quick ? 3 : 5;
  const bigRuns = opts.quick ? 1 : 3;
  const sampleSeconds = opts.quick ? 0.5 : 1.5;
  const peerSample = opts.quick ? 200 : 500;
  // A big case's element-wise check runs whole when its sample says it takes at most this long;
  // no big row's worker may take longer than `limit` (its row then says "unfinished").
  const fullUnderSeconds = opts.full ? 1e12 : opts.quick ? 0 : 120;
  const budgetSeconds = opts.full ? 1e12 : opts.quick ? 30 : 120;
  const limit = opts.full ? null : Number(opts.limit ?? (opts.quick ? 60 : 180));
  const peerThreads = opts['peer-threads'] ?? '1';
  if (peerThreads !== 'default' && !(Number(peerThreads) >= 1)) throw new Error(`--peer-threads takes a count or 'default', not '${peerThreads}'`);
  const peerSetting = peerThreads === 'default' ? 'default' : Number(peerThreads);
  setPeerThreads(peerSetting);
  const cpuOption = opts.cpu ?? '0';
  if (cpuOption !== 'none' && !(Number.isInteger(Number(cpuOption)) && Number(cpuOption) >= 0)) throw new Error(`--cpu takes a CPU number or 'none', not '${cpuOption}'`);
  setCpu(cpuOption === 'none' ? null : Number(cpuOption));
  const cores = availableParallelism();
  const info = machine(command);
  console.log(header(info));
  console.error(`\n(running: ${specs.map((s) => s.id).join(', ')}; progress on stderr)`);

  const files = prepareCases(specs);
  const rows: Row[] = [];
  for (const spec of specs) {
    const file = files.get(spec.id)!;
    const params = paramCount(loadCase(file));
    const runs = spec.big ? bigRuns : smallRuns;
    for (const variant of VARIANTS) {
      const t = performance.now();
      const peerRuns = () => peer(spec, file, variant, opts.full && spec.big ? 1 : runs, spec.big && !opts.full ? peerSample : null);
      const peerSummary = peerRuns();
      // The big case's element-wise check also runs on every core, against the peer with as many BLAS threads.
      const threaded = spec.big && cores > 1;
      const peerThreaded = threaded ? (setPeerThreads(cores), peerRuns()) : null;
      setPeerThreads(peerSetting);
      const plans: { mode: Mode; threads: number }[] = [{ mode: 'graph', threads: 1 }, ...(threaded ? [{ mode: 'graph' as Mode, threads: cores }] : []), { mode: 'auto', threads: 1 }];
      for (const { mode, threads } of plans) {
        const sample = spec.big ? { seconds: sampleSeconds, maxElements: 100_000, fullUnderSeconds } : null;
        // Untimed checks first, so that the timed ones meet V8's optimised code: after 0.5 s the
        // fraud net's full check still ran 90-99 µs, after 2 s 80-87 (three worker runs each).
        const warmupSeconds = spec.big ? 0 : opts.quick ? 0.2 : 2;
        const workerSpec = { cpu: threads === 1 ? pinnedCpu() : null, file, variant, mode, threads, warmupSeconds, runs: opts.full && spec.big ? 1 : runs, minSeconds: opts.quick ? 0.3 : 1, budgetSeconds: spec.big ? budgetSeconds : 600, sample };
        const timed = spec.big ? worker(workerSpec, limit) : workers(workerSpec, opts.quick ? 1 : SMALL_PROCESSES);
        const gradproof = { ...timed, memory: timed.unfinishedAfter === undefined ? memoryOf(workerSpec, timed) : null };
        const peerRow = threads > 1 ? peerThreaded! : peerSummary;
        rows.push({ caseId: spec.id, caseLabel: spec.label, params, variant, mode, threads, peerThreads: threads > 1 ? cores : peerSetting, goal: GOALS[spec.id]?.[mode] ?? null, gradproof, peer: peerRow });
      }
      console.error(`  ${spec.id} ${variant}: ${since(t).toFixed(1)} s`);
    }
  }

  const wall = since(started);
  console.log('\n' + table(rows));
  console.log(notes(rows, info, { sampleSeconds, peerSample, fullUnderSeconds, full: opts.full ?? false, limit }));
  console.log(`\nWall time of this run: ${wall.toFixed(0)} s; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ machine: info, options: opts, wallSeconds: wall, rows }, null, 2) + '\n');
    console.error(`raw results written to ${opts.json}`);
  }
}
