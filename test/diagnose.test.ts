/** Diagnoses of a wrong gradient, each asserted as exact words and data. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/check/diagnose.js';

const numeric = Float64Array.of(0.5, -1.25, 2, 0.75, -0.3, 1.1, 0.05, -2.2, 0.9);
const shape = [3, 3];
const times = (c: number) => numeric.map((v) => v * c);

describe('diagnose', () => {
  it.each<[string, Float64Array, object]>([
    ['×2', times(2), { kind: 'scaled', factor: 2, text: 'analytic = 2.000 × numeric' }],
    ['×1/3, a stray 1/m', times(1 / 3), { kind: 'scaled', text: 'analytic = 0.333 (1/3: a stray 1/m?) × numeric' }],
    ['a flipped sign', times(-1), { kind: 'scaled', factor: -1, text: 'analytic = −1.000 (sign) × numeric' }],
    ['×1.01', times(1.01), { kind: 'scaled', text: 'analytic = 1.010 × numeric' }],
    ['a transpose', Float64Array.from(numeric, (_v, i) => numeric[(i % 3) * 3 + Math.floor(i / 3)]), { kind: 'transposed', text: 'analytic = numericᵀ (transposed)' }],
    ['zeros', new Float64Array(9), { kind: 'zero', text: 'analytic is 0 where numeric is not (a gradient not passed on?)' }],
    ['one element wrong', numeric.map((v, i) => (i === 4 ? 7 : v)), { kind: 'some-elements', count: 1, total: 9, indices: [[1, 1]], text: 'wrong in 1 of 9 elements: [1, 1]' }],
    ['four elements wrong', numeric.map((v, i) => (i % 2 === 1 ? v + 1 : v)), { kind: 'some-elements', count: 4, text: 'wrong in 4 of 9 elements: [0, 1], [1, 0], [1, 2], …' }],
    ['a NaN', numeric.map((v, i) => (i === 5 ? NaN : v)), { kind: 'non-finite', index: [1, 2], text: 'analytic is NaN at [1, 2]' }],
    ['no pattern', Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), { kind: 'wrong', text: 'analytic and numeric disagree throughout, with no simple pattern' }],
  ])('%s', (_what, analytic, expected) => {
    const { factor, ...rest } = expected as { factor?: number };
    const d = diagnose(analytic, numeric, shape, 1e-6);
    expect(d).toMatchObject(rest);
    if (factor !== undefined) expect(d.kind === 'scaled' && d.factor).toBeCloseTo(factor, 12);
  });

  it('calls a disagreement within a few parts in 10⁴ close, not scaled', () => {
    expect(diagnose(times(1 + 1e-5), numeric, shape, 1e-6)).toMatchObject({ kind: 'close', text: 'analytic and numeric agree to 1.0e-5 relative: near what this step can resolve' });
  });
});
