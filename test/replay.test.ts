/** The RxJS side of checks and of the driver: progress, batches, empty, errors, early unsubscribe, async slices. */
import { describe, expect, it, vi } from 'vitest';
import { asyncScheduler, firstValueFrom, lastValueFrom, Subject, take, tap, toArray } from 'rxjs';
import { checkGraph$, createRandom, graph, OpRegistry, type CheckEvent, type CheckReport, type Op } from '../src/index.js';
import { compile, type Plan } from '../src/engine/plan.js';
import { forwardGuarded, type Values } from '../src/engine/forward.js';
import { linear } from '../src/ops/linear.js';
import { replay, replayBatches, type Perturbation } from '../src/engine/replay.js';
import { SignDirection } from '../src/check/sign-direction.js';
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

describe('directions, made element by element when used', () => {
  const setUp = () => {
    const g = graph().param('P', [[0.5, -2, 3.5]]).param('Q', [[40]]).node('T', 'tanh', ['P']).node('U', 'mul', ['T', 'Q']).node('c', 'sum', ['U']).build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const targets = plan.leaves.map((l) => ({ name: l.name, data: l.value.data, analytic: new Float64Array(l.value.data.length) }));
    return { plan, baseline, targets };
  };

  it('replays θ + step·v for the v it makes, the same v at each use, of unit length, scaled like the steps', async () => {
    const { plan, baseline, targets } = setUp();
    const direction = new SignDirection(targets, 5);
    const [vP, vQ] = direction.vectors();
    expect(Math.hypot(...vP, ...vQ)).toBeCloseTo(1, 15);
    // An element up to 1 in size takes a share of 1, else the power of two at or above it.
    expect([...vP, ...vQ].map(Math.abs).map((a) => a / Math.abs(vP[0]))).toEqual([1, 2, 4, 64]);
    const values = await lastValueFrom(replay(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -1e-3 }]).pipe(toArray()));
    const by = (step: number) => {
      const p = targets[0].data.map((x, i) => x + step * vP[i]);
      return p.reduce((s, x) => s + Math.tanh(x) * (40 + step * vQ[0]), 0);
    };
    expect(values[0].value).toBeCloseTo(by(1e-3), 13);
    expect(values[1].value).toBeCloseTo(by(-1e-3), 13);
    expect(values[0].value).not.toBe(values[1].value);
    expect(targets.map((t) => [...t.data])).toEqual([[0.5, -2, 3.5], [40]]);
    expect(direction.vectors()).toEqual([vP, vQ]);
    expect(new SignDirection(targets, 6).vectors()).not.toEqual([vP, vQ]);
  });

  it('gives a param within [−1, 1] entries of ±1/‖v‖, and one past it its power of two over ‖v‖', () => {
    const targets = [
      { name: 'R', data: Float64Array.of(0.5, -1, 0.25, 1), analytic: new Float64Array(4) },
      { name: 'S', data: Float64Array.of(3), analytic: new Float64Array(1) },
    ];
    // ‖v‖ = √(4·1² + 4²): 3 takes the power of two at or above it.
    const [r, [s0]] = new SignDirection(targets, 2).vectors();
    expect([...r].map(Math.abs)).toEqual([1, 1, 1, 1].map(() => 1 / Math.sqrt(20)));
    expect(Math.abs(s0)).toBe(4 * (1 / Math.sqrt(20)));
    expect(new Set([...r].map(Math.sign)).size).toBe(2);
  });

  it('gives gᵀv for the v it moves along', () => {
    const { targets } = setUp();
    const direction = new SignDirection(targets, 9);
    const g = [Float64Array.of(1, 2, 3), Float64Array.of(-4)];
    const v = direction.vectors();
    expect(direction.dot(g)).toBe(g[0][0] * v[0][0] + g[0][1] * v[0][1] + g[0][2] * v[0][2] + g[1][0] * v[1][0]);
  });
});

describe('a central difference along a direction, where a layer is affine in what moves', () => {
  // Z1 = W1·X + b1 with W1 and b1 moving and X not: the −t replay takes 2·Z1(θ) − Z1(θ + t·v)
  // from the +t one, instead of the product (and leaves W1 and b1 unmoved); Z2's X moves, so Z2
  // is recomputed.
  const setUp = () => {
    const random = createRandom(3);
    const m = (rows: number, cols: number) => ({ shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => random.normal()) });
    const g = graph()
      .input('X', m(4, 5))
      .param('W1', m(3, 4))
      .param('b1', m(3, 1))
      .param('W2', m(1, 3))
      .node('Z1', 'linear', ['X', 'W1', 'b1'])
      .node('A1', 'tanh', ['Z1'])
      .node('Z2', 'linear', ['A1', 'W2'])
      .node('c', 'sum', ['Z2'])
      .build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const targets = plan.leaves.filter((l) => l.kind === 'param').map((l) => ({ name: l.name, data: l.value.data, analytic: new Float64Array(l.value.data.length) }));
    return { plan, baseline, targets, direction: new SignDirection(targets, 4) };
  };
  const values = async (plan: Plan, baseline: Values, perturbations: Perturbation[]) => (await lastValueFrom(replay(plan, baseline, perturbations).pipe(toArray()))).map((e) => e.value);

  it('gives J(θ − t·v) as a whole replay does, to rounding, with one product of the layer fewer', async () => {
    const { plan, baseline, targets, direction } = setUp();
    const params = targets.map((t) => [...t.data]);
    const spy = vi.spyOn(linear, 'forward');
    const [plus, minus] = await values(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -1e-3 }]);
    const products = spy.mock.calls.length;
    // −t alone (no +t before it) is a whole replay.
    const [whole] = await values(plan, baseline, [{ direction, step: -1e-3 }]);
    expect(spy.mock.calls.length - products).toBe(2);
    spy.mockRestore();
    expect(products).toBe(3);
    expect(Math.abs(minus - whole)).toBeLessThan(1e-14 * Math.abs(whole) + 1e-15);
    expect(minus).not.toBe(plus);
    expect(targets.map((t) => [...t.data])).toEqual(params);
  });

  it('replays in full a layer with an infinite value (whose reflection would be NaN)', async () => {
    // X2 = X ⊙ X overflows to +∞ and does not move; Z = W·X2 + b is affine in W and b.
    const g = graph()
      .input('X', { shape: [2, 2], data: Float64Array.of(1e200, 0.5, -0.3, 1e200) })
      .param('W', { shape: [1, 2], data: Float64Array.of(0.7, 0.2) })
      .param('b', { shape: [1, 1], data: Float64Array.of(0.1) })
      .node('X2', 'mul', ['X', 'X'])
      .node('Z', 'linear', ['X2', 'W', 'b'])
      .node('S', 'tanh', ['Z'])
      .node('J', 'sum', ['S'])
      .build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const targets = plan.leaves.filter((l) => l.kind === 'param').map((l) => ({ name: l.name, data: l.value.data, analytic: new Float64Array(l.value.data.length) }));
    const direction = new SignDirection(targets, 4);
    expect(await values(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -1e-3 }])).toEqual([2, 2]);
  });

  it('replays in full when the steps are not opposite, or the direction changes', async () => {
    const { plan, baseline, targets, direction } = setUp();
    const other = new SignDirection(targets, 5);
    const spy = vi.spyOn(linear, 'forward');
    await values(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -2e-3 }, { direction: other, step: 2e-3 }, { direction, step: -2e-3 }]);
    expect(spy.mock.calls.length).toBe(8);
    spy.mockRestore();
  });
});
