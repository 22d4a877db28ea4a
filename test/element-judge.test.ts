/** The element judge of method auto: what it keeps for the passes after the first, and how it decides. */
import { describe, expect, it } from 'vitest';
import { ElementJudge, REFINEMENTS } from '../src/check/element-judge.js';
import { checkOpWith } from '../src/check/check-op.js';
import { checkGraph, graph, methodOf, type Op } from '../src/index.js';
import { relu } from '../src/ops/relu.js';
import { sum } from '../src/ops/sum.js';

// J(θ) = θ² at θ = 1: the right derivative is 2.
const J = (theta: number) => theta * theta;
const h = 2 ** -15;
const firstPass = (judge: ElementJudge, i: number, a: number) => judge.first(i, a, 1, h, J(1 + h), J(1 - h));
const secondPass = (judge: ElementJudge, i: number, a: number) => judge.refine(i, a, 1, h / 2, J(1 + h / 2), J(1 - h / 2));
const statusOf = (judge: ElementJudge, i: number) => ['unjudged', 'ok', 'nondifferentiable', 'fail'][judge.status[i]];

describe('ElementJudge', () => {
  it('accepts a right derivative at once and keeps a wrong one for the second pass, which fails it', () => {
    const judge = new ElementJudge(2, J(1));
    firstPass(judge, 0, 2);
    firstPass(judge, 1, 3);
    expect([statusOf(judge, 0), statusOf(judge, 1)]).toEqual(['ok', 'unjudged']);
    expect(judge.toRefine()).toEqual([1]);
    expect(secondPass(judge, 1, 3)).toBeCloseTo(2, 6);
    expect(statusOf(judge, 1)).toBe('fail');
    expect(judge.toRefine()).toEqual([]);
  });

  it('lets go of the kept values once every kept element is decided, and keeps and decides later ones as a fresh judge does', () => {
    const [judge, fresh] = [new ElementJudge(3, J(1)), new ElementJudge(3, J(1))];
    for (const i of [2, 0]) firstPass(judge, i, 3);
    for (const i of judge.toRefine()) secondPass(judge, i, 3);
    expect(judge.toRefine()).toEqual([]);
    // Element 1 kept after the let-go: refined from its own values, as by a judge that kept nothing before.
    firstPass(judge, 1, 2.5);
    firstPass(fresh, 1, 2.5);
    expect(judge.toRefine()).toEqual([1]);
    expect(secondPass(judge, 1, 2.5)).toBe(secondPass(fresh, 1, 2.5));
    expect([0, 1, 2].map((i) => statusOf(judge, i))).toEqual(['fail', 'fail', 'fail']);
    expect(statusOf(fresh, 1)).toBe('fail');
  });

  it('hands back elements kept out of order in index order, and finds each', () => {
    const judge = new ElementJudge(10, J(1));
    for (const i of [5, 2, 9]) firstPass(judge, i, 3);
    expect(judge.toRefine()).toEqual([2, 5, 9]);
    for (const i of [9, 2, 5]) secondPass(judge, i, 3);
    expect([2, 5, 9].map((i) => statusOf(judge, i))).toEqual(['fail', 'fail', 'fail']);
  });

  it('takes the later values when an element is kept twice', () => {
    const judge = new ElementJudge(1, J(1));
    // Garbage first values would make the second pass's bound (2·|D(h/2) − D(h)|) huge and pass 3.
    judge.first(0, 3, 1, h, 1e6, -1e6);
    firstPass(judge, 0, 3);
    expect(judge.toRefine()).toEqual([0]);
    secondPass(judge, 0, 3);
    expect(statusOf(judge, 0)).toBe('fail');
  });

  // J(θ) = θ² + 0.5·max(0, θ − (1 + δ)): smooth at θ = 1 (J' = 2), with a kink δ to the right,
  // inside the step h. Every pass the judge asks for, run to the end.
  const nearKink = (delta: number) => (theta: number) => theta * theta + 0.5 * Math.max(0, theta - (1 + delta));
  const judged = (f: (theta: number) => number, a: number) => {
    const judge = new ElementJudge(1, f(1));
    judge.first(0, a, 1, h, f(1 + h), f(1 - h));
    let passes = 1;
    for (const fraction of REFINEMENTS) {
      if (judge.toRefine().length === 0) break;
      const step = h * fraction;
      judge.refine(0, a, 1, step, f(1 + step), f(1 - step));
      passes++;
    }
    return { status: statusOf(judge, 0), passes };
  };

  it('takes a kink near θ (between h/5 and h/4 away) for what it is, where h/2 alone failed the right derivative', () => {
    for (const delta of [0.21 * h, 0.23 * h, 0.245 * h]) expect(judged(nearKink(delta), 2)).toEqual({ status: 'ok', passes: 4 });
  });

  // 2.1 and 2.19 lie within 2·|D(h/2) − D(h)| of D(h/2) there: a bound that loose passed them at h/2.
  it('fails a wrong derivative near that kink, at h/16 and h/32, even one the loose bound at h/2 let through', () => {
    for (const delta of [0.21 * h, 0.23 * h]) {
      for (const a of [4, 2.19, 2.1, 2.02, -2]) expect(judged(nearKink(delta), a)).toEqual({ status: 'fail', passes: 4 });
    }
  });

  it('fails a wrong derivative of a smooth function after h/2, with no further passes', () => {
    expect(judged(J, 2.02)).toEqual({ status: 'fail', passes: 2 });
  });

  it('judges a kink still showing at h/16 and h/32 as one at θ: the derivative must lie between its one-sided slopes', () => {
    // The values the judge sees come from a kink 0.22h away for h and h/2, and 0.22·h/16 away
    // for h/16 and h/32: at h/32 the kink is still between the steps, off centre.
    const [far, close] = [nearKink(0.22 * h), nearKink((0.22 * h) / 16)];
    const judgeOf = (a: number) => {
      const judge = new ElementJudge(1, far(1));
      judge.first(0, a, 1, h, far(1 + h), far(1 - h));
      const steps = REFINEMENTS.map((fraction) => h * fraction);
      judge.refine(0, a, 1, steps[0], far(1 + steps[0]), far(1 - steps[0]));
      for (const step of steps.slice(1)) judge.refine(0, a, 1, step, close(1 + step), close(1 - step));
      return statusOf(judge, 0);
    };
    expect(judgeOf(2)).toBe('nondifferentiable');
    expect(judgeOf(2.25)).toBe('nondifferentiable');
    expect(judgeOf(4)).toBe('fail');
    expect(judgeOf(1.5)).toBe('fail');
  });

  it('takes a kink closer than h/32 as at θ: between its one-sided slopes it is not a failure', () => {
    expect(judged(nearKink(h / 100), 2).status).toBe('nondifferentiable');
    expect(judged(nearKink(h / 100), 2.25).status).toBe('nondifferentiable');
  });
});

