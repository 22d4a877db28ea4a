/**
 * Which CPU the timed processes run on. This machine's two vCPUs do not run at one speed: the
 * same check, gradproof's or the peer's, takes 1.4-1.5 times as long on CPU 1 as on CPU 0
 * (`taskset -c 0` against `-c 1`, four runs each), and an unpinned process stays on the one it
 * started on. A ratio is fair only when both sides compute on the same CPU, so on one-thread
 * rows the peer runs under `taskset -c N` (N = 0 by default, `--cpu` sets it, `--cpu none` pins
 * nothing; with one BLAS thread it has no other thread), and gradproof's worker pins its main
 * thread alone when it starts (`taskset -p`, pinMainThread): V8's own threads (the optimising
 * compiler's, the collector's), already started, stay free to run on the other CPU, as they
 * would on any machine with two cores. (With them pinned too, on CPU 0 with the main thread, the
 * seed bug's default check of MLP 100 took 4.3-4.7 ms in two runs of the bench, against 1.2-1.9
 * ms otherwise.) Rows on several threads are never pinned.
 */
import { spawnSync } from 'node:child_process';

// Module state: the CPU one-thread rows run on, or null for none.
let cpu: number | null = 0;
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export function setCpu(value: number | null): void {
  cpu = value;
}

/** The CPU a one-thread row runs on, or null (not pinned, or no taskset here). */
export const pinnedCpu = (): number | null => (hasTaskset ? cpu : null);

/** `command args`, run on the pinned CPU when `threads` is 1 and one is set. */
export function pinned(command: string, args: readonly string[], threads = 1): [string, string[]] {
  const at = threads === 1 ? pinnedCpu() : null;
  return at === null ? [command, [...args]] : ['taskset', ['-c', String(at), command, ...args]];
}

/** Pins this process's main thread (its id is the process's) to `at`; its other threads keep theirs. */
export function pinMainThread(at: number | null): void {
  if (at === null || !hasTaskset) return;
  // The header says the rows are pinned: a pin that did not take must not pass unnoticed.
  const run = spawnSync('taskset', ['-p', '-c', String(at), String(process.pid)], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`taskset -p -c ${at} ${process.pid} failed (${run.error?.message ?? `status ${run.status}`})`);
}
