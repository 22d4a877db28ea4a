/** The scheduler: forward values, reverse-mode gradients, sums where a value feeds several nodes. */
import { describe, expect, it } from 'vitest';
import { checkGraph, evaluate, graph, type Op } from '../src/index.js';
import { mul } from '../src/ops/mul.js';

describe('a value that feeds two nodes', () => {
  // cost = Σ (T ⊙ T + T) with T = tanh(P): T feeds mul twice and add once.
  const P = [[0.3, -1.2], [0.7, 2.1]];
  const g = graph()
    .param('P', P)
    .node('T', 'tanh', ['P'])
    .node('S', 'mul', ['T', 'T'])
    .node('U', 'add', ['S', 'T'])
    .node('cost', 'sum', ['U'])
    .build();

  it('sums the gradients of every use: d/dP = (2T + 1)(1 − T²)', () => {
    const { gradients, objective } = evaluate(g);
    const flat = P.flat();
    const expected = flat.map((p) => {
      const t = Math.tanh(p);
      return (2 * t + 1) * (1 - t * t);
    });
    const got = [...gradients.get('P')!.data];
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
    expect(objective).toBeCloseTo(flat.reduce((s, p) => s + Math.tanh(p) ** 2 + Math.tanh(p), 0), 14);
    expect(checkGraph(g).verdict).toBe('pass');
  });

  it('fails the check when one use of the value is dropped from the backward pass', () => {
    const lossy: Op = { ...mul, name: 'mul_forgets_b', backward: (i, o, d) => [mul.backward(i, o, d)[0], null] };
    const bad = graph().param('P', P).node('T', 'tanh', ['P']).node('S', 'mul_forgets_b', ['T', 'T']).node('cost', 'sum', ['S']).build();
    const report = checkGraph(bad, { ops: [lossy] });
    expect(report.verdict).toBe('fail');
    // Half the gradient is missing: analytic = numeric / 2 everywhere.
    const p = report.params[0];
    p.analytic.forEach((a, i) => expect(a / p.numeric[i]).toBeCloseTo(0.5, 6));
  });
});

describe('params that do not reach the objective', () => {
  it('get a zero gradient, which central differences confirm', () => {
    const g = graph().param('a', [[1]]).param('unused', [[2, 3]]).node('y', 'sum', ['a']).build();
    const report = checkGraph(g, { mode: 'graph' });
    expect([...evaluate(g).gradients.get('unused')!.data]).toEqual([0, 0]);
    expect(report.params.find((p) => p.name === 'unused')!.difference).toBe(0);
    expect(report.verdict).toBe('pass');
  });
});