describe('the passes after the first, in the checks that run them', () => {
  // A ReLU input 0.22 of a step from 0 (the step is 2^-15 for |θ| ≤ 1), beside two far from it.
  const near = 0.22 * h;

  it('an op check: the element near the kink passes after h/2, h/16 and h/32, each counted', () => {
    const input = { shape: [1, 3], data: Float64Array.of(near, 1.5, -0.7) };
    const cotangent = { shape: [1, 3], data: Float64Array.of(1, 1, 1) };
    const { results, evaluations } = checkOpWith(relu, [input], [cotangent], methodOf('auto'));
    expect(results[0][0].verdict).toBe('pass');
    expect(results[0][0].failing).toBe(0);
    // 3 elements at h, then the one near the kink at h/2, h/16 and h/32.
    expect(evaluations).toBe(2 * 3 + 2 * 3);
  });

  it('a graph check: the report counts every evaluation the passes ran', () => {
    // The objective is a user op without an incremental rule, so each evaluation runs its forward once.
    let calls = 0;
    const counted: Op = { ...sum, name: 'counted_sum', update: undefined, forward: (i, a) => (calls++, sum.forward(i, a)) };
    const g = graph().param('P', [[near, 0.5, -0.3]]).node('R', 'relu', ['P']).node('c', 'counted_sum', ['R']).build();
    const report = checkGraph(g, { ops: [counted], mode: 'graph' });
    expect(report.verdict).toBe('pass');
    // The guarded forward pass, one timed forward pass (not an evaluation), and the replays.
    expect(report.evaluations).toBe(calls - 1);
    expect(report.evaluations).toBe(1 + 2 * 3 + 2 * 3);
  });
});
