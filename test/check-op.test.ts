/**
 * How a node check walks an op's inputs (check-op.ts, checkOpInputs): one input at a time, each
 * input's results handed over before the next input's backward calls, so that a node check holds
 * one input's gradients and estimates at a time.
 */
import { describe, expect, it } from 'vitest';
import { checkOpInputs } from '../src/check/check-op.js';
import { methodOf } from '../src/check/methods.js';
import { linear } from '../src/ops/linear.js';
import type { Op } from '../src/core/op.js';

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
