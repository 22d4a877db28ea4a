/**
 * Live progress for a terminal: a throttle that keeps what a person can read, a one-line bar
 * redrawn in place, and NDJSON lines for machines.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { CheckProgress } from '../check/report.js';
import { sci } from './format.js';

/**
 * Passes the first event, then at most one every `ms` milliseconds, and always the last one
 * (done === total): a terminal needs no more. It compares clocks instead of using timers, so it
 * works the same on a synchronous stream.
 */
export function sampleProgress(ms: number, now: () => number = performance.now.bind(performance)): OperatorFunction<CheckProgress, CheckProgress> {
  return (source) =>
    new Observable<CheckProgress>((subscriber) => {
      // Closure state: when the last event was let through (−∞ before the first).
      let last = -Infinity;
      return source.subscribe({
        next(event) {
          const t = now();
          if (t - last >= ms || event.done === event.total) {
            last = t;
            subscriber.next(event);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

const eta = (s: number | null) => (s === null ? '' : s < 60 ? ` ETA ${Math.ceil(s)}s` : ` ETA ${Math.floor(s / 60)}m${Math.ceil(s % 60)}s`);

/** `[#######.......]  48%  1,200/2,500  W2  difference 1.2e-10  ETA 3s`, fitted to `columns`. */
export function renderBar(e: CheckProgress, columns = 80): string {
  const fraction = e.total === 0 ? 1 : e.done / e.total;
  const text = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${e.done.toLocaleString('en-US')}/${e.total.toLocaleString('en-US')}  ${e.param}  difference ${sci(e.difference)}${eta(e.eta)}`;
  const barWidth = Math.max(10, Math.min(40, columns - text.length - 3));
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${text}`.slice(0, Math.max(0, columns - 1));
}

/** One progress event as a line of NDJSON. */
export const progressLine = (e: CheckProgress): string =>
  JSON.stringify({ type: 'progress', done: e.done, total: e.total, param: e.param, difference: Number.isFinite(e.difference) ? e.difference : null, eta: e.eta });
