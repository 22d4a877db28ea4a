/**
 * The seed assignment reproduced: its figures asserted as numbers, and the NumPy reference
 * (../shared/reference/seed_gradcheck.py) as an oracle element by element.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGradient, checkGraph, evaluate, mlpGraph, withOp, type CheckReport, type MlpCase, type Op } from '../src/index.js';
import seedBugs from '../graphs/ops/seed-bugs.js';
import { reference, referenceMlp, seedOrder, sharedDir } from './helpers/reference.js';

const fraud = JSON.parse(readFileSync(join(sharedDir, 'reference/fraud_case.json'), 'utf8')) as MlpCase;
const vectorOf = (report: CheckReport, key: 'analytic' | 'numeric', order: string[]) =>
  order.flatMap((name) => [...report.params.find((p) => p.name === name)![key]]);

describe('the 1-D check J(θ) = θx', () => {
  it('reproduces the seed bit for bit: difference 2.919335883291695e-10, pass', () => {
    const x = 2;
    const report = checkGradient((theta) => theta[0] * x, [x], [4], { method: 'seed' });
    expect(report.difference).toBe(2.919335883291695e-10);
    expect(report.verdict).toBe('pass');
    expect(report.objective).toBe(8);
  });
});

describe("the seed's fraud network", () => {
  const g = mlpGraph(fraud);

  it('has the cost 2.407833389834357', () => {
    expect(Math.abs(evaluate(g).objective - 2.407833389834357)).toBeLessThan(1e-12);
  });

  it("gives every gradient element of the reference's backward pass within 1e-12", () => {
    const ref = reference(['--case', 'fraud']);
    const { gradients } = evaluate(g);
    const ours = seedOrder(3).flatMap((name) => [...gradients.get(name)!.data]);
    expect(ours).toHaveLength(47);
    ours.forEach((v, i) => expect(Math.abs(v - ref.gradient[i])).toBeLessThan(1e-12));
  });

  it("raises the seed's false alarm on the correct network with method seed (1.189e-7 > 1e-7)", () => {
    const report = checkGraph(g, { method: 'seed', mode: 'graph' });
    expect(Math.abs(report.difference / 1.189e-7 - 1)).toBeLessThan(0.02);
    expect(report.verdict).toBe('fail');
    expect(report.evaluations).toBe(2 * 47 + 1);
  });

  it('passes the correct network with the default method, with difference ≤ 1e-9, along 3 directions', () => {
    const report = checkGraph(g);
    expect(report.verdict).toBe('pass');
    expect(report.difference).toBeLessThan(1e-9);
    expect(report.evaluations).toBe(1 + 2 * 3);
    expect(report.directions!.map((d) => d.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('passes the correct network element by element, every element within its error bound', () => {
    const report = checkGraph(g, { full: true });
    expect(report.verdict).toBe('pass');
    expect(report.difference).toBeLessThan(1e-9);
    expect(report.params.every((p) => p.failing === 0 && p.margin! <= 1)).toBe(true);
  });

  it("catches the seed's bug (dW2 × 2, db1 × 4) written as user ops: difference 0.2850931567761623", () => {
    const buggy = withOp(withOp(g, 'Z2', 'linear_dW_x2'), 'Z1', 'linear_db_x4');
    const report = checkGraph(buggy, { method: 'seed', mode: 'graph', ops: seedBugs as Op[] });
    expect(Math.abs(report.difference / 0.2850931567761623 - 1)).toBeLessThan(1e-6);
    expect(report.verdict).toBe('fail');
    const ref = reference(['--case', 'fraud', '--buggy']);
    expect(Math.abs(report.difference / ref.difference - 1)).toBeLessThan(1e-6);
  });
});

describe('the NumPy reference as an oracle', () => {
  // h = 1e-7 leaves rounding noise of about ε·|J|/h in each estimate, and NumPy's BLAS rounds
  // its sums differently from our loops: estimates may differ by a few times that noise.
  const noise = (cost: number) => (Number.EPSILON * Math.max(1, Math.abs(cost))) / 1e-7;

  const agree = (values: MlpCase, args: string[]) => {
    const ref = reference(args);
    const report = checkGraph(mlpGraph(values), { method: 'seed', mode: 'graph' });
    const order = seedOrder(values.layers.length);
    expect(Math.abs(report.objective - ref.cost)).toBeLessThan(1e-12 * Math.max(1, ref.cost));
    const analytic = vectorOf(report, 'analytic', order);
    const numeric = vectorOf(report, 'numeric', order);
    expect(analytic).toHaveLength(ref.parameters);
    analytic.forEach((v, i) => expect(Math.abs(v - ref.gradient[i])).toBeLessThan(1e-12));
    const tolerance = 16 * noise(ref.cost);
    numeric.forEach((v, i) => expect(Math.abs(v - ref.approximation[i])).toBeLessThan(tolerance));
    expect(Math.abs(report.difference - ref.difference)).toBeLessThan(0.05 * ref.difference + 1e-9);
  };

  it('agrees on the fraud case element by element', () => agree(fraud, ['--case', 'fraud']));

  it.each([
    [[6, 5, 4, 1], 7, 0],
    [[10, 8, 1], 5, 3],
  ])('agrees on a random MLP %j (batch %i, seed %i) given through --params', (sizes, batch, seed) => {
    const { values, file } = referenceMlp(sizes, batch, seed);
    agree(values, ['--params', file]);
  });
});
