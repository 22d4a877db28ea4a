/**
 * The restore guarantee: after a check that finishes, fails, throws or is cancelled, every param
 * is bitwise identical to before. The params include tiny values on which θ + h − h does not
 * round-trip, so a driver that undid a step by subtracting it would be caught.
 */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, take, lastValueFrom, toArray } from 'rxjs';
import { checkGradient, checkGraph, checkGraph$, graph, methodOf, withOp, type Graph, type Op } from '../src/index.js';
import { tanh } from '../src/ops/tanh.js';
import { linear } from '../src/ops/linear.js';
import { squareWithWrongUpdate } from './helpers/wrong-update-op.js';

const P = [[1e-9, -3e-10, 0.1], [0.7, -2.5e-9, 1.3]];
const Q = [[0.5, 7e-11, -0.25], [2, 1, -4.2e-9]];
/** cost = Σ tanh(P) ⊙ Q, built anew per test (so no test sees another's params). */
const tiny = (): Graph => graph().param('P', P).param('Q', Q).node('T', 'tanh', ['P']).node('S', 'mul', ['T', 'Q']).node('cost', 'sum', ['S']).build();
/** tanh whose rule is off by 1%: a check of it fails. */
const wrongTanh: Op = { ...tanh, name: 'wrong_tanh', backward: (i, o, d) => tanh.backward(i, o, d).map((g) => g && { shape: g.shape, data: g.data.map((v) => v * 1.01) }) };

/** Every param's bytes, to compare bit for bit (NaN payloads and -0 included). */
const snapshot = (g: Graph) => g.leaves.map((l) => Buffer.from(l.value.data.buffer.slice(0)));
const expectUnchanged = (g: Graph, before: Buffer[]) => g.leaves.forEach((l, i) => expect(Buffer.from(l.value.data.buffer).equals(before[i]), l.name).toBe(true));

describe.each([
  ['element by element', { mode: 'graph' }],
  ['along directions', {}],
] as const)('every param comes back bit for bit, checking %s', (_how, how) => {
  it('has params on which θ + h − h does not round-trip (so the test can fail)', () => {
    const { step } = methodOf('auto');
    const values = [...P.flat(), ...Q.flat()];
    expect(values.filter((v) => v + step(v) - step(v) !== v).length).toBeGreaterThan(3);
  });

  it('after a check that finishes and passes', () => {
    const g = tiny();
    const before = snapshot(g);
    expect(checkGraph(g, how).verdict).toBe('pass');
    expectUnchanged(g, before);
  });

  it('after a check that finishes and fails', () => {
    const g = withOp(tiny(), 'T', 'wrong_tanh');
    const before = snapshot(g);
    expect(checkGraph(g, { ...how, ops: [wrongTanh] }).verdict).toBe('fail');
    expectUnchanged(g, before);
  });

  it('after a check that throws in the middle of its replays', () => {
    // Throws on the 3rd forward call: the guarded pass is the 1st and the timed plain pass the
    // 2nd, so this is the first replay, with P perturbed.
    let calls = 0;
    const flaky: Op = { ...tanh, name: 'flaky', update: undefined, forward: (inputs, attrs) => { if (++calls === 3) throw new Error('flaked'); return tanh.forward(inputs, attrs); } };
    const g = withOp(tiny(), 'T', 'flaky');
    const before = snapshot(g);
    expect(() => checkGraph(g, { ...how, ops: [flaky] })).toThrow('node T: flaky.forward threw: flaked');
    expect(calls).toBe(3);
    expectUnchanged(g, before);
  });

  it('after a check that is cancelled by unsubscribing (synchronously)', async () => {
    const g = tiny();
    const before = snapshot(g);
    // (sliceMs 0: a batch ends at its first clock read, every 8 replays, so the check stops mid-way.)
    const events = await lastValueFrom(checkGraph$(g, { ...how, sliceMs: 0 }).pipe(take(2), toArray()));
    expect(events.map((e) => e.type)).toEqual(['progress', 'progress']);
    expectUnchanged(g, before);
  });

  it('after a check that is cancelled between slices (asynchronously)', async () => {
    const g = tiny();
    const before = snapshot(g);
    let seen = 0;
    await new Promise<void>((resolve) => {
      const subscription = checkGraph$(g, { ...how, scheduler: asyncScheduler, sliceMs: 0 }).subscribe((e) => {
        if (e.type === 'progress' && ++seen === 1) {
          setTimeout(() => {
            subscription.unsubscribe();
            resolve();
          }, 0);
        }
      });
    });
    expect(seen).toBeLessThan(3);
    expectUnchanged(g, before);
  });
});

