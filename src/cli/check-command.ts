/**
 * `gradproof check FILE.graph`: load the graph file, run the check as a stream with live
 * progress on stderr, print the report (a table, or JSON on stdout), and exit 0 pass, 1 fail,
 * 130 interrupted. Ctrl-C stops the replays between two evaluations (every param is then as it
 * was) and prints the report on what was checked.
 */
import { asyncScheduler, filter, lastValueFrom, map, Subject, tap } from 'rxjs';
import { checkGraph$ } from '../check/check-graph.js';
import type { CheckEvent, CheckProgress, CheckReport } from '../check/report.js';
import type { MethodName } from '../check/methods.js';
import { loadGraphFile } from '../dsl/index.js';
import { renderHuman } from '../report/human.js';
import { toJsonReport } from '../report/json.js';
import { progressLine, renderBar, sampleProgress } from '../report/progress.js';
import { EXIT } from './exit-codes.js';
import { colorFor, type CliIO } from './io.js';
import { locatedError } from './errors.js';

export interface CheckCommandOptions {
  ops: string[];
  data: string[];
  method: MethodName;
  mode: 'graph' | 'nodes' | 'auto';
  eps?: number;
  threshold?: number;
  json: boolean;
  progress: 'auto' | 'bar' | 'json' | 'none';
  seed: number;
  full: boolean;
}

export async function runCheck(file: string, options: CheckCommandOptions, io: CliIO): Promise<number> {
  const loaded = await loadGraphFile(file, { ops: options.ops, data: options.data, cwd: io.cwd });
  const interrupt = new Subject<void>();
  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    interrupt.next();
  });
  const progress = new Subject<CheckProgress>();
  const stopProgress = showProgress(progress, options.progress, io);
  let report: CheckReport;
  try {
    const events = checkGraph$(loaded.graph, {
      registry: loaded.registry,
      method: options.method,
      mode: options.mode,
      seed: options.seed,
      full: options.full,
      eps: options.eps,
      threshold: options.threshold,
      scheduler: asyncScheduler,
      until: interrupt,
    });
    report = await lastValueFrom(
      events.pipe(
        tap((e) => e.type === 'progress' && progress.next(e)),
        filter((e): e is Extract<CheckEvent, { type: 'report' }> => e.type === 'report'),
        map((e) => e.report),
      ),
    );
  } catch (e) {
    throw locatedError(e, loaded);
  } finally {
    stopListening();
    stopProgress();
  }
  if (options.json) io.stdout.write(`${JSON.stringify(toJsonReport(report, file), null, 2)}\n`);
  else io.stdout.write(`${renderHuman(report, { file, color: colorFor(io.stdout, io.env) })}\n`);
  if (interrupted) return EXIT.interrupted;
  return report.verdict === 'pass' ? EXIT.pass : EXIT.mismatch;
}

/** Subscribes the chosen progress display to `events`; returns a function that ends it. */
function showProgress(events: Subject<CheckProgress>, mode: CheckCommandOptions['progress'], io: CliIO): () => void {
  const chosen = mode === 'auto' ? (io.stderr.isTTY ? 'bar' : 'none') : mode;
  if (chosen === 'none') return () => events.complete();
  if (chosen === 'json') {
    const sub = events.pipe(sampleProgress(100)).subscribe((e) => io.stderr.write(`${progressLine(e)}\n`));
    return () => (events.complete(), sub.unsubscribe());
  }
  // Closure state: whether a bar is on screen, to clear it before the report.
  let drawn = false;
  const sub = events.pipe(sampleProgress(80)).subscribe((e) => {
    io.stderr.write(`\r${renderBar(e, io.stderr.columns ?? 80)}`);
    drawn = true;
  });
  return () => {
    events.complete();
    sub.unsubscribe();
    if (drawn) io.stderr.write('\r\u001b[2K');
  };
}
