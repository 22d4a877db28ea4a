/**
 * The native chain of layers (native/chain.c, src/engine/native-chain.ts) against the JavaScript
 * replay it stands in for: every element of every param of random networks, moved both ways,
 * gives the same bits (NaN as NaN), with ±Infinity and NaN in the layers; the chain is made where it
 * should be, stops where it must, and leaves params and buffers as they were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, graph, OpRegistry, type Graph, type Random, type Tensor } from '../src/index.js';
import { nativeAvailable, nativeKernels, useExactMath, useNativeKernels } from '../src/core/native.js';
import { compile, type Plan } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { Replayer } from '../src/engine/replayer.js';
import { nativeChain, planChains } from '../src/engine/native-chain.js';
import { linear } from '../src/ops/linear.js';

// Leaves must be finite (compile checks); −MAX_VALUE in a weight makes −Infinity in its layer (which
// relu turns into 0, and a move of the weight leaves as it is), and −0, 0 and the least subnormal.
const odd = [-Number.MAX_VALUE, -0, 0, 5e-324];
const matrix = (random: Random, rows: number, cols: number, oddOnes = false): Tensor => ({
  shape: [rows, cols],
  data: Float64Array.from({ length: rows * cols }, () => (oddOnes && random.uniform() < 0.04 ? odd[Math.floor(random.uniform() * odd.length)] : random.normal() / Math.sqrt(cols))),
});
const labels = (m: number, rows = 1) => ({ shape: [rows, m], data: Float64Array.from({ length: rows * m }, (_v, i) => i % 2) });

/**
 * The seed's kind of network: layers of `sizes`, relu between, sigmoid and the logistic cost; some
 * layers without b. With `oddOnes`, X is over 1 and W1 holds odd values.
 */
