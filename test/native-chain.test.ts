/**
 * The native chain of layers (native/chain.c, src/engine/native-chain.ts) against the JavaScript
 * replay it stands in for: every element of every param of random networks, moved both ways,
 * gives the same bits (NaN as NaN), with ±Infinity and NaN in the layers; the chain is made where it
 * should be, stops where it must, and leaves params and buffers as they were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, graph, OpRegistry, type Graph, type Tensor } from '../src/index.js';
import { bitsOf, labels, matrix, mlp } from './helpers/networks.js';
import { nativeAvailable, useExactMath, useNativeKernels } from '../src/core/native.js';
import { compile, type Plan } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { Replayer } from '../src/engine/replayer.js';
import { nativeChain } from '../src/engine/native-chain.js';
import { linear } from '../src/ops/linear.js';

/**
 * Every element of every param moved by each step, replayed: the objective's bits (NaN as one
 * value). One element at a time (Replayer.element), or `batched`: each element's steps in one run
 * (Replayer.elements, as the driver replays).
 */
function replayAll(plan: Plan, steps: number[], batched = false, planChain = true): string[] {
  const replayer = new Replayer(plan, forwardGuarded(plan).values, true, 0, planChain ? 0 : Infinity);
  const out: string[] = [];
  const values = new Float64Array(steps.length + 1);
  plan.leaves.forEach((leaf, slot) => {
    if (leaf.kind !== 'param') return;
    for (let i = 0; i < leaf.value.data.length; i++) {
      if (!batched) for (const step of steps) out.push(bitsOf(replayer.element(slot, i, step)));
      else {
        replayer.elements(slot, Int32Array.from(steps, () => i), Float64Array.from(steps), steps.length, values, 1);
        out.push(...Array.from(values.subarray(1), bitsOf));
      }
    }
  });
  return out;
}

/**
 * The replays with the plan's one chain for every param (where it has one), with a chain per
 * param, and with chains that leave sigmoid and the cost to JavaScript (`native`, the three one
 * after the other), and with the JavaScript loops alone (`js`, three times over to match).
 */
function bothWays(g: Graph, steps = [1e-3, -1e-3, 1e-7]) {
  const plan = compile(g, new OpRegistry());
  useNativeKernels(true);
  const native = replayAll(plan, steps, true);
  const perParam = replayAll(plan, steps, false, false);
  const exact = useExactMath(false);
  const shorter = replayAll(plan, steps);
  useExactMath(exact);
  useNativeKernels(false);
  const js = replayAll(plan, steps, true);
  useNativeKernels(true);
  return { native: [...native, ...perParam, ...shorter], js: [...js, ...js, ...js], plan };
}

/** The chain made after each param: its frontier's and the following nodes' names. */
function chains(plan: Plan) {
  const values = forwardGuarded(plan).values;
  const buffers = new Replayer(plan, values, true)['buffers'] as (Tensor | null)[];
  const name = (slot: number) => plan.nodes.find((n) => n.slot === slot)!.id;
  return Object.fromEntries(
    plan.leaves.flatMap((leaf, slot) => {
      if (leaf.kind !== 'param') return [];
      const chain = nativeChain(plan, slot, values, buffers);
      return [[leaf.name, chain ? `${name(chain.frontier)} | ${chain.rest.map((n) => n.id).join(' ')}` : null]];
    }),
  );
}

afterEach(() => {
  useNativeKernels(true);
});

