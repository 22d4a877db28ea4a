/**
 * Every registered op's backward rule against central differences of ⟨r, forward⟩, on random
 * shapes from its domain (helpers/op-domains.ts), for random cotangents r. And the other side:
 * each rule, scaled by 1.01 or with its gradient transposed, must fail the same test.
 */
import { describe, expect, it } from 'vitest';
import { builtinOps, checkOp, type Op } from '../src/index.js';
import { domains, drawSeeds, randomFor } from './helpers/op-domains.js';
import { squareWithWrongUpdate } from './helpers/wrong-update-op.js';

const cases = builtinOps.flatMap((op) =>
  (domains[op.name] ?? []).flatMap((domain, row) => drawSeeds.map((seed) => ({ op, domain, row, seed }))),
);

/** The op with each gradient its rule returns multiplied by `c`. */
const scaledRule = (op: Op, c: number): Op => ({
  ...op,
  backward: (...args) => op.backward(...args).map((g) => g && { shape: g.shape, data: g.data.map((v) => v * c) }),
});

describe('the op table', () => {
  it('has a domain for every registered op', () => {
    expect(builtinOps.filter((op) => !domains[op.name]).map((op) => op.name)).toEqual([]);
  });

  it.each(cases.map((c) => [c.op.name, c.row, c.seed, c] as const))('%s row %i seed %i: backward matches central differences', (_n, _r, seed, { op, domain }) => {
    const inputs = domain.draw(randomFor(seed));
    const results = checkOp(op, inputs, { attrs: domain.attrs, seed });
    expect(results.some((r) => r.verdict !== 'none')).toBe(true);
    for (const r of results) if (r.difference !== null) expect(r.difference, `input ${r.name}`).toBeLessThan(domain.tolerance);
  });

  it.each(builtinOps.map((op) => [op.name, op] as const))('%s: a rule off by 1% fails its check', (_n, op) => {
    const domain = domains[op.name][0];
    const results = checkOp(scaledRule(op, 1.01), domain.draw(randomFor(1)), { attrs: domain.attrs, seed: 1 });
    const worst = Math.max(...results.map((r) => r.difference ?? 0));
    expect(worst).toBeGreaterThan(1e-3);
  });
});

describe('an op check through the incremental rule', () => {
  // The check moves one element at a time through the op's update rule; without one it runs
  // whole forwards. Both must estimate the same derivatives (up to rounding) and agree.
  const withUpdate = cases.filter((c) => c.op.update);
  it.each(withUpdate.map((c) => [c.op.name, c.row, c.seed, c] as const))('%s row %i seed %i: the same numbers as whole forwards', (_n, _r, seed, { op, domain }) => {
    const inputs = domain.draw(randomFor(seed));
    const incremental = checkOp(op, inputs, { attrs: domain.attrs, seed });
    const whole = checkOp({ ...op, update: undefined }, inputs, { attrs: domain.attrs, seed });
    incremental.forEach((r, k) => {
      expect(r.verdict).toBe(whole[k].verdict);
      if (!r.numeric) return expect(whole[k].numeric).toBeNull();
      const scale = Math.max(1, ...whole[k].numeric!.map(Math.abs));
      r.numeric.forEach((v, i) => expect(Math.abs(v - whole[k].numeric![i])).toBeLessThan(1e-8 * scale));
    });
  });

  it('a wrong rule still fails, by the same margin', () => {
    const domain = domains.linear[0];
    const inputs = domain.draw(randomFor(3));
    const wrong = scaledRule(builtinOps.find((o) => o.name === 'linear')!, 2);
    const incremental = checkOp(wrong, inputs, { seed: 3 });
    const whole = checkOp({ ...wrong, update: undefined }, inputs, { seed: 3 });
    expect(incremental.map((r) => r.verdict)).toEqual(['fail', 'fail', 'fail']);
    incremental.forEach((r, k) => expect(r.difference).toBeCloseTo(whole[k].difference!, 8));
  });
});

describe("a user op's own incremental rule", () => {
  // squareWithWrongUpdate: a check must differentiate the forward, not the op's own rule.
  const x = { shape: [2, 3], data: Float64Array.of(0.5, -1.2, 2, 0.3, 1.1, -0.7) };

  it('is not what its check differentiates: the forward is', () => {
    expect(checkOp(squareWithWrongUpdate(2), [x])[0].verdict).toBe('pass');
    expect(checkOp(squareWithWrongUpdate(6), [x])[0].verdict).toBe('fail');
  });
});
