/**
 * How a node check walks an op's inputs (check-op.ts, checkOpInputs): one input at a time, each
 * input's results handed over before the next input's backward calls, so that a node check holds
 * one input's gradients and estimates at a time.
 */
import { describe, expect, it } from 'vitest';
import { checkOp, checkOpWith } from '../src/check/check-op.js';
import { checkOpInputs, SCREEN_ABOVE } from '../src/check/op-inputs.js';
import { methodOf } from '../src/check/methods.js';
import { linear } from '../src/ops/linear.js';
import { mul } from '../src/ops/mul.js';
import type { Op } from '../src/core/op.js';
import { graph, OpRegistry } from '../src/index.js';
import { compile } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { backward } from '../src/engine/backward.js';
import { nodeStage } from '../src/check/check-nodes.js';

const tensor = (rows: number[][]) => ({ shape: [rows.length, rows[0].length], data: Float64Array.from(rows.flat()) });

describe('checkOpInputs', () => {
  // linear's rules, with each call of the backward logged (a user op: its backward gets copies).
  const log: string[] = [];
  const logged: Op = { ...linear, name: 'logged_linear', backward: (...args) => (log.push('backward'), linear.backward(...args)) };
  const inputs = [tensor([[0.5, -1.5], [2, 0.25]]), tensor([[0.3, -0.8], [1.1, 0.4]]), tensor([[0.1], [-0.2]])];
  const cotangents = [tensor([[1, -1], [0.5, 2]]), tensor([[-0.3, 0.7], [1.2, -0.4]])];

  it('hands over each input (every cotangent) before the next input is begun, with its evaluations counted', () => {
    log.length = 0;
    const taken: number[][] = [];
    const evaluations = checkOpInputs(logged, inputs, cotangents, methodOf('auto'), {}, (k, results) => {
      log.push(`take ${k}`);
      taken.push(results.map((r) => r.analytic!.length));
      expect(results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
    });
    expect(log).toEqual(['backward', 'backward', 'take 0', 'backward', 'backward', 'take 1', 'backward', 'backward', 'take 2']);
    expect(taken).toEqual([[4, 4], [4, 4], [2, 2]]);
    // 4 + 4 + 2 elements, each at +h and −h (a linear op's differences settle at the first step).
    expect(evaluations).toBe(2 * 10);
  });

  it("leaves the caller's tensors as they were", () => {
    const before = inputs.map((t) => [...t.data]);
    checkOpInputs(logged, inputs, cotangents, methodOf('auto'), {}, () => {});
    expect(inputs.map((t) => [...t.data])).toEqual(before);
  });
});

describe('screening along directions (method auto, as node checks do unless `full`)', () => {
  // Y = W X + b with 16-element X and W (screened: more than SCREEN_ABOVE) and a 4-element b (not).
  const seeded = (n: number, offset: number) => Array.from({ length: n }, (_v, i) => Math.sin(3.7 * i + offset));
  const square = (offset: number) => tensor(Array.from({ length: 4 }, (_v, r) => seeded(4, offset + r)));
  const inputs = [square(0), square(10), tensor(seeded(4, 20).map((v) => [v]))];
  const cotangent = square(30);
  const screen = (op: Op) => checkOpWith(op, inputs, [cotangent], methodOf('auto'), { screen: true });
  /** linear with d(input k) × c. */
  const scaled = (k: number, c: number): Op => ({ ...linear, name: 'scaled', backward: (...args) => linear.backward(...args).map((g, j) => (j === k && g ? { shape: g.shape, data: g.data.map((v) => v * c) } : g)) });

  it('settles a right rule along 3 directions per large input, and checks a small one element by element', () => {
    expect(SCREEN_ABOVE).toBe(12);
    const { results, evaluations } = screen(linear);
    expect(results[0].map((r) => [r.name, r.verdict, r.directions ?? 'elements'])).toEqual([['X', 'pass', 3], ['W', 'pass', 3], ['b', 'pass', 'elements']]);
    // 3 directions for X and for W, at +t and −t; b's 4 elements at +h and −h.
    expect(evaluations).toBe(6 + 6 + 8);
  });

  it('checks element by element where the directions find a wrong rule, and says which elements', () => {
    const { results, evaluations } = screen(scaled(1, 1.01));
    expect(results[0].map((r) => [r.name, r.verdict, r.directions ?? 'elements'])).toEqual([['X', 'pass', 3], ['W', 'fail', 'elements'], ['b', 'pass', 'elements']]);
    expect(results[0][1].failing).toBe(16);
    expect(results[0][1].analytic!.length).toBe(16);
    // W's 3 directions and then its 16 elements, each failure looked at again at h/2 before it counts.
    expect(evaluations).toBe(6 + (2 * 6 + 2 * 32) + 8);
  });

  it('without screening, every element of every input', () => {
    const { results, evaluations } = checkOpWith(linear, inputs, [cotangent], methodOf('auto'));
    expect(results[0].map((r) => r.directions ?? 'elements')).toEqual(['elements', 'elements', 'elements']);
    expect(evaluations).toBe(2 * 36);
  });
});

describe('a rule that gives an input no gradient', () => {
  // mul whose rule gives b no gradient when the cotangent has a negative entry.
  const dropping: Op = { ...mul, name: 'dropping_mul', backward: (xs, y, dy, a) => (dy.data.some((v) => v < 0) ? [mul.backward(xs, y, dy, a)[0], null] : mul.backward(xs, y, dy, a)) };
  const vector = (d: number[]) => ({ shape: [1, d.length], data: Float64Array.from(d) });
  const check = (required: boolean[]) => checkOpWith(dropping, [vector([1, 2]), vector([3, 4])], [vector([1, 1]), vector([1, -1])], methodOf('auto'), { required }).results;

  it("has nothing to check where the input needs none (a label's), under that cotangent only", () => {
    expect(check([true, false]).map((byInput) => byInput.map((r) => r.verdict))).toEqual([['pass', 'pass'], ['pass', 'none']]);
  });

  it('settles such an input along directions all the same, when they pass under the cotangents that give it a gradient', () => {
    const sines = (n: number, at: number) => ({ shape: [1, n], data: Float64Array.from({ length: n }, (_v, i) => Math.sin(i + at)) });
    const ones = { shape: [1, 64], data: new Float64Array(64).fill(1) };
    const { results, evaluations } = checkOpWith(dropping, [sines(64, 0), sines(64, 1)], [ones, sines(64, 2)], methodOf('auto'), { screen: true, required: [true, false] });
    expect(results.map((byInput) => byInput.map((r) => [r.verdict, r.directions]))).toEqual([[['pass', 3], ['pass', 3]], [['pass', 3], ['none', undefined]]]);
    // 3 directions for each input at +t and −t, and nothing more.
    expect(evaluations).toBe(12);
  });

  it('fails it as zeros where the input depends on a param', () => {
    const [, second] = check([true, true]);
    expect([second[1].verdict, second[1].returnedNull]).toEqual(['fail', true]);
  });
});

describe('the node stage (check-nodes.ts) and the values it is given', () => {
  it("lets each node's value and gradient go once its check ends, and leaves the leaves' values", () => {
    const g = graph().param('P', [[0.1, -0.2, 0.3]]).node('A', 'tanh', ['P']).node('B', 'tanh', ['A']).node('c', 'sum', ['B']).build();
    const plan = compile(g, new OpRegistry());
    const forward = forwardGuarded(plan);
    const { values } = forward;
    const grads = backward(plan, forward, { guard: true });
    const leaf = values[0];
    const budget = { seconds: 1, nodeSeconds: new Float64Array(values.length), full: false };
    const stage = nodeStage(plan, values, grads, methodOf('auto'), 0, budget);
    const seen: string[] = [];
    stage.events.subscribe((e) => seen.push(`${e.param}: ${plan.nodes.filter((n) => values[n.slot]).map((n) => n.id).join(',')}`));
    // From the objective back: each node's value goes with its check, its producers' stay until theirs.
    expect(seen).toEqual(['node c: A,B', 'node B: A', 'node A: ']);
    expect(plan.nodes.map((n) => [values[n.slot], grads[n.slot]])).toEqual(plan.nodes.map(() => [undefined, undefined]));
    expect(values[0]).toBe(leaf);
    expect([...values[0].data]).toEqual([0.1, -0.2, 0.3]);
    expect(stage.finish().results.map((r) => [r.id, r.verdict])).toEqual([['A', 'pass'], ['B', 'pass'], ['c', 'pass']]);
  });
});

describe('checkOp and the tensors it is given', () => {
  const X = () => tensor([[0.5, -1.5], [2, 0.25]]);
  const W = () => tensor([[0.3, -0.8], [1.1, 0.4]]);
  const dY = () => tensor([[1, -1], [0.5, 2]]);
  /** linear's rules, with a backward that writes 7 into its argument `into` after computing its gradients. */
  const scribbling = (into: 'W' | 'Y' | 'dY'): Op => ({
    ...linear,
    name: 'scribbler',
    backward: (xs, y, dy, a) => {
      const grads = linear.backward(xs, y, dy, a);
      (into === 'W' ? xs[1] : into === 'Y' ? y : dy).data[0] = 7;
      return grads;
    },
  });

  it("gives a rule copies of the inputs: one that writes into them passes, and the caller's come back", () => {
    const [x, w, dy] = [X(), W(), dY()];
    expect(checkOp(scribbling('W'), [x, w], { cotangent: dy }).map((r) => r.verdict)).toEqual(['pass', 'pass']);
    expect([[...x.data], [...w.data], [...dy.data]]).toEqual([[...X().data], [...W().data], [...dY().data]]);
  });

  it("names a rule that writes into its output or cotangent, which the check reads on (a wrong one had passed, its estimates read as a kink), and the caller's come back", () => {
    const [x, w, dy] = [X(), W(), dY()];
    expect(() => checkOp(scribbling('dY'), [x, w], { cotangent: dy })).toThrow('scribbler.backward changed its input gradOutput');
    expect(() => checkOp(scribbling('Y'), [x, w], { cotangent: dy })).toThrow('scribbler.backward changed its input output');
    expect([[...x.data], [...w.data], [...dy.data]]).toEqual([[...X().data], [...W().data], [...dY().data]]);
  });
});
