/**
 * The native chain's calls and programs (native/chain-create.c, native/chain-calls.c,
 * src/engine/native-chain.ts): one chain for every param is made where it should be, and a call
 * refuses what does not fit (a program, an element, a count, a param's position) before it moves
 * anything. test/native-chain.test.ts compares the chain's results with JavaScript's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkGraph, createRandom, graph, OpRegistry, type Tensor } from '../src/index.js';
import { nativeAvailable, nativeKernels, useExactMath, useNativeKernels } from '../src/core/native.js';
import { compile, type Plan } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { Replayer } from '../src/engine/replayer.js';
import { planChains } from '../src/engine/native-chain.js';
import { bitsOf, labels, matrix, mlp } from './helpers/networks.js';

afterEach(() => {
  useNativeKernels(true);
});

describe.runIf(nativeAvailable())('the native chain: where it is made, and what its calls refuse', () => {
  it('is made once for every param of a plan of chain ops, and not for a plan with another op', () => {
    const values = (p: Plan) => forwardGuarded(p).values;
    const buffers = (p: Plan) => new Replayer(p, values(p), true)['buffers'] as (Tensor | null)[];
    const plan = compile(mlp(1, [6, 5, 4, 1], 3), new OpRegistry());
    const chains = planChains(plan, values(plan), buffers(plan));
    expect([...(chains?.keys() ?? [])].map((slot) => plan.leaves[slot].name)).toEqual(['W1', 'b1', 'W2', 'W3', 'b3']);
    expect([...chains!.values()].every((c) => c.complete && c.frontier === plan.objective)).toBe(true);
    const withAdd = compile(graph().input('X', matrix(createRandom(1), 2, 3)).input('Y', labels(3)).param('W', matrix(createRandom(2), 1, 2)).node('Z', 'linear', ['X', 'W']).node('Z2', 'add', ['Z', 'Z']).node('P', 'sigmoid', ['Z2']).node('cost', 'logloss', ['P', 'Y']).build(), new OpRegistry());
    expect(planChains(withAdd, values(withAdd), buffers(withAdd))).toBeNull();
    const exact = useExactMath(false);
    expect(planChains(plan, values(plan), buffers(plan))).toBeNull();
    useExactMath(exact);
  });

  it('chainSteps refuses an element or a count out of range, before it moves anything', () => {
    const plan = compile(mlp(18, [3, 4, 1], 5), new OpRegistry());
    const values = forwardGuarded(plan).values;
    const replayer = new Replayer(plan, values, true, 0);
    const slot = plan.slotOf.get('W1')!;
    const W1 = plan.leaves[slot].value.data;
    const before = Array.from(W1, bitsOf);
    const out = new Float64Array(4);
    // W1 is [4, 3]: 12 elements.
    expect(() => replayer.elements(slot, Int32Array.of(0, 12), Float64Array.of(0.5, 0.5), 2, out, 0)).toThrow(RangeError);
    expect(() => replayer.elements(slot, Int32Array.of(0, 1), Float64Array.of(0.5, 0.5), 3, out, 0)).toThrow(RangeError);
    expect(() => replayer.elements(slot, Int32Array.of(0, 1), Float64Array.of(0.5, 0.5), 2, out, 3)).toThrow(RangeError);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(Array.from(W1, bitsOf)).toEqual(before);
    replayer.elements(slot, Int32Array.of(11, 11), Float64Array.of(0.5, -0.5), 2, out, 2);
    expect(bitsOf(out[2])).toBe(bitsOf(replayer.element(slot, 11, 0.5)));
    expect(bitsOf(out[3])).toBe(bitsOf(replayer.element(slot, 11, -0.5)));
  });

  it("chainSteps reads its run from the chain's run array: a count past its room, or an index that is not a whole element, is refused", () => {
    const plan = compile(mlp(18, [3, 4, 1], 5), new OpRegistry());
    const values = forwardGuarded(plan).values;
    const replayer = new Replayer(plan, values, true, Infinity, Infinity);
    const slot = plan.slotOf.get('W1')!;
    // The chain's private parts: its block, its run array, the param's position.
    const chain = planChains(plan, values, replayer['buffers'] as (Tensor | null)[])!.get(slot)! as unknown as Record<string, unknown>;
    const [native, handle, room, param] = [nativeKernels()!, chain['handle'] as Float64Array, chain['runRoom'] as Float64Array, chain['param'] as number];
    const capacity = room.length / 3;
    const W1 = plan.leaves[slot].value.data;
    const before = Array.from(W1, bitsOf);
    room.fill(0);
    for (const bad of [1.5, -1, 12, NaN]) {
      room[1] = bad;
      expect(() => native.chainSteps(handle, param, 2)).toThrow(RangeError);
    }
    expect(() => native.chainSteps(handle, param, capacity + 1)).toThrow(RangeError);
    expect(Array.from(room.subarray(2 * capacity), bitsOf)).toEqual(Array(capacity).fill(bitsOf(0)));
    expect(Array.from(W1, bitsOf)).toEqual(before);
    room[1] = 11;
    room[capacity + 1] = 0.5;
    native.chainSteps(handle, param, 2);
    expect(bitsOf(room[2 * capacity + 1])).toBe(bitsOf(replayer.element(slot, 11, 0.5)));
  });

  it('refuses a program that does not fit its arrays', () => {
    const native = nativeKernels()!;
    const a = new Float64Array(6);
    const [z, zBase, w] = [new Float64Array(4), new Float64Array(4), new Float64Array(2)];
    // values: W [2, 1] (the param), X [1, 3], Z [2, 2]: X has 3 columns, Z 2; params: W, or W and Z.
    const program = (xCols: number, zCols: number, params = [0]) => Int32Array.from([3, 1, params.length, 2, ...params, 2, 1, 2, -1, 1, xCols, 3, -1, 2, zCols, 0, 1, 1, 2, 1, 0, -1]);
    const run = new Float64Array(3 * 2);
    const create = (prog: Int32Array, report: Int32Array, block = new Float64Array(native.chainSize(prog) / 8)) => {
      native.chainCreate(prog, report, run, block, z, zBase, w, a);
      return block;
    };
    expect(() => create(program(3, 2), new Int32Array(4))).toThrow(RangeError);
    expect(() => create(program(2, 2), new Int32Array(1))).toThrow(RangeError);
    // A param must be a leaf (Z is a step's output), named once, within the values.
    for (const params of [[0, 2], [0, 0], [3]]) expect(() => create(program(2, 2, params), new Int32Array(4))).toThrow(RangeError);
    expect(() => native.chainSize(program(2, 2, []))).toThrow(RangeError);
    // The chain is laid out in its block: one too small is refused.
    for (const words of [0, 4, 16]) expect(() => create(program(2, 2), new Int32Array(4), new Float64Array(words))).toThrow(RangeError);
    expect(() => (native.chainSize as () => number)()).toThrow(TypeError);
    // The block, the run and the report share memory with no value and with each other.
    const bytes = native.chainSize(program(2, 2));
    const wide = new Float64Array(bytes / 8 + 8);
    const made = (prog: Int32Array, report: Int32Array, runArray: Float64Array, block: Float64Array, values: Float64Array[]) => () => native.chainCreate(prog, report, runArray, block, ...(values as [Float64Array]));
    expect(made(program(2, 2), new Int32Array(4), z, new Float64Array(bytes / 8), [z, zBase, w, a])).toThrow(RangeError);
    expect(made(program(2, 2), new Int32Array(4), run, wide, [z, zBase, w, wide.subarray(wide.length - 6)])).toThrow(RangeError);
    expect(made(program(2, 2), new Int32Array(wide.buffer, 0, 4), run, wide, [z, zBase, w, a])).toThrow(RangeError);
    expect(made(program(2, 2), new Int32Array(4), wide.subarray(0, 6), wide.subarray(5), [z, zBase, w, a])).toThrow(RangeError);
    // Side by side is apart.
    expect(made(program(2, 2), new Int32Array(4), wide.subarray(0, 6), wide.subarray(6), [z, zBase, w, a])).not.toThrow();
    const chain = create(program(2, 2), new Int32Array(4));
    // Only a block a chain was made in runs: not another array, nor a copy of the block.
    for (const notChain of [new Float64Array(chain.length), chain.slice()]) expect(() => native.chainRun(notChain, 0, 0, 1)).toThrow(TypeError);
    expect(() => native.chainRun(chain, 0, 2, 1)).toThrow(RangeError);
    expect(() => native.chainRun(chain, 1, 0, 1)).toThrow(RangeError);
    // chainStep only for a chain whose last value is one number (the objective).
    expect(() => native.chainStep(chain, 0, 0, 1)).toThrow(RangeError);
    expect(() => native.chainSteps(chain, 0, 1)).toThrow(RangeError);
    // An index or a position is a whole number: not 1.5, NaN or Infinity (which a cut to an integer would take for one).
    for (const bad of [1.5, NaN, Infinity, -0.5]) {
      expect(() => native.chainRun(chain, 0, bad, 1)).toThrow(RangeError);
      expect(() => native.chainRun(chain, bad, 0, 1)).toThrow(RangeError);
    }
    expect(() => native.chainRun(chain, 0, 1, 1)).not.toThrow();
  });

  it('a layer with no columns (X of shape [3, 0]): the same report with the chain as without it', () => {
    const random = createRandom(19);
    const g = graph()
      .input('X', { shape: [3, 0], data: new Float64Array(0) })
      .input('Y', { shape: [1, 0], data: new Float64Array(0) })
      .param('W', matrix(random, 1, 3))
      .param('b', matrix(random, 1, 1))
      .node('Z', 'linear', ['X', 'W', 'b'])
      .node('P', 'sigmoid', ['Z'])
      .node('cost', 'logloss', ['P', 'Y'])
      .build();
    const report = (native: boolean) => {
      useNativeKernels(native);
      const { verdict, difference, evaluations, params } = checkGraph(g, { mode: 'graph', full: true });
      return { verdict, difference: bitsOf(difference), evaluations, numeric: params.map((p) => Array.from(p.numeric, bitsOf)) };
    };
    expect(report(true)).toEqual(report(false));
  });
});