function mlp(seed: number, sizes: number[], m: number, oddOnes = false): Graph {
  const random = createRandom(seed);
  const X = matrix(random, sizes[0], m);
  if (oddOnes) X.data.forEach((v, i) => (X.data[i] = 1 + Math.abs(v)));
  let g = graph().input('X', X).input('Y', labels(m, sizes.at(-1)));
  let prev = 'X';
  for (let l = 1; l < sizes.length; l++) {
    const withBias = (seed + l) % 3 !== 0;
    const W = matrix(random, sizes[l], sizes[l - 1], oddOnes && l === 1);
    if (oddOnes && l === 1) W.data[1] = -Number.MAX_VALUE;
    g = g.param(`W${l}`, W);
    if (withBias) g = g.param(`b${l}`, matrix(random, sizes[l], 1));
    g = g.node(`Z${l}`, 'linear', [prev, `W${l}`, ...(withBias ? [`b${l}`] : [])]);
    prev = l < sizes.length - 1 ? `A${l}` : 'S';
    g = g.node(prev, l < sizes.length - 1 ? 'relu' : 'sigmoid', [`Z${l}`]);
  }
  return g.node('cost', 'logloss', ['S', 'Y']).build();
}

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
const bitsOf = (v: number) => (Number.isNaN(v) ? 'NaN' : new BigUint64Array(Float64Array.of(v).buffer)[0].toString(16));

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
  it('is made once for every param of a plan of chain ops, and not for a plan with another op', () => {
    const values = (p: Plan) => forwardGuarded(p).values;
    const buffers = (p: Plan) => new Replayer(p, values(p), true)['buffers'] as (Tensor | null)[];
    const plan = compile(mlp(1, [6, 5, 4, 1], 3), new OpRegistry());
    const chains = planChains(plan, values(plan), buffers(plan));
    expect([...(chains?.keys() ?? [])].map((slot) => plan.leaves[slot].name)).toEqual(['W1', 'b1', 'W2', 'W3', 'b3']);
    expect([...chains!.values()].every((c) => c.complete && c.frontier === plan.objective)).toBe(true);
    const withAdd = compile(graph().input('X', matrix(createRandom(1), 2, 3)).input('Y', labels(3)).param('W', matrix(createRandom(2), 1, 2)).node('Z', 'linear', ['X', 'W']).node('Z2', 'add', ['Z', 'Z']).node('P', 'sigmoid', ['Z2']).node('cost', 'logloss', ['P', 'Y']).build(), new OpRegistry());
    expect(planChains(withAdd, values(withAdd), buffers(withAdd))).toBeNull();
    const exact = useExactMath(false);
    expect(planChains(plan, values(plan), buffers(plan))).toBeNull();
    useExactMath(exact);
  });

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

  it('chainSteps refuses an element or a count out of range, before it moves anything', () => {
    const plan = compile(mlp(18, [3, 4, 1], 5), new OpRegistry());
    const values = forwardGuarded(plan).values;
    const replayer = new Replayer(plan, values, true, 0);
    const slot = plan.slotOf.get('W1')!;
    const W1 = plan.leaves[slot].value.data;
    const before = Array.from(W1, bitsOf);
    const out = new Float64Array(4);
    // W1 is [4, 3]: 12 elements.
    expect(() => replayer.elements(slot, Int32Array.of(0, 12), Float64Array.of(0.5, 0.5), 2, out, 0)).toThrow(RangeError);
    expect(() => replayer.elements(slot, Int32Array.of(0, 1), Float64Array.of(0.5, 0.5), 3, out, 0)).toThrow(RangeError);
    expect(() => replayer.elements(slot, Int32Array.of(0, 1), Float64Array.of(0.5, 0.5), 2, out, 3)).toThrow(RangeError);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(Array.from(W1, bitsOf)).toEqual(before);
    replayer.elements(slot, Int32Array.of(11, 11), Float64Array.of(0.5, -0.5), 2, out, 2);
    expect(bitsOf(out[2])).toBe(bitsOf(replayer.element(slot, 11, 0.5)));
    expect(bitsOf(out[3])).toBe(bitsOf(replayer.element(slot, 11, -0.5)));
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

  it('refuses a program that does not fit its arrays', () => {
    const native = nativeKernels()!;
    const a = new Float64Array(6);
    const [z, zBase, w] = [new Float64Array(4), new Float64Array(4), new Float64Array(2)];
    // values: W [2, 1] (the param), X [1, 3], Z [2, 2]: X has 3 columns, Z 2; params: W, or W and Z.
    const program = (xCols: number, zCols: number, params = [0]) => Int32Array.from([3, 1, params.length, 2, ...params, 2, 1, 2, -1, 1, xCols, 3, -1, 2, zCols, 0, 1, 1, 2, 1, 0, -1]);
    const arrays = [z, zBase, w, a];
    expect(() => native.chainCreate(arrays, program(3, 2), new Int32Array(4))).toThrow(RangeError);
    expect(() => native.chainCreate(arrays, program(2, 2), new Int32Array(1))).toThrow(RangeError);
    // A param must be a leaf (Z is a step's output), named once, within the values.
    for (const params of [[0, 2], [0, 0], [3], []]) expect(() => native.chainCreate(arrays, program(2, 2, params), new Int32Array(4))).toThrow(RangeError);
    const chain = native.chainCreate(arrays, program(2, 2), new Int32Array(4));
    expect(() => native.chainRun(chain, 0, 2, 1)).toThrow(RangeError);
    expect(() => native.chainRun(chain, 1, 0, 1)).toThrow(RangeError);
    // chainStep only for a chain whose last value is one number (the objective).
    expect(() => native.chainStep(chain, 0, 0, 1)).toThrow(RangeError);
    expect(() => native.chainSteps(chain, 0, Int32Array.of(0), Float64Array.of(1), 1, new Float64Array(1), 0)).toThrow(RangeError);
    expect(() => native.chainRun(chain, 0, 1, 1)).not.toThrow();
  });
});
