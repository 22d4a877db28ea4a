/**
 * The native kernels (native/kernels.c) against the JavaScript loops they stand in for: the same
 * bits, on shapes large enough for the ops to call them, with NaN, ±Infinity and −0 among the
 * values; and whole checks that give the same numbers either way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkGraph, createRandom, graph, type Random, type Tensor } from '../src/index.js';
import type { RowChange } from '../src/core/op.js';
import { matmul } from '../src/core/kernels.js';
import { nativeAvailable, nativeKernels, nativeMathExact, useNativeKernels } from '../src/core/native.js';
import { linear } from '../src/ops/linear.js';
import { relu } from '../src/ops/relu.js';

/** The bits of each number, NaN as one value: its sign and payload bits are the CPU's, not arithmetic. */
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
const odd = [NaN, Infinity, -Infinity, -0, 0];
/** Normals, with a few odd values among them when `oddOnes`. */
const values = (random: Random, length: number, oddOnes = false) =>
  Float64Array.from({ length }, () => (oddOnes && random.uniform() < 0.03 ? odd[Math.floor(random.uniform() * odd.length)] : random.normal()));
const tensor = (random: Random, shape: number[], oddOnes = false): Tensor => ({ shape, data: values(random, shape[0] * shape[1], oddOnes) });

/** Runs `f` with the native kernels and with the JavaScript loops; both results. */
function bothWays<T>(f: () => T): { native: T; js: T } {
  useNativeKernels(true);
  const native = f();
  useNativeKernels(false);
  const js = f();
  useNativeKernels(true);
  return { native, js };
}

afterEach(() => {
  useNativeKernels(true);
});

describe('the native kernels', () => {
  // On a machine that cannot build the addon, run the tests with GRADPROOF_NATIVE=0.
  it('were built by npm install and loaded', () => {
    if (process.env.GRADPROOF_NATIVE === '0') return;
    expect(nativeAvailable()).toBe(true);
    expect(nativeKernels()).not.toBeNull();
    // V8's exp and log, found in the node binary (native/v8-math.h): the chain runs sigmoid and the
    // cost. Node's Linux builds export them; elsewhere the chain may leave the two to JavaScript.
    if (process.platform === 'linux') expect(nativeMathExact()).toBe(true);
  });

  it('can be switched off, and the ops then run their JavaScript loops', () => {
    useNativeKernels(false);
    expect(nativeKernels()).toBeNull();
    useNativeKernels(true);
    expect(nativeKernels() !== null).toBe(nativeAvailable());
  });
});

