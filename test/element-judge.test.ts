/** The element judge of method auto: what it keeps for the second pass, and how it decides. */
import { describe, expect, it } from 'vitest';
import { ElementJudge } from '../src/check/element-judge.js';

// J(θ) = θ² at θ = 1: the right derivative is 2.
const J = (theta: number) => theta * theta;
const h = 2 ** -15;
const firstPass = (judge: ElementJudge, i: number, a: number) => judge.first(i, a, 1, h, J(1 + h), J(1 - h));
const secondPass = (judge: ElementJudge, i: number, a: number) => judge.second(i, a, 1, h / 2, J(1 + h / 2), J(1 - h / 2));
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
});
