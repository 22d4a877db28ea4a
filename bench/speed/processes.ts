/**
 * The processes a gradproof row runs in (bench/run.ts): the timed ones, fresh per row (and three
 * per row of a small case), and the one that reads the check's live memory. Each runs
 * bench/run.ts --worker and prints its result on a line of its own after WORKER_MARK.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import type { MemoryFigures } from './memory.js';
import type { WorkerResult, WorkerSpec } from './gradproof.js';
import { projectRoot } from './peer.js';
import { median, spread, type Spread } from './timing.js';

export const WORKER_MARK = 'GRADPROOF_BENCH_RESULT ';
/** Fresh processes per gradproof row of a small case (workers()). */
export const SMALL_PROCESSES = 3;

/** What a worker process printed after WORKER_MARK; an error naming the worker and its spec when it failed. */
function resultOf<T>(child: SpawnSyncReturns<string>, who: string, spec: WorkerSpec, stderr = ''): T {
  const line = child.stdout?.split('\n').find((l) => l.startsWith(WORKER_MARK));
  if (child.status !== 0 || !line) throw new Error(`${who} failed (${child.error?.message ?? `status ${child.status}`}) on ${JSON.stringify(spec)}${stderr ? `:\n${stderr}` : ''}`);
  return JSON.parse(line.slice(WORKER_MARK.length)) as T;
}

/**
 * A one-thread row's live memory, read in a process of its own that runs without V8's JIT
 * (--jitless: no compiled code, no deoptimisations, which came and went by tens of kilobytes
 * between readings of the same check) and keeps every function's bytecode (the readings' forced
 * collections would otherwise age it until V8 dropped it and compiled it again mid-check). The
 * check holds the same data either way; its time is not read here. `timed` is the row's timed
 * result, whose forward pass sets the memory run's budget (memoryWorker).
 */
export function memoryOf(spec: WorkerSpec, timed: WorkerResult): MemoryFigures | null {
  if (spec.threads > 1) return null;
  const memorySpec: WorkerSpec = { ...spec, memoryOnly: true, timedForwardSeconds: timed.guardedForward.median, timedEvaluations: timed.evaluations };
  const args = ['--expose-gc', '--jitless', '--no-flush-bytecode', join(projectRoot, 'bin/run-ts.mjs'), join(projectRoot, 'bench/run.ts'), '--worker', JSON.stringify(memorySpec)];
  // (stderr kept: --jitless says it turned WebAssembly off.)
  const child = spawnSync(process.execPath, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  return resultOf<MemoryFigures | null>(child, 'the memory worker', spec, child.stderr);
}

/** Runs a gradproof row in a fresh process; past `limitSeconds` it is stopped and the row says so. */
export function worker(spec: WorkerSpec, limitSeconds: number | null): WorkerResult {
  const args = ['--expose-gc', join(projectRoot, 'bin/run-ts.mjs'), join(projectRoot, 'bench/run.ts'), '--worker', JSON.stringify(spec)];
  const timeout = limitSeconds === null ? undefined : limitSeconds * 1000;
  const child = spawnSync(process.execPath, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'], timeout, killSignal: 'SIGKILL' });
  if ((child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    const none = spread([NaN]);
    return { seconds: spread([limitSeconds!]), evaluations: NaN, verdict: 'unfinished', difference: null, extrapolated: false, forward: none, guardedForward: none, rssBeforeCheckMb: NaN, peakRssMb: NaN, memory: null, unfinishedAfter: limitSeconds! };
  }
  return resultOf<WorkerResult>(child, 'the gradproof worker', spec);
}

/**
 * A small case's gradproof row, run in `count` fresh processes as the peer's runs are: a process
 * can run a third or more slower than the next on this machine, whatever runs in it (scratch
 * runs of the same replays in C alone), so the row's seconds are the median of the processes'
 * medians (min and max over all runs), and so are its evaluations (mode auto's localisation
 * spends a time budget); the rest comes from the first process, and the verdicts must agree.
 */
export function workers(spec: WorkerSpec, count: number): WorkerResult {
  const results = Array.from({ length: count }, () => worker(spec, null));
  const [first] = results;
  if (results.some((r) => r.verdict !== first.verdict)) throw new Error(`the gradproof worker changed its verdict between processes on ${JSON.stringify(spec)}`);
  const merged = (key: 'seconds' | 'forward' | 'guardedForward' | 'forwardEquivalents'): Spread => ({
    median: median(results.map((r) => r[key]!.median)),
    min: Math.min(...results.map((r) => r[key]!.min)),
    max: Math.max(...results.map((r) => r[key]!.max)),
    runs: results.reduce((n, r) => n + r[key]!.runs, 0),
  });
  // Mode auto's localisation chooses elements or directions by time (budget.ts): its evaluations vary with the machine's speed.
  return { ...first, evaluations: median(results.map((r) => r.evaluations)), seconds: merged('seconds'), forward: merged('forward'), ...(results.every((r) => r.forwardEquivalents) ? { forwardEquivalents: merged('forwardEquivalents') } : {}), guardedForward: merged('guardedForward'), peakRssMb: Math.max(...results.map((r) => r.peakRssMb)), processes: count };
}
