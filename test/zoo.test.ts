/**
 * A few cases of the bug zoo, checked with the default method (auto) in mode auto, for what a
 * verdict and its blame do not show: diagnoses, kinks, a frozen dropout mask, the seed method's
 * false alarm. The verdict and the nodes blamed on every case: test/agreement.test.ts.
 * The full zoo (bench/zoo/, 60+ cases, both methods) is the benchmark, not a test:
 * `npm run bench:verdicts`.
 */
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../src/index.js';
import { cases } from '../bench/zoo/cases.js';

function checked(name: string) {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no zoo case ${name}`);
  const report = checkGraph(c.build(), { mode: 'auto', ops: c.ops });
  const blamed = (report.nodes ?? []).filter((n) => n.verdict === 'fail').map((n) => n.id);
  return { c, report, blamed };
}

describe('the bug zoo, a few cases (default method)', () => {
  it('passes a correct graph with saturated sigmoids (z = ±15..30, labels matching)', () => {
    const { report, blamed } = checked('saturatedUnit15to30');
    expect(report.verdict).toBe('pass');
    expect(blamed).toEqual([]);
  });

  it("fails dW2 × 2 (the seed's bug) and blames Z2 alone, diagnosed as scaled by 2", () => {
    const { c, report, blamed } = checked('mlp:Z2=linear_dW_x2');
    expect(report.verdict).toBe('fail');
    expect(blamed).toEqual(c.blame);
    const w = report.nodes!.find((n) => n.id === 'Z2')!.inputs.find((i) => i.name === 'W')!;
    expect(w.diagnosis).toMatchObject({ kind: 'scaled' });
    expect((w.diagnosis as { factor: number }).factor).toBeCloseTo(2, 6);
  });

  it('passes a correct graph whose ReLU inputs are exactly 0, counting the kinks, where method seed raises a false alarm', () => {
    const { report, blamed } = checked('reluZerosAllUnits');
    expect(report.verdict).toBe('pass');
    expect(blamed).toEqual([]);
    const c = cases.find((x) => x.name === 'reluZerosAllUnits')!;
    const full = checkGraph(c.build(), { full: true });
    expect(full.verdict).toBe('pass');
    expect(full.params.reduce((n, p) => n + (p.nondifferentiable ?? 0), 0)).toBeGreaterThan(0);
    expect(checkGraph(c.build(), { method: 'seed', mode: 'graph' }).verdict).toBe('fail');
  });

  it('checks a network with dropout (its mask frozen), and blames a dropout rule that forgets its scale', () => {
    expect(checked('host:dropoutNet').report.verdict).toBe('pass');
    const { c, report, blamed } = checked('dropoutNet:Dp=dropout_dx_x0_5');
    expect(report.verdict).toBe('fail');
    expect(blamed).toEqual(c.blame);
  });

  it('blames a mul whose rule returns null for its second input (a dropped accumulation)', () => {
    const { c, report, blamed } = checked('gated:Q=mul_drop_second_null');
    expect(report.verdict).toBe('fail');
    expect(blamed).toEqual(c.blame);
    const dropped = report.nodes!.flatMap((n) => n.inputs).find((i) => i.verdict === 'fail')!;
    expect(dropped.diagnosis?.text).toBe('the rule returns null (no gradient) for an input that depends on a param');
  });
});