describe.runIf(nativeAvailable())('the native chain of layers gives the JavaScript replay bits', () => {
  it('is made after every param of an MLP, up to the cost (to the last linear layer without V8\'s exp and log)', () => {
    const plan = compile(mlp(1, [6, 5, 4, 1], 3), new OpRegistry());
    expect(chains(plan)).toEqual({ W1: 'cost | ', b1: 'cost | ', W2: 'cost | ', W3: 'cost | ', b3: 'cost | ' });
    const before = useExactMath(false);
    expect(chains(plan)).toEqual({ W1: 'Z3 | S cost', b1: 'Z3 | S cost', W2: 'Z3 | S cost', W3: 'Z3 | S cost', b3: 'Z3 | S cost' });
    useExactMath(before);
    useNativeKernels(false);
    expect(Object.values(chains(plan))).toEqual([null, null, null, null, null]);
  });

  it.each([
    ['the seed shape 4-5-3-1, m = 3', 1, [4, 5, 3, 1], 3],
    ['one example', 2, [3, 4, 2, 1], 1],
    ['one unit per layer', 3, [2, 1, 1, 1], 4],
    ['wide layers, m = 33 (whole-row loops)', 4, [40, 36, 24, 1], 33],
    ['two outputs', 5, [7, 9, 6, 2], 16],
    ['four layers', 6, [5, 8, 8, 6, 1], 9],
  ])('an MLP: %s', (_name, seed, sizes, m) => {
    const { native, js } = bothWays(mlp(seed, sizes, m));
    expect(native).toEqual(js);
  });

  it('with −Infinity in a layer, and −0, 0 and subnormal weights', () => {
    for (const seed of [7, 8, 9]) {
      const g = mlp(seed, [12, 10, 8, 1], 20, true);
      const { native, js, plan } = bothWays(g);
      expect(Array.from(forwardGuarded(plan).values[plan.slotOf.get('Z1')!].data).filter((v) => v === -Infinity).length).toBeGreaterThan(0);
      expect(native).toEqual(js);
    }
  });

  it('with saturated sigmoids (exactly 0 and 1) and labels between 0 and 1', () => {
    for (const seed of [16, 17]) {
      const g = mlp(seed, [5, 6, 4, 2], 12);
      const W3 = g.leaves.find((l) => l.name === 'W3')!.value.data;
      // Row 0 of Z3 large and positive (A2 ≥ 0), row 1 large and negative.
      W3.forEach((v, i) => (W3[i] = (i < W3.length / 2 ? 400 : -400) * Math.abs(v)));
      const before = compile(g, new OpRegistry());
      const S = forwardGuarded(before).values[before.slotOf.get('S')!].data;
      expect(S.some((v) => v === 1) && S.some((v) => v < 1e-12)).toBe(true);
      // Labels that keep the cost finite: the saturated side's own (1 for 1, 0 for 0), else between.
      const Y = g.leaves.find((l) => l.name === 'Y')!.value.data;
      S.forEach((v, i) => (Y[i] = v === 1 ? 1 : v === 0 ? 0 : [0, 1, 0.25, 0.9][i % 4]));
      const { native, js } = bothWays(g);
      expect(native).toEqual(js);
    }
  });

  it('with labels that move (the sigmoid of a param) and labels outside [0, 1]', () => {
    const random = createRandom(20);
    const moving = graph()
      .input('X', matrix(random, 4, 6))
      .param('L', matrix(random, 1, 6))
      .param('W1', matrix(random, 3, 4))
      .param('W2', matrix(random, 1, 3))
      .node('Y', 'sigmoid', ['L'])
      .node('Z1', 'linear', ['X', 'W1'])
      .node('A1', 'relu', ['Z1'])
      .node('Z2', 'linear', ['A1', 'W2'])
      .node('P', 'sigmoid', ['Z2'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const outside = mlp(21, [5, 4, 1], 6);
    outside.leaves.find((l) => l.name === 'Y')!.value.data.set([-1, 2, 0.5, -0, 1e3, -3]);
    for (const g of [moving, outside]) {
      const { native, js } = bothWays(g);
      expect(native).toEqual(js);
    }
  });

  it('with ReLU inputs at 0 and a step that moves nothing (−0 for 0)', () => {
    const g = mlp(10, [3, 4, 3, 1], 5);
    g.leaves.find((l) => l.name === 'X')!.value.data.fill(0, 0, 5);
    const { native, js } = bothWays(g, [1e-3, -0, 5e-324]);
    expect(native).toEqual(js);
  });

  it('a sparse input: updates over a few columns, layer after layer', () => {
    const random = createRandom(15);
    const X = matrix(random, 8, 24);
    X.data.forEach((_v, i) => random.uniform() < 0.9 && (X.data[i] = 0));
    const g = graph()
      .input('X', X)
      .input('Y', labels(24))
      .param('W1', matrix(random, 6, 8))
      .param('b1', matrix(random, 6, 1))
      .param('W2', matrix(random, 5, 6))
      .param('W3', matrix(random, 4, 5))
      .param('W4', matrix(random, 1, 4))
      .node('Z1', 'linear', ['X', 'W1', 'b1'])
      .node('Z2', 'linear', ['Z1', 'W2'])
      .node('Z3', 'linear', ['Z2', 'W3'])
      .node('A3', 'relu', ['Z3'])
      .node('Z4', 'linear', ['A3', 'W4'])
      .node('P', 'sigmoid', ['Z4'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const { native, js } = bothWays(g);
    expect(native).toEqual(js);
  });

  it('stops where one of its values is read after it (a skip connection)', () => {
    const random = createRandom(11);
    const g = graph()
      .input('X', matrix(random, 5, 6))
      .input('Y', labels(6))
      .param('W1', matrix(random, 4, 5))
      .param('W2', matrix(random, 4, 4))
      .param('W3', matrix(random, 1, 4))
      .node('Z1', 'linear', ['X', 'W1'])
      .node('A1', 'relu', ['Z1'])
      .node('Z2', 'linear', ['A1', 'W2'])
      .node('A2', 'relu', ['Z2'])
      .node('S', 'add', ['A1', 'A2'])
      .node('Z3', 'linear', ['S', 'W3'])
      .node('P', 'sigmoid', ['Z3'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const { native, js, plan } = bothWays(g);
    expect(chains(plan)).toEqual({ W1: 'A1 | Z2 A2 S Z3 P cost', W2: 'A2 | S Z3 P cost', W3: 'cost | ' });
    expect(native).toEqual(js);
  });

  it('runs a param read by relu or as a linear layer X, and a weight that is a node (relu of a param)', () => {
    const random = createRandom(12);
    const g = graph()
      .input('Y', labels(4))
      .param('H', matrix(random, 3, 4, true))
      .param('V', matrix(random, 2, 3))
      .param('W0', matrix(random, 1, 2))
      .node('R', 'relu', ['H'])
      .node('Z', 'linear', ['R', 'V'])
      .node('U', 'relu', ['W0'])
      .node('Z2', 'linear', ['Z', 'U'])
      .node('P', 'sigmoid', ['Z2'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const { native, js, plan } = bothWays(g);
    expect(chains(plan)).toEqual({ H: 'cost | ', V: 'cost | ', W0: 'cost | ' });
    expect(native).toEqual(js);
  });

  it('runs a user op with linear forward and update rules (and its own backward) as linear', () => {
    const registry = new OpRegistry();
    registry.register({ ...linear, name: 'mylinear', backward: linear.backward }, 'test');
    const random = createRandom(13);
    const g = graph()
      .input('X', matrix(random, 3, 4))
      .input('Y', labels(4))
      .param('W', matrix(random, 1, 3))
      .node('Z', 'mylinear', ['X', 'W'])
      .node('P', 'sigmoid', ['Z'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const plan = compile(g, registry);
    const values = forwardGuarded(plan).values;
    const chain = nativeChain(plan, plan.slotOf.get('W')!, values, new Replayer(plan, values, true)['buffers'] as (Tensor | null)[]);
    expect(chain?.rest.map((n) => n.id)).toEqual([]);
  });

  it('leaves every param and every buffer as it was', () => {
    const plan = compile(mlp(14, [6, 7, 5, 1], 8, true), new OpRegistry());
    const values = forwardGuarded(plan).values;
    const replayer = new Replayer(plan, values, true, 0);
    const params = plan.leaves.map((l) => Array.from(l.value.data, bitsOf));
    const buffers = (replayer['buffers'] as (Tensor | null)[]).map((b) => b && Array.from(b.data, bitsOf));
    plan.leaves.forEach((leaf, slot) => {
      if (leaf.kind === 'param') for (let i = 0; i < leaf.value.data.length; i++) replayer.element(slot, i, 0.37);
    });
    expect(plan.leaves.map((l) => Array.from(l.value.data, bitsOf))).toEqual(params);
    expect((replayer['buffers'] as (Tensor | null)[]).map((b) => b && Array.from(b.data, bitsOf))).toEqual(buffers);
  });

});
