/** The perturbations of an element-wise pass (element-steps.ts): at, run and locate agree, and the driver gives the same values through run as through at. */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { graph } from '../src/index.js';
import { ElementSteps } from '../src/check/element-steps.js';
import { compile } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { replayBatches, type ElementPerturbation, type PerturbationList } from '../src/engine/replay.js';
import { OpRegistry } from '../src/ops/registry.js';

const target = (name: string, size: number) => ({ name, data: Float64Array.from({ length: size }, (_v, i) => (i - 2) * 0.75) });
// Sizes with an empty param between two others, and a step that differs by element.
const targets = [target('A', 3), target('E', 0), target('B', 5), target('C', 1)];
const stepOf = (t: { data: Float64Array }, i: number) => 1e-3 * (1 + Math.abs(t.data[i]));

/** What position i must be: +h then −h for each chosen element, param by param. */
const expected = (only?: number[][]): ElementPerturbation[] =>
  targets.flatMap((t, k) => (only ? only[k] : [...t.data.keys()]).flatMap((index) => [1, -1].map((sign) => ({ param: t.name, index, step: sign * stepOf(t, index) }))));

describe('ElementSteps', () => {
  for (const only of [undefined, [[2], [], [0, 3, 4], []]]) {
    const label = only ? 'chosen elements' : 'every element';
    const want = expected(only);

    it(`makes +h then −h for ${label}, in order, and nothing past the end`, () => {
      const steps = new ElementSteps(targets, stepOf, only);
      expect(steps.length).toBe(want.length);
      expect(Array.from({ length: steps.length }, (_v, i) => steps.at(i))).toEqual(want);
      expect([steps.at(-1), steps.at(steps.length), steps.at(0.5)]).toEqual([undefined, undefined, undefined]);
    });

    it(`locates each position (${label}), in order and back again`, () => {
      const steps = new ElementSteps(targets, stepOf, only);
      const order = [...want.keys(), ...[...want.keys()].reverse()];
      for (const i of order) {
        steps.locate(i);
        expect({ param: steps.target.name, index: steps.index, step: steps.step }).toEqual(want[i]);
      }
    });

    it(`writes a run of one param's steps from any position, at most max (${label})`, () => {
      for (let position = 0; position < want.length; position++) {
        for (const max of [1, 2, 3, 8]) {
          const steps = new ElementSteps(targets, stepOf, only);
          const [indices, values] = [new Int32Array(8), new Float64Array(8)];
          const n = steps.run(position, max, indices, values);
          let length = 0;
          while (length < max && position + length < want.length && want[position + length].param === want[position].param) length++;
          expect(n).toBe(length);
          const got = Array.from({ length: n }, (_v, k) => ({ param: want[position].param, index: indices[k], step: values[k] }));
          expect(got).toEqual(want.slice(position, position + n));
        }
      }
      expect(new ElementSteps(targets, stepOf, only).run(want.length, 8, new Int32Array(8), new Float64Array(8))).toBe(0);
    });
  }
});

describe('ElementSteps refuses', () => {
  it('a chosen element that is not there (run would write it into an Int32Array as some other element)', () => {
    for (const bad of [1.5, NaN, 2 ** 32, -1, 3]) {
      expect(() => new ElementSteps(targets, stepOf, [[bad], [], [], []])).toThrow(`A has 3 elements; there is no element ${bad}`);
    }
  });

  it('a position to locate that is not there, and its cursor still works after', () => {
    const steps = new ElementSteps(targets, stepOf);
    const want = expected();
    for (const bad of [-1, want.length, 0.5]) expect(() => steps.locate(bad)).toThrow(`there is no position ${bad} among ${want.length}`);
    steps.locate(want.length - 1);
    steps.locate(0);
    expect({ param: steps.target.name, index: steps.index, step: steps.step }).toEqual(want[0]);
  });
});

describe('the driver with a list that writes runs', () => {
  it('replays the same values, bit for bit, as through at alone, and asks at once a run, not once an evaluation', async () => {
    const g = graph()
      .param('A', [[0.3, -0.2, 0.5]])
      .param('B', [[0.1], [0.4], [-0.6]])
      .node('M', 'matmul', ['A', 'B'])
      .node('T', 'tanh', ['M'])
      .node('c', 'sum', ['T'])
      .build();
    const plan = compile(g, new OpRegistry());
    const baseline = forwardGuarded(plan).values;
    const leaves = plan.leaves.map((l) => ({ name: l.name, data: l.value.data }));
    const steps = new ElementSteps(leaves, () => 1e-4);
    let asked = 0;
    const counted: PerturbationList<ElementPerturbation> = { length: steps.length, at: (i) => (asked++, steps.at(i)), run: (...args) => steps.run(...args) };
    const atOnly: PerturbationList<ElementPerturbation> = { length: steps.length, at: (i) => steps.at(i) };
    const values = async (list: PerturbationList) => (await lastValueFrom(replayBatches(plan, baseline, list, { firstBatch: 16 }).pipe(toArray()))).flatMap((b) => [...b.values]);
    const [withRuns, withoutRuns] = [await values(counted), await values(atOnly)];
    expect(withRuns).toHaveLength(12);
    // (toEqual compares numbers with Object.is: bit for bit but for NaN's payload.)
    expect(withRuns).toEqual(withoutRuns);
    // Once to tell elements from directions, then once a run: A's 6 steps, B's first 2 (the
    // clock is read every 8 evaluations) and B's last 4.
    expect(asked).toBe(4);
  });
});
