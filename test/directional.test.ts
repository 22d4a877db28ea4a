/** Directional checks: cheap whole-graph verdicts, and node inputs too large for elements. */
import { describe, expect, it } from 'vitest';
import { of, Subject } from 'rxjs';
import { checkGraph, checkGraph$, createRandom, graph, type CheckReport, type Op, type Tensor } from '../src/index.js';
import { linear } from '../src/ops/linear.js';
import { tanh } from '../src/ops/tanh.js';
import { UNRESOLVED } from '../src/check/directional.js';

const randn = (seed: number, rows: number, cols: number, scale = 1) => {
  const r = createRandom(seed);
  return { shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => r.normal() * scale) };
};
const scaled = (t: Tensor | null, c: number, at?: number) => t && { shape: t.shape, data: t.data.map((v, i) => (at === undefined || i === at ? v * c : v)) };
/** linear whose rule scales the gradient of input `k` by c (at one element if `at` is given). */
const mutant = (name: string, k: number, c: number, at?: number): Op => ({ ...linear, name, backward: (i, o, d) => linear.backward(i, o, d).map((g, j) => (j === k ? scaled(g, c, at) : g)) });

/** cost = Σ tanh(linear(tanh(P), W, b)) with P large: 80 × 60 = 4,800 elements. */
const big = (op = 'linear') =>
  graph().param('P', randn(1, 80, 60, 0.5)).param('W', randn(2, 5, 80, 0.1)).param('b', randn(3, 5, 1, 0.1))
    .node('H', 'tanh', ['P']).node('Z', op, ['H', 'W', 'b']).node('T', 'tanh', ['Z']).node('cost', 'sum', ['T']).build();

