/**
 * Which CPU the timed processes run on. This machine's two vCPUs do not run at one speed: the
 * same check, gradproof's or the peer's, takes 1.4-1.5 times as long on CPU 1 as on CPU 0
 * (`taskset -c 0` against `-c 1`, four runs each), and an unpinned process stays on the one it
 * started on. A ratio is fair only when both sides run on the same CPU, so on one-thread rows
 * both run under `taskset -c N` (N = 0 by default, `--cpu` sets it, `--cpu none` pins nothing),
 * every thread of the process with them. (gradproof's main thread alone on CPU 0, V8's collector
 * threads free to run on the slower CPU 1, gave the fraud check 87-166 µs across six runs; the
 * whole process on CPU 0, 77-82 in three.) Rows on several threads are never pinned.
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
