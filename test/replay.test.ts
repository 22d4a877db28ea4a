/** The RxJS side of checks: progress, empty checks, errors, early unsubscribe, async slices. */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, firstValueFrom, lastValueFrom, Subject, take, tap, toArray } from 'rxjs';
import { checkGraph$, graph, type CheckEvent, type CheckReport, type Op } from '../src/index.js';
import { tanh } from '../src/ops/tanh.js';

const counted = () => {
  const op: Op & { calls: number } = { ...tanh, name: 'counted_tanh', calls: 0, update: undefined, forward: (i, a) => (op.calls++, tanh.forward(i, a)) };
  return op;
};
const small = (op: string) => graph().param('P', [[0.1, 0.2, 0.3]]).node('T', op, ['P']).node('c', 'sum', ['T']).build();
const reportOf = (events: CheckEvent[]) => (events.at(-1) as { report: CheckReport }).report;

describe('checkGraph$', () => {
  it('streams one progress event per element, then the report', async () => {
    const events = await lastValueFrom(checkGraph$(small('tanh'), { mode: 'graph' }).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['progress', 'progress', 'progress', 'report']);
    expect(events.slice(0, 3).map((e) => e.type === 'progress' && [e.done, e.total, e.param])).toEqual([[2, 6, 'P'], [4, 6, 'P'], [6, 6, 'P']]);
    expect(reportOf(events).verdict).toBe('pass');
    expect(reportOf(events).evaluations).toBe(7);
  });

  it('emits only the report when there is nothing to perturb', async () => {
    const g = graph().input('X', [[1, 2]]).node('c', 'sum', ['X']).build();
    const events = await lastValueFrom(checkGraph$(g).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['report']);
    expect(reportOf(events)).toMatchObject({ verdict: 'pass', difference: 0, params: [], evaluations: 1 });
  });

  it('errors (without emitting) when the graph is wrong', async () => {
    const g = graph().param('P', [[1]]).node('c', 'nope', ['P']).build();
    await expect(lastValueFrom(checkGraph$(g))).rejects.toThrow("unknown op 'nope' in node c");
  });

  it('stops replaying as soon as the subscriber unsubscribes', async () => {
    const op = counted();
    await firstValueFrom(checkGraph$(small(op.name), { ops: [op], mode: 'graph' }).pipe(take(1)));
    // One guarded forward pass, one timed forward pass, then exactly the two replays of the first element.
    expect(op.calls).toBe(1 + 1 + 2);
  });

  it('runs in slices with a scheduler, and gives the same report as the synchronous run', async () => {
    const sync = reportOf(await lastValueFrom(checkGraph$(small('tanh'), { mode: 'graph' }).pipe(toArray())));
    let synchronousEvents = 0;
    const events$ = checkGraph$(small('tanh'), { mode: 'graph', scheduler: asyncScheduler, sliceMs: 0 });
    const done = lastValueFrom(events$.pipe(toArray()));
    const sub = events$.subscribe(() => synchronousEvents++);
    expect(synchronousEvents).toBe(0);
    sub.unsubscribe();
    const report = reportOf(await done);
    expect([...report.params[0].numeric]).toEqual([...sync.params[0].numeric]);
  });

  it('stops node checks between two nodes when told to (until), and says the check is incomplete', async () => {
    const g = graph().param('P', [[0.1, 0.2, 0.3]]).node('A', 'tanh', ['P']).node('B', 'tanh', ['A']).node('C', 'tanh', ['B']).node('c', 'sum', ['C']).build();
    const stop = new Subject<void>();
    const events = await lastValueFrom(
      checkGraph$(g, { mode: 'nodes', scheduler: asyncScheduler, until: stop }).pipe(
        // Stop after the first node's progress event.
        tap((e) => e.type === 'progress' && e.param === 'node A' && stop.next()),
        toArray(),
      ),
    );
    const report = reportOf(events);
    expect(report.complete).toBe(false);
    expect(report.verdict).toBe('incomplete');
    expect(report.nodes!.map((n) => n.id)).toEqual(['A']);
  });
});