describe('the default verdict along directions', () => {
  it('passes a correct graph of 5,205 params in 7 forward evaluations', () => {
    const report = checkGraph(big());
    expect(report.verdict).toBe('pass');
    expect(report.evaluations).toBe(7);
    expect(report.params.every((p) => p.by === 'directions')).toBe(true);
  });

  it('catches one wrong element among 400 in W, and names it element by element', () => {
    const report = checkGraph(big('one_off'), { ops: [mutant('one_off', 1, 3, 123)], budget: 600 });
    expect(report.verdict).toBe('fail');
    const w = report.params.find((p) => p.name === 'W')!;
    expect(w.by).not.toBe('directions');
    expect(w.failing).toBe(1);
    expect(w.worst!.index).toEqual([1, 43]);
    expect(report.params.filter((p) => p.verdict === 'fail').map((p) => p.name)).toEqual(['W']);
  });

  it("diagnoses a node input too costly for elements along directions: Z's X, ×2", () => {
    // A budget too small for any element-wise check of a 4,800-element input.
    const report = checkGraph(big('dx_x2'), { ops: [mutant('dx_x2', 0, 2)], budget: 1e-9 });
    expect(report.verdict).toBe('fail');
    const blamed = report.nodes!.flatMap((n) => n.inputs.filter((i) => i.verdict === 'fail').map((i) => [n.id, i.name, i.diagnosis?.text]));
    expect(blamed).toEqual([['Z', 'X', 'analytic = 2.000 × numeric along every direction']]);
  });

  it('checks element by element with full', () => {
    const report = checkGraph(big(), { full: true });
    expect(report.verdict).toBe('pass');
    expect(report.evaluations).toBeGreaterThanOrEqual(1 + 2 * 5205);
  });

  it('follows up a direction that crosses a kink, so a bug hidden at a kink is still caught', () => {
    // relu at exactly 0 in P[0]; the op after it is 30% off at element 1 only.
    const scaleBug: Op = {
      name: 'scale_bug',
      inputs: ['x'],
      forward: ([x]) => ({ shape: [...x.shape], data: x.data.map((v) => 2 * v) }),
      backward: ([x], _y, dy) => [{ shape: [...x.shape], data: dy.data.map((v, i) => (i === 1 ? 2.6 : 2) * v) }],
    };
    const g = graph().param('P', [[0, 0.5, -0.3, 0.8]]).node('R', 'relu', ['P']).node('Y', 'scale_bug', ['R']).node('S', 'sum', ['Y']).build();
    for (const seed of [0, 1, 2, 3]) {
      const report = checkGraph(g, { ops: [scaleBug], seed });
      expect(report.verdict, `seed ${seed}`).toBe('fail');
      expect(report.nodes!.filter((n) => n.verdict === 'fail').map((n) => n.id)).toEqual(['Y']);
    }
  });

  it('follows up directions too little resolved to see an error: a 2× dW beside a param of 1e9 that takes nearly all of them', () => {
    // H moves J not at all, but its share (2^30) takes nearly all of each joint direction, so W's
    // part of gᵀv (about 5e-9) sits under the rounding of J at the step: a verdict that once passed.
    const g = (big: number) =>
      graph().input('X', randn(4, 3, 4)).param('W', randn(5, 2, 3)).param('b', randn(6, 2, 1)).param('H', [[big]]).input('zero', 0)
        .node('Z', 'dw_x2', ['X', 'W', 'b']).node('T', 'tanh', ['Z']).node('J0', 'sum', ['T'])
        .node('Hz', 'mul', ['H', 'zero']).node('Hs', 'sum', ['Hz']).node('J', 'add', ['J0', 'Hs']).build();
    for (const big of [1e3, 1e9, 1e20]) {
      const report = checkGraph(g(big), { ops: [mutant('dw_x2', 1, 2)] });
      expect([report.verdict, report.params.find((p) => p.name === 'W')!.verdict], `H = ${big}`).toEqual(['fail', 'fail']);
      expect(report.nodes!.filter((n) => n.verdict === 'fail').map((n) => n.id), `H = ${big}`).toEqual(['Z']);
    }
    const joint = checkGraph(g(1e9), { ops: [mutant('dw_x2', 1, 2)] }).directions!.filter((d) => d.params.length === 3);
    expect(joint.map((d) => d.status)).toEqual(['unresolved', 'unresolved', 'unresolved']);
    expect(UNRESOLVED).toBe(1e-3);
  });

  it("screens no node input settled by directions too little resolved: tanh's dx 2× off beside an element of 1e12", () => {
    // The element of 1e12 takes nearly all of each direction of P (tanh is flat there, so J barely
    // moves along them); screening had settled the input, and the node went unblamed.
    const wrong: Op = { ...tanh, name: 'tanh_dx_x2', backward: (i, o, d) => tanh.backward(i, o, d).map((g) => scaled(g, 2)) };
    const g = graph().param('P', [[1e12, ...Array.from({ length: 19 }, (_v, i) => 0.3 * Math.sin(i))]]).node('Y', 'tanh_dx_x2', ['P']).node('c', 'sum', ['Y']).build();
    const report = checkGraph(g, { ops: [wrong] });
    expect(report.verdict).toBe('fail');
    expect(report.nodes!.filter((n) => n.verdict === 'fail').map((n) => [n.id, n.inputs[0].directions ?? 'elements'])).toEqual([['Y', 'elements']]);
  });

  it('stopped before anything is settled, says incomplete and leaves params unchecked', () => {
    const report = checkGraph(big(), { until: of(0) });
    expect(report.verdict).toBe('incomplete');
    expect(report.complete).toBe(false);
    expect(report.params.every((p) => p.verdict === 'unchecked')).toBe(true);
    expect(report.evaluations).toBe(1);
  });

  it('stopped after the directions over all params failed, still says fail', () => {
    const stop = new Subject<void>();
    let report: CheckReport | undefined;
    // Stop as soon as the directions over all params are settled and the per-param ones begin.
    checkGraph$(big('dx_x2'), { ops: [mutant('dx_x2', 0, 2)], until: stop }).subscribe((e) => {
      if (e.type === 'progress' && e.param.startsWith('each param')) stop.next();
      if (e.type === 'report') report = e.report;
    });
    expect(report!.complete).toBe(false);
    expect(report!.directions!.filter((d) => d.params.length === 3 && d.status === 'fail').length).toBeGreaterThan(0);
    expect(report!.verdict).toBe('fail');
  });

  it('reports progress that never goes back, through directions and elements', () => {
    const done: number[] = [];
    checkGraph$(big('one_off'), { ops: [mutant('one_off', 1, 3, 123)], budget: 600 }).subscribe((e) => e.type === 'progress' && done.push(e.done));
    expect(done.length).toBeGreaterThan(10);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
  });

  it('refuses a params filter that names no param', () => {
    expect(() => checkGraph(big(), { params: ['nope'] })).toThrow("'nope' is not a param of the graph");
    expect(() => checkGraph(big(), { params: ['W', 'X'] })).toThrow("'X' is not a param of the graph");
  });
});
