/** The RxJS side of checks and of the driver: progress, batches, empty, errors, early unsubscribe, async slices (directions: direction-replay.test.ts). */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, firstValueFrom, lastValueFrom, Observable, Subject, take, tap, toArray } from 'rxjs';
import { checkGraph$, graph, OpRegistry, type CheckEvent, type CheckReport, type Op } from '../src/index.js';
import { compile } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { replay, replayBatches, replayInto, SinkTo, type Perturbation } from '../src/engine/replay.js';
import { firstBatchFor } from '../src/check/param-check.js';
import { tanh } from '../src/ops/tanh.js';

/** tanh, counting its forward calls; `slowMs`: each call takes that long (a model whose replays are slow). */
const counted = (slowMs = 0) => {
  const wait = (ms: number) => {
    for (const end = performance.now() + ms; performance.now() < end; );
  };
  const op: Op & { calls: number } = { ...tanh, name: 'counted_tanh', calls: 0, update: undefined, forward: (i, a) => (op.calls++, wait(slowMs), tanh.forward(i, a)) };
  return op;
};
const small = (op: string) => graph().param('P', [[0.1, 0.2, 0.3]]).node('T', op, ['P']).node('c', 'sum', ['T']).build();
const reportOf = (events: CheckEvent[]) => (events.at(-1) as { report: CheckReport }).report;

describe('checkGraph$', () => {
  it('streams progress in batches, the first of about a millisecond of replays by the forward pass, then doubling, then the report', async () => {
    // Replays of 0.6 ms: a first batch of one pair (2 evaluations), then the 4 left.
    const slow = counted(0.6);
    const events = await lastValueFrom(checkGraph$(small(slow.name), { ops: [slow], mode: 'graph' }).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['progress', 'progress', 'report']);
    expect(events.slice(0, 2).map((e) => e.type === 'progress' && [e.done, e.total, e.param])).toEqual([[2, 6, 'P'], [6, 6, 'P']]);
    expect(reportOf(events)).toMatchObject({ verdict: 'pass', evaluations: 7 });
    // Replays of a microsecond: the whole pass in one batch.
    const fast = await lastValueFrom(checkGraph$(small('tanh'), { mode: 'graph' }).pipe(toArray()));
    expect(fast.map((e) => e.type === 'progress' ? [e.done, e.total] : e.type)).toEqual([[6, 6], 'report']);
    expect(firstBatchFor(0.6e-3)).toBe(2);
    expect([firstBatchFor(1e-6), firstBatchFor(0.1e-3), firstBatchFor(0), firstBatchFor(NaN)]).toEqual([512, 8, 2, 2]);
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
    const op = counted(0.6);
    await firstValueFrom(checkGraph$(small(op.name), { ops: [op], mode: 'graph' }).pipe(take(1)));
    // One guarded forward pass, one timed forward pass, then exactly the two replays of the first element (the first batch).
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
        // Stop after the first node's progress event (nodes are checked from the objective back).
        tap((e) => e.type === 'progress' && e.param === 'node c' && stop.next()),
        toArray(),
      ),
    );
    const report = reportOf(events);
    expect(report.complete).toBe(false);
    expect(report.verdict).toBe('incomplete');
    expect(report.nodes!.map((n) => n.id)).toEqual(['c']);
  });

  it("checks nodes from the objective back, and reports them in the graph's order", () => {
    const g = graph().param('P', [[0.1, 0.2, 0.3]]).node('A', 'tanh', ['P']).node('B', 'tanh', ['A']).node('C', 'tanh', ['B']).node('c', 'sum', ['C']).build();
    const order: string[] = [];
    let report: CheckReport | undefined;
    checkGraph$(g, { mode: 'nodes' }).subscribe((e) => (e.type === 'progress' ? order.push(e.param) : (report = e.report)));
    expect(order).toEqual(['node c', 'node C', 'node B', 'node A']);
    expect(report!.nodes!.map((n) => n.id)).toEqual(['A', 'B', 'C', 'c']);
  });
});

