/**
 * A few cases of the bug zoo, checked with the default method (auto) in mode auto: the verdict,
 * and the nodes blamed (report.nodes with verdict 'fail') against the mutated ones.
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

  it('fails a relu that passes the gradient where x < 0 and blames A1 alone', () => {
    const { c, report, blamed } = checked('mlp:A1=relu_wrong_side');
    expect(report.verdict).toBe('fail');
    expect(blamed).toEqual(c.blame);
  });

  // The mutant changes no param gradient (its upstream gradient is 0), so only a node check with
  // a random cotangent can see it. Known to fail with the engine of 2026-11: mode auto checks
  // nodes only after the graph fails, and this graph's gradient is right.
  it('fails dW1 × 2 behind ReLUs that are all dead, and blames Z1 alone', () => {
    const { c, report, blamed } = checked('deadBranch:Z1=linear_dW_x2');
    expect(report.verdict).toBe('fail');
    expect(blamed).toEqual(c.blame);
  });
});
