/** Small timing and memory helpers: medians, repeats, and the process's peak RSS. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** `n` results of `run`, in order. */
export function repeat<T>(n: number, run: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => run(i));
}

/**
 * Seconds per call of `run`: the median of single-call timings, taken until at least `minRuns`
 * calls and `minSeconds` in all (and at most `maxRuns`).
 */
export function secondsPerCall(run: () => unknown, { minRuns = 20, minSeconds = 0.5, maxRuns = 10_000 } = {}): Spread {
  const times: number[] = [];
  let total = 0;
  while (times.length < maxRuns && (times.length < minRuns || total < minSeconds)) {
    const t = performance.now();
    run();
    const s = (performance.now() - t) / 1000;
    times.push(s);
    total += s;
  }
  return spread(times);
}

/** Peak resident set size of this process so far, in MB (getrusage's ru_maxrss high-water). */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Current resident set size, in MB. */
export const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

/** Seconds since `start` (a performance.now() reading). */
export const since = (start: number): number => (performance.now() - start) / 1000;

/** Compact human figures for the table. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(0)} µs`;
}

export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '–';
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 1 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

export const formatCount = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