describe.runIf(nativeAvailable())('native and JavaScript loops give the same bits', () => {
  it("V8's exp, log and log1p called from C: Math's bits on 300,000 random inputs", () => {
    const random = createRandom(21);
    const n = 100_000;
    const cases = [
      [0, Math.exp, () => (random.uniform() - 0.5) * 1500],
      [1, Math.log, () => Math.exp((random.uniform() - 0.5) * 1400)],
      [2, Math.log1p, () => -(random.uniform() ** 4)],
    ] as const;
    for (const [which, f, draw] of cases) {
      const x = Float64Array.from({ length: n }, draw);
      const out = new Float64Array(n);
      expect(nativeKernels()!.v8Math(which, x, out)).toBe(true);
      expect(x.filter((v, i) => !Object.is(out[i], f(v))).length).toBe(0);
    }
  });

  // A·B, Aᵀ·B (the backward's dX = Wᵀ·dZ) and A·Bᵀ (its dW = dZ·Xᵀ), for [40, 30] by [30, 50].
  it.each([
    [1, false, false],
    [2, false, false],
    [3, true, false],
    [4, true, false],
    [5, false, true],
    [6, false, true],
  ])('matmul (seed %i, A transposed: %s, B transposed: %s)', (seed, transA, transB) => {
    const random = createRandom(seed);
    const [a, b] = [tensor(random, transA ? [30, 40] : [40, 30], true), tensor(random, transB ? [50, 30] : [30, 50], true)];
    const { native, js } = bothWays(() => matmul(a, b, transA, transB));
    expect(native.shape).toEqual([40, 50]);
    expect(bits(native.data)).toEqual(bits(js.data));
  });

  it.each([1, 2, 3])('relu forward, and its update over most columns of every row (seed %i)', (seed) => {
    const random = createRandom(seed);
    const x = tensor(random, [48, 40], true);
    const forward = bothWays(() => relu.forward([x]).data);
    expect(bits(forward.native)).toEqual(bits(forward.js));
    const cols = Array.from({ length: 40 }, (_v, j) => j).filter((j) => j % 3 !== 1);
    const moved = { shape: x.shape, data: x.data.map((v, e) => (cols.includes(e % 40) ? v + random.normal() : v)) };
    const update = bothWays(() => {
      const out = relu.forward([x]);
      const written = relu.update!([moved], out, [{ rows: 'all', cols, before: x }]);
      return { written, data: out.data };
    });
    expect(update.native.written).toEqual({ rows: 'all', cols });
    expect(update.js.written).toEqual(update.native.written);
    expect(bits(update.native.data)).toEqual(bits(update.js.data));
  });

  // A change in a row of X (a node's value, its before known): Z = W·X + b by a rank update.
  it.each([1, 2, 3, 4])('linear, a change in a row of X: the rank update (seed %i)', (seed) => {
    const random = createRandom(seed);
    const [X, W, b] = [tensor(random, [30, 64], true), tensor(random, [48, 30], true), tensor(random, [48, 1])];
    const rows = [17];
    // Most columns of the row move; one moves to NaN, one from +0 to −0 (not a move).
    const after = { shape: X.shape, data: X.data.slice() };
    for (let j = 0; j < 64; j++) if (j % 5 !== 0) after.data[17 * 64 + j] += random.normal();
    after.data[17 * 64 + 7] = NaN;
    X.data[17 * 64 + 10] = 0;
    after.data[17 * 64 + 10] = -0;
    const change: RowChange = { rows, before: X };
    const { native, js } = bothWays(() => {
      const out = linear.forward([X, W, b]);
      const written = linear.update!([after, W, b], out, [change, null, null]);
      return { written, data: out.data };
    });
    expect(native.written).toEqual(js.written);
    expect(bits(native.data)).toEqual(bits(js.data));
  });

  // Two rows take the JavaScript loop: it adds to the columns any row moved in, the native one
  // masks each row by its own moves (which differs where W holds an infinity: ∞·0).
  it.each([1, 2])('linear, a change in two rows of X, with infinities in W (seed %i)', (seed) => {
    const random = createRandom(seed);
    const [X, W, b] = [tensor(random, [30, 64]), tensor(random, [48, 30]), tensor(random, [48, 1])];
    for (let i = 0; i < 48; i++) W.data[i * 30 + 3] = i % 2 ? Infinity : -Infinity;
    const after = { shape: X.shape, data: X.data.slice() };
    for (let j = 0; j < 64; j++) if (j % 2) after.data[3 * 64 + j] += 1;
    for (let j = 0; j < 64; j++) if (j % 3) after.data[17 * 64 + j] += 1;
    const { native, js } = bothWays(() => {
      const out = linear.forward([X, W, b]);
      linear.update!([after, W, b], out, [{ rows: [3, 17], before: X }, null, null]);
      return out.data;
    });
    expect(bits(native)).toEqual(bits(js));
  });

  // A change in some columns of every row of X: those columns of W·X + b recomputed.
  it.each([1, 2, 3])('linear, a change in most columns of X: the columns recomputed (seed %i)', (seed) => {
    const random = createRandom(seed);
    const [X, W, b] = [tensor(random, [32, 40], true), tensor(random, [24, 32], true), tensor(random, [24, 1], true)];
    const cols = Array.from({ length: 40 }, (_v, j) => j).filter((j) => j % 4 !== 0);
    const after = { shape: X.shape, data: X.data.map((v, e) => (cols.includes(e % 40) ? v + random.normal() : v)) };
    const { native, js } = bothWays(() => {
      const out = linear.forward([X, W, b]);
      const written = linear.update!([after, W, b], out, [{ rows: 'all', cols, before: X }, null, null]);
      return { written, data: out.data };
    });
    expect(native.written).toEqual({ rows: 'all', cols });
    expect(js.written).toEqual(native.written);
    expect(bits(native.data)).toEqual(bits(js.data));
  });

  it('a whole element-wise check of an MLP 40-36-24-1 (m = 20): the same numbers', () => {
    const random = createRandom(1);
    const layer = (units: number, inputs: number) => ({ shape: [units, inputs], data: values(random, units * inputs).map((v) => v / Math.sqrt(inputs)) });
    const g = graph()
      .input('X', { shape: [40, 20], data: values(random, 800) })
      .input('Y', { shape: [1, 20], data: Float64Array.from({ length: 20 }, (_v, i) => i % 2) })
      .param('W1', layer(36, 40))
      .param('b1', { shape: [36, 1], data: values(random, 36) })
      .param('W2', layer(24, 36))
      .param('W3', layer(1, 24))
      .node('Z1', 'linear', ['X', 'W1', 'b1'])
      .node('A1', 'relu', ['Z1'])
      .node('Z2', 'linear', ['A1', 'W2'])
      .node('A2', 'relu', ['Z2'])
      .node('Z3', 'linear', ['A2', 'W3'])
      .node('A3', 'sigmoid', ['Z3'])
      .node('cost', 'logloss', ['A3', 'Y'])
      .build();
    const { native, js } = bothWays(() => checkGraph(g, { mode: 'graph' }));
    expect([native.verdict, js.verdict]).toEqual(['pass', 'pass']);
    expect(native.evaluations).toBe(js.evaluations);
    native.params.forEach((p, k) => expect(bits(p.numeric)).toEqual(bits(js.params[k].numeric)));
  });
});
