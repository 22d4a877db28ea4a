/** Worker threads: a parallel check gives the single-threaded one's results bit for bit. */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { asyncScheduler, lastValueFrom, Observable, toArray } from 'rxjs';
import { checkGraph, checkGraphAsync, graph, createRandom, type CheckOptions, type Graph, type Op } from '../src/index.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { replayBatches, replayInto, SinkTo } from '../src/engine/replay.js';
import { loadGraphFile } from '../src/dsl/index.js';
import { compile } from '../src/engine/plan.js';
import { OpRegistry } from '../src/ops/registry.js';
import { portable } from '../src/engine/parallel-replay.js';

const randn = (seed: number, rows: number, cols: number, scale: number) => {
  const r = createRandom(seed);
  return { shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => r.normal() * scale) };
};
const inThreads = (g: Graph, options: CheckOptions) => checkGraphAsync(g, { ...options, workers: 2 });
const bits = (a: Float64Array) => [...a].map((v) => Object.is(v, -0) ? '-0' : String(v));

describe('replays in worker threads', () => {
  it('give the single-threaded numbers bit for bit, and leave the params as they were', async () => {
    // 1,260 elements: 2,520 evaluations, in 5 chunks of at most 512 over 2 threads.
    const g = graph().input('X', randn(1, 40, 30, 1)).param('W', randn(2, 30, 40, 0.2)).param('b', randn(3, 30, 1, 0.1)).param('V', randn(4, 1, 30, 0.3))
      .node('Z', 'linear', ['X', 'W', 'b']).node('H', 'tanh', ['Z']).node('U', 'matmul', ['V', 'H']).node('c', 'sum', ['U']).build();
    const before = g.leaves.map((l) => l.value.data.slice());
    const single = checkGraph(g, { mode: 'graph' });
    const parallel = await inThreads(g, { mode: 'graph' });
    expect(parallel.verdict).toBe('pass');
    expect(parallel.evaluations).toBe(single.evaluations);
    parallel.params.forEach((p, k) => expect(bits(p.numeric)).toEqual(bits(single.params[k].numeric)));
    g.leaves.forEach((l, i) => expect(l.value.data).toEqual(before[i]));
  });

  it('stop with the error when the one who takes their batches throws, the params as they were', async () => {
    // (The sink's callback stands for a pass's pairing: param-check.ts, replayInto with SinkTo.)
    const g = graph().param('W', randn(2, 30, 40, 0.2)).node('T', 'tanh', ['W']).node('c', 'sum', ['T']).build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const before = plan.leaves[0].value.data.slice();
    const list = Array.from({ length: 2400 }, (_v, i) => ({ param: 'W', index: i >> 1, step: i % 2 ? -1e-3 : 1e-3 }));
    const taking = new Observable((s) => replayInto(plan, baseline, list, { scheduler: asyncScheduler, workers: 2 }, new SinkTo(s, () => { throw new Error('pairing broke'); })));
    await expect(lastValueFrom(taking)).rejects.toThrow('pairing broke');
    expect(plan.leaves[0].value.data).toEqual(before);
  });

  it('load user op modules again in each thread (the seed bug, from its graph file)', async () => {
    const { graph: g, registry } = await loadGraphFile('graphs/fraud-buggy.graph');
    const single = checkGraph(g, { registry, mode: 'graph' });
    const parallel = await inThreads(g, { registry, mode: 'graph' });
    expect(parallel.verdict).toBe('fail');
    parallel.params.forEach((p, k) => expect(bits(p.numeric)).toEqual(bits(single.params[k].numeric)));
  });

  it('come back in their order when the first chunk ends last', async () => {
    // 600 elements: 1,200 evaluations in 3 chunks over 2 threads; every replay of element 0
    // (in the first chunk) waits 300 ms, so the second chunk is back well before the first.
    const path = resolve('test/helpers/slow-first-op.ts');
    const registry = new OpRegistry();
    registry.register((await import(path)).default as Op, path, path);
    const start = Float64Array.from({ length: 600 }, (_v, i) => (i === 0 ? 0.5 : 0.001 * i));
    const g = graph().param('P', { shape: [1, 600], data: start }).node('T', 'slow_first_tanh', ['P']).node('c', 'sum', ['T']).build();
    const plan = compile(g, registry);
    const baseline = forwardGuarded(plan).values;
    const steps = Array.from({ length: 1200 }, (_v, i) => ({ param: 'P', index: i >> 1, step: i % 2 ? -1e-4 : 1e-4 }));
    const batches = await lastValueFrom(replayBatches(plan, baseline, steps, { workers: 2, scheduler: asyncScheduler }).pipe(toArray()));
    expect(batches.map((b) => b.start)).toEqual([0, 512, 1024]);
    const single = await lastValueFrom(replayBatches(plan, baseline, steps, { workers: 1 }).pipe(toArray()));
    expect(bits(Float64Array.from(batches.flatMap((b) => [...b.values])))).toEqual(bits(Float64Array.from(single.flatMap((b) => [...b.values]))));
    expect(g.leaves[0].value.data).toEqual(start);
  });

  it('are not used for ops that a thread could not load again', () => {
    const registry = new OpRegistry();
    const inline: Op = { name: 'inline_op', inputs: ['x'], forward: ([x]) => x, backward: (_i, _o, d) => [d] };
    registry.register(inline, 'test');
    const g = graph().param('P', [[1, 2]]).node('Y', 'inline_op', ['P']).node('c', 'sum', ['Y']).build();
    expect(portable(compile(g, registry))).toBe(false);
  });
});