describe("a node check and the caller's tensors", () => {
  // y = 2x, with a correct backward that writes into x when the cotangent has a negative entry:
  // a write the guarded first pass (whose cotangent is all ones) never sees, but a node check's
  // random cotangent triggers.
  const sneaky: Op = {
    name: 'sneaky_scale',
    inputs: ['x'],
    forward: ([x]) => ({ shape: [...x.shape], data: x.data.map((v) => 2 * v) }),
    backward: ([x], _y, dy) => {
      if (dy.data.some((g) => g < 0)) x.data[0] = 0;
      return [{ shape: [...dy.shape], data: dy.data.map((g) => 2 * g) }];
    },
  };

  it("gives a user op copies, so a rule that writes into its arguments cannot change a param", () => {
    const g = graph().param('P', [[0.5, -1.5, 2]]).node('Y', 'sneaky_scale', ['P']).node('c', 'sum', ['Y']).build();
    const before = snapshot(g);
    const report = checkGraph(g, { ops: [sneaky], mode: 'nodes' });
    expect(report.nodes!.find((n) => n.id === 'Y')!.verdict).toBe('pass');
    expectUnchanged(g, before);
  });

  // linear's own forward and incremental rules (so a node check lets them read the caller's
  // tensors), with a backward that returns linear's gradients and then zeroes W[0, 0] when the
  // cotangent has a negative entry.
  const sneakyLinear: Op = {
    ...linear,
    name: 'sneaky_linear',
    backward: (args, y, dy, attrs) => {
      const grads = linear.backward(args, y, dy, attrs);
      if (dy.data.some((g) => g < 0)) args[1].data[0] = 0;
      return grads;
    },
  };

  it("gives a user op's backward copies of its own, even where its forward reads the caller's tensors", () => {
    const g = graph().input('X', [[0.5, -1.5], [2, 0.25]]).param('W', [[0.3, -0.8], [1.1, 0.4]]).node('Y', 'sneaky_linear', ['X', 'W']).node('c', 'sum', ['Y']).build();
    const before = snapshot(g);
    const report = checkGraph(g, { ops: [sneakyLinear], mode: 'nodes' });
    // X's estimates read W: had the rule's write reached the W the check moves X against, X's
    // check would fail (and had it reached the caller's W, W would come back changed).
    expect(report.nodes![0].inputs.map((i) => [i.name, i.verdict])).toEqual([['X', 'pass'], ['W', 'pass']]);
    expectUnchanged(g, before);
  });
});

describe("a user's own rules", () => {
  // squareWithWrongUpdate: a check must differentiate the forward, not the op's own rule.
  const net = () => graph().param('P', [[0.5, -1.2, 2], [0.3, 1.1, -0.7]]).node('S', 'square', ['P']).node('c', 'sum', ['S']).build();

  it.each(['graph', 'auto'] as const)('mode %s: replays through the forward, not the incremental rule', (mode) => {
    expect(checkGraph(net(), { ops: [squareWithWrongUpdate(2)], mode }).verdict).toBe('pass');
    expect(checkGraph(net(), { ops: [squareWithWrongUpdate(6)], mode }).verdict).toBe('fail');
  });

  it('checkGradient watches the function it is given: one that writes into θ is named, and θ comes back', () => {
    const theta = Float64Array.of(0.5, 3, -2);
    const clip = (t: Float64Array) => {
      t[1] = Math.min(t[1], 1);
      return t.reduce((s, v) => s + v * v, 0);
    };
    expect(() => checkGradient(clip, (t) => Array.from(t, (v) => 2 * v), theta)).toThrow(/changed its input theta/);
    expect([...theta]).toEqual([0.5, 3, -2]);
  });
});