describe('replayBatches, the driver under the checks', () => {
  const setUp = (op: Op, elements = 20) => {
    const g = graph().param('P', [Array.from({ length: elements }, (_v, i) => 0.01 * i)]).node('T', op.name, ['P']).node('c', 'sum', ['T']).build();
    const registry = new OpRegistry();
    registry.register(op, 'test');
    const plan = compile(g, registry);
    return { plan, baseline: forwardGuarded(plan).values };
  };
  const steps = (count: number): Perturbation[] => Array.from({ length: count }, (_v, i) => ({ param: 'P', index: i >> 1, step: i % 2 ? -1e-3 : 1e-3 }));

  it('emits batches of 2, 4, 8… up to the limit, in order, with the values replay gives one by one', async () => {
    const { plan, baseline } = setUp(counted());
    const batches = await lastValueFrom(replayBatches(plan, baseline, steps(40), { batch: 8 }).pipe(toArray()));
    expect(batches.map((b) => [b.start, b.values.length])).toEqual([[0, 2], [2, 4], [6, 8], [14, 8], [22, 8], [30, 8], [38, 2]]);
    const one = await lastValueFrom(replay(plan, baseline, steps(40)).pipe(toArray()));
    expect(batches.flatMap((b) => [...b.values])).toEqual(one.map((e) => e.value));
  });

  it('completes at once, emitting nothing, when there is nothing to replay', async () => {
    const { plan, baseline } = setUp(counted());
    expect(await lastValueFrom(replayBatches(plan, baseline, []).pipe(toArray()))).toEqual([]);
  });

  it('replays no further than the batch it was in when the subscriber unsubscribes', async () => {
    const op = counted();
    const { plan, baseline } = setUp(op);
    const calls = op.calls;
    await firstValueFrom(replayBatches(plan, baseline, steps(40)));
    expect(op.calls - calls).toBe(2);
  });

  it('replays one by one no further than the value taken when the subscriber of replay unsubscribes', async () => {
    // (replay's subscriber, not the driver's, is the one that unsubscribes: the driver must see it.)
    const op = counted();
    const { plan, baseline } = setUp(op);
    const calls = op.calls;
    const values = await lastValueFrom(replay(plan, baseline, steps(40)).pipe(take(3), toArray()));
    expect(values.map((e) => e.done)).toEqual([1, 2, 3]);
    expect(op.calls - calls).toBe(3);
  });

  it('errors, synchronously or in slices, when the one who takes its batches throws, and leaves the param as it was', async () => {
    for (const scheduler of [undefined, asyncScheduler]) {
      const op = counted();
      const { plan, baseline } = setUp(op);
      const before = plan.leaves[0].value.data.slice();
      const taking = new Observable((s) => replayInto(plan, baseline, steps(40), { scheduler }, new SinkTo(s, () => { throw new Error('pairing broke'); })));
      await expect(lastValueFrom(taking)).rejects.toThrow('pairing broke');
      expect(plan.leaves[0].value.data).toEqual(before);
    }
  });

  it('fails on a list whose runs say they wrote none, or more than asked, rather than stall or replay stale steps', async () => {
    for (const count of [0, 9]) {
      const { plan, baseline } = setUp(counted());
      const list = { length: 40, at: (i: number) => steps(40)[i], run: () => count };
      await expect(lastValueFrom(replayBatches(plan, baseline, list))).rejects.toThrow(`the list wrote ${count} perturbations at position 0, where 1 to 2 were asked for`);
    }
  });

  it('errors naming the param and the element for an element that is not there, emitting nothing of its batch', async () => {
    // A wrong element of the run's param stops the run before any of it is replayed; another
    // param ends the run, which is replayed, and the next one fails.
    for (const [bad, message, replayed] of [
      [{ param: 'P', index: 20, step: 1e-3 }, 'P has 20 elements; there is no element 20', 6],
      [{ param: 'P', index: 1.5, step: 1e-3 }, 'P has 20 elements; there is no element 1.5', 6],
      [{ param: 'Nope', index: 0, step: 1e-3 }, 'Nope', 9],
    ] as const) {
      const op = counted();
      const { plan, baseline } = setUp(op);
      const before = plan.leaves[0].value.data.slice();
      // Batches of 2 and 4, then a run of 8 whose fourth is wrong.
      const list = [...steps(9), bad, ...steps(4)];
      const emitted: number[] = [];
      const calls = op.calls;
      await expect(lastValueFrom(replayBatches(plan, baseline, list).pipe(tap((b) => emitted.push(b.start))))).rejects.toThrow(message);
      expect(emitted).toEqual([0, 2]);
      expect(op.calls - calls).toBe(replayed);
      expect(plan.leaves[0].value.data).toEqual(before);
    }
  });

  it('errors with the node named when a replay throws, and leaves the param as it was', async () => {
    let calls = 0;
    const op: Op = { ...tanh, name: 'breaks', update: undefined, forward: (i, a) => { if (++calls === 5) throw new Error('broke'); return tanh.forward(i, a); } };
    const { plan, baseline } = setUp(op);
    const before = plan.leaves[0].value.data.slice();
    await expect(lastValueFrom(replayBatches(plan, baseline, steps(40)))).rejects.toThrow('node T: breaks.forward threw: broke');
    expect(plan.leaves[0].value.data).toEqual(before);
  });
});
