/** Replays along directions (direction-replay.ts, random-direction.ts): the directions made where used, and the −t replay that reflects an affine layer. */
import { describe, expect, it, vi } from 'vitest';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { createRandom, graph, methodOf, OpRegistry } from '../src/index.js';
import { compile, type Plan } from '../src/engine/plan.js';
import { forwardGuarded, type Values } from '../src/engine/forward.js';
import { linear } from '../src/ops/linear.js';
import { replay, type Perturbation } from '../src/engine/replay.js';
import { directionCache, RandomDirection } from '../src/check/random-direction.js';
import { deriveSeed } from '../src/core/random.js';
import { checkDirections } from '../src/check/directional.js';

describe('directions, made element by element when used', () => {
  const setUp = () => {
    const g = graph().param('P', [[0.5, -2, 3.5]]).param('Q', [[40]]).node('T', 'tanh', ['P']).node('U', 'mul', ['T', 'Q']).node('c', 'sum', ['U']).build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const targets = plan.leaves.map((l) => ({ name: l.name, data: l.value.data, analytic: new Float64Array(l.value.data.length) }));
    return { plan, baseline, targets };
  };

  it('holds one direction whole while a check along directions runs, and lets it go when its passes end', async () => {
    const { plan, baseline, targets } = setUp();
    const cache = directionCache();
    const held: number[] = [];
    const checks = checkDirections(plan, baseline, [targets], methodOf('auto'), 3, baseline[plan.objective].data[0], {}, [], cache);
    await lastValueFrom(checks.pipe(tap(() => held.push(cache.vectors.reduce((n, v) => n + v.length, 0)))));
    // 3 + 1 elements held at each pair of evaluations, none once the passes ended.
    expect(held.length).toBeGreaterThan(0);
    expect(new Set(held)).toEqual(new Set([4]));
    expect([cache.owner, cache.vectors]).toEqual([null, []]);
  });

  it('replays θ + step·v for the v it makes, the same v at each use, of about unit length, scaled like the steps', async () => {
    const { plan, baseline, targets } = setUp();
    const direction = new RandomDirection(targets, 5);
    const [vP, vQ] = direction.vectors();
    // Over the norm its entries have on average: here the one of share 64 decides it, |m|/√(7/12).
    expect(Math.hypot(...vP, ...vQ)).toBeGreaterThan(0.65);
    expect(Math.hypot(...vP, ...vQ)).toBeLessThan(1.31);
    // An element up to 1 in size takes a share of 1, else the power of two at or above it; each
    // entry is its share times a magnitude in [1/2, 1) over ‖v‖.
    const perShare = [...vP, ...vQ].map(Math.abs).map((a, i) => a / [1, 2, 4, 64][i]);
    expect(Math.max(...perShare) / Math.min(...perShare)).toBeLessThan(2);
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
    expect(new RandomDirection(targets, 6).vectors()).not.toEqual([vP, vQ]);
  });

  it('gives each element a random sign and a magnitude in [1/2, 1) times its share, over ‖v‖', () => {
    const targets = [
      { name: 'R', data: Float64Array.of(0.5, -1, 0.25, 1), analytic: new Float64Array(4) },
      { name: 'S', data: Float64Array.of(3), analytic: new Float64Array(1) },
    ];
    // 3 takes the power of two at or above it, 4; the others a share of 1.
    const [r, [s0]] = new RandomDirection(targets, 2).vectors();
    const perShare = [...[...r].map(Math.abs), Math.abs(s0) / 4];
    // Each magnitude over √(7/12 · (4·1² + 4²)), the norm such entries have on average.
    perShare.forEach((u) => expect(u * Math.sqrt((7 / 12) * 20)).toBeGreaterThanOrEqual(0.5));
    perShare.forEach((u) => expect(u * Math.sqrt((7 / 12) * 20)).toBeLessThan(1));
    expect(Math.max(...perShare) / Math.min(...perShare)).toBeLessThan(2);
    expect(new Set(perShare).size).toBe(5);
    expect(new Set([...r].map(Math.sign)).size).toBe(2);
  });

  it('sees an error confined to two elements along some direction, whichever two (signs alone miss 1 in 8)', () => {
    // A rule that swaps elements i and j of a gradient is wrong by e = δ(1_j − 1_i): eᵀv = δ(v_j − v_i),
    // 0 for entries of one sign and one size.
    const targets = [{ name: 'P', data: Float64Array.from({ length: 16 }, (_v, i) => Math.sin(i)), analytic: new Float64Array(16) }];
    const directions = [0, 1, 2].map((d) => new RandomDirection(targets, deriveSeed(7, d)));
    const seen: number[] = [];
    for (let i = 0; i < 16; i++) {
      for (let j = i + 1; j < 16; j++) {
        const e = new Float64Array(16);
        [e[i], e[j]] = [-1, 1];
        seen.push(Math.max(...directions.map((d) => Math.abs(d.dot([e])))));
      }
    }
    expect(seen.length).toBe(120);
    expect(Math.min(...seen)).toBeGreaterThan(1e-4);
  });

  it('gives gᵀv for the v it moves along', () => {
    const { targets } = setUp();
    const direction = new RandomDirection(targets, 9);
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
    return { plan, baseline, targets, direction: new RandomDirection(targets, 4) };
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
    const direction = new RandomDirection(targets, 4);
    expect(await values(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -1e-3 }])).toEqual([2, 2]);
  });

  it('replays in full when the steps are not opposite, or the direction changes', async () => {
    const { plan, baseline, targets, direction } = setUp();
    const other = new RandomDirection(targets, 5);
    const spy = vi.spyOn(linear, 'forward');
    await values(plan, baseline, [{ direction, step: 1e-3 }, { direction, step: -2e-3 }, { direction: other, step: 2e-3 }, { direction, step: -2e-3 }]);
    expect(spy.mock.calls.length).toBe(8);
    spy.mockRestore();
  });
});
