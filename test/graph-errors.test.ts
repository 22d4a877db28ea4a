/**
 * Graph and op errors: each names the node, the op and the input, with its exact message; and
 * none of them leaves a param changed.
 */
import { describe, expect, it } from 'vitest';
import { checkGraph, graph, GradproofError, OpRegistry, type Graph, type Op, type Tensor } from '../src/index.js';
import { relu } from '../src/ops/relu.js';

/** The error a check of `g` throws (the test fails if it throws none). */
function errorOf(g: Graph, ops: Op[] = []): GradproofError {
  try {
    checkGraph(g, { ops });
  } catch (e) {
    expect(e).toBeInstanceOf(GradproofError);
    return e as GradproofError;
  }
  throw new Error('expected the check to throw');
}

const small = () => graph().input('X', [[1, 2], [3, 4]]).param('W', [[0.5, -0.5], [1, 2]]).param('b', [[0.1], [0.2]]);
/** An op like relu whose rules are replaced by `rules`. */
const reluWith = (name: string, rules: Partial<Op>): Op => ({ ...relu, shape: undefined, name, ...rules });

describe('graph errors name the node', () => {
  it.each<[string, () => Graph, string, object]>([
    ['an unknown op, with the nearest name', () => small().node('Z', 'lineer', ['X', 'W', 'b']).node('c', 'sum', ['Z']).build(), "unknown op 'lineer' in node Z", { node: 'Z', op: 'lineer' }],
    ['an unknown name', () => small().node('Z', 'linear', ['X', 'W2', 'b']).node('c', 'sum', ['Z']).build(), "node Z uses 'W2', which is not defined", { node: 'Z', arg: 1 }],
    ['too few arguments', () => small().node('Z', 'linear', ['X']).node('c', 'sum', ['Z']).build(), 'node Z: linear takes 2 to 3 arguments, got 1', { node: 'Z', op: 'linear' }],
    ['too many arguments', () => small().node('Z', 'relu', ['X', 'W']).node('c', 'sum', ['Z']).build(), 'node Z: relu takes 1 argument, got 2', { node: 'Z', op: 'relu' }],
    ['a shape mismatch', () => small().param('V', [[1, 2, 3]]).node('Z', 'linear', ['X', 'V']).node('c', 'sum', ['Z']).build(), "node Z: linear: input W has shape [1, 3], expected [1, 2] (W's columns must match X's rows)", { node: 'Z', op: 'linear', input: 'W', arg: 1 }],
    ['a bias of the wrong shape', () => small().param('c0', [[1, 2]]).node('Z', 'linear', ['X', 'W', 'c0']).node('c', 'sum', ['Z']).build(), 'node Z: linear: input b has shape [1, 2], expected [2, 1]', { node: 'Z', input: 'b', arg: 2 }],
    ['shapes that do not broadcast', () => small().param('V', [[1, 2, 3]]).node('Z', 'add', ['X', 'V']).node('c', 'sum', ['Z']).build(), "node Z: add: input b has shape [1, 3], expected a shape that broadcasts with a's [2, 2]", { node: 'Z', input: 'b', arg: 1 }],
    ['a duplicate name', () => small().node('W', 'relu', ['X']).node('c', 'sum', ['W']).build(), "'W' is defined twice (first as a param)", { node: 'W' }],
    ['a cycle', () => small().node('A', 'add', ['X', 'B']).node('B', 'relu', ['A']).node('c', 'sum', ['B']).build(), 'the graph has a cycle: A -> B -> A', { node: 'A' }],
    ['a non-scalar objective', () => small().node('Z', 'linear', ['X', 'W', 'b']).build(), 'the objective Z must be a scalar, but its shape is [2, 2]', { node: 'Z' }],
    ['no op nodes', () => small().build(), 'the graph has no op nodes, so there is no objective to check', {}],
    ['an unknown keyword argument', () => small().node('D', 'dropout', ['X'], { rat: 0.2 }).node('c', 'sum', ['D']).build(), "node D: dropout has no keyword argument 'rat' (it takes rate, seed)", { node: 'D', op: 'dropout' }],
    ['a NaN in a param', () => graph().param('W', { shape: [1, 2], data: Float64Array.of(0.1, NaN) }).node('c', 'sum', ['W']).build(), 'param W holds NaN at [0, 1]: a check needs finite values', { leaf: 'W' }],
    ['an objective that is not a node', () => small().node('Z', 'sum', ['X']).objective('W').build(), "the objective 'W' is not a node of the graph", { node: 'W' }],
  ])('%s', (_what, build, message, where) => {
    const e = errorOf(build());
    expect(e.message).toBe(message);
    expect(e.where).toMatchObject(where);
  });

  it('suggests the nearest op name', () => {
    expect(errorOf(small().node('Z', 'lineer', ['X', 'W', 'b']).node('c', 'sum', ['Z']).build()).hint).toBe("did you mean 'linear'?");
  });
});

describe('op errors name the node, the op and the input', () => {
  const withOp = (op: Op) => graph().param('P', [[1, -2], [3, 4]]).node('H', op.name, ['P']).node('c', 'sum', ['H']).build();
  const doubled = (t: Tensor): Tensor => ({ shape: [...t.shape], data: t.data.map((v) => 2 * v) });

  it.each<[string, Op, string, object]>([
    ['a forward that throws', reluWith('boom', { forward: () => { throw new Error('out of cheese'); } }), 'node H: boom.forward threw: out of cheese', { node: 'H', op: 'boom' }],
    ['a backward that throws', reluWith('boom_back', { backward: () => { throw new RangeError('bad index'); } }), 'node H: boom_back.backward threw: bad index', { node: 'H', op: 'boom_back' }],
    ['a forward that returns no tensor', reluWith('nothing', { forward: () => ({ shape: [2], data: [1, 2] }) as unknown as Tensor }), 'node H: nothing.forward must return a tensor { shape, data: Float64Array }', { node: 'H' }],
    ['a forward that writes into its input', reluWith('scribbler', { forward: ([x]) => { x.data[0] = 9; return doubled(x); } }), 'node H: scribbler.forward changed its input x; an op must not write into its inputs', { node: 'H', input: 'x', arg: 0 }],
    ['a backward that writes into gradOutput', reluWith('scribbler2', { backward: (_i, _o, dy) => { dy.data[0] = 7; return [doubled(dy)]; } }), 'node H: scribbler2.backward changed its input gradOutput; an op must not write into its inputs', { node: 'H' }],
    ['a gradient of the wrong shape', reluWith('flat', { backward: () => [{ shape: [4], data: new Float64Array(4) }] }), 'node H: flat.backward returned shape [4] for input x, whose shape is [2, 2]', { node: 'H', op: 'flat', input: 'x', arg: 0 }],
    ['too few gradients', reluWith('short', { backward: () => [] }), 'node H: short.backward returned 0 gradients; it must return an array of 1 (one per input, null where none)', { node: 'H' }],
    ['a non-finite gradient', reluWith('nan', { backward: ([x]) => [{ shape: [...x.shape], data: Float64Array.of(0, NaN, 0, 0) }] }), 'node H: nan.backward returned NaN at element 1 of the gradient for input x', { node: 'H', input: 'x' }],
  ])('%s', (_what, op, message, where) => {
    const g = withOp(op);
    const before = g.leaves[0].value.data.slice();
    const e = errorOf(g, [op]);
    expect(e.message).toBe(message);
    expect(e.where).toMatchObject(where);
    expect(g.leaves[0].value.data).toEqual(before);
  });

  it('checks the gradients a rule returns in the node checks too (here only for another cotangent)', () => {
    const sneaky = reluWith('sneaky', {
      forward: ([x]) => doubled(x),
      backward: (_x, _y, dy) => (dy.data[0] === 1 ? [doubled(dy)] : [{ shape: [4], data: new Float64Array(4) }]),
    });
    expect(() => checkGraph(withOp(sneaky), { ops: [sneaky], mode: 'nodes' })).toThrow('node H: sneaky.backward returned shape [4] for input x, whose shape is [2, 2]');
  });

  it('traces a non-finite gradient to where the forward pass first went non-finite', () => {
    const g = graph().input('Y', [[1, 0]]).param('A', [[1, 0.5]]).node('cost', 'logloss', ['A', 'Y']).build();
    // A = 1 with Y = 1 costs 0 (no NaN), but log(1 − A) for Y = 0 at A = 1 would: keep it finite here.
    expect(checkGraph(g).objective).toBeCloseTo(Math.log(2) / 2, 15);
    const bad = graph().input('Y', [[0, 0]]).param('A', [[1, 0.5]]).node('cost', 'logloss', ['A', 'Y']).build();
    expect(errorOf(bad).message).toBe('node cost: logloss.backward returned Infinity at element 0 of the gradient for input A (the forward pass first produced Infinity at node cost, element 0)');
  });
});

describe('the op registry', () => {
  it('refuses a second op of the same name, naming both sources', () => {
    const registry = new OpRegistry();
    expect(() => registry.register({ ...relu }, 'ops/mine.ts')).toThrow("op 'relu' from ops/mine.ts clashes with op 'relu' from gradproof (built-in)");
  });

  it.each<[string, unknown, string]>([
    ['not an object', 42, 'ops/x.ts: not a valid op: expected an object, got number'],
    ['no name', { inputs: ['x'], forward() {}, backward() {} }, 'ops/x.ts: not a valid op: name must be a string like "my_layer", got undefined'],
    ['no inputs', { name: 'f', inputs: [], forward() {}, backward() {} }, "ops/x.ts: not a valid op: op 'f': inputs must be a non-empty array of input names, e.g. [\"x\"]"],
    ['no backward', { name: 'f', inputs: ['x'], forward() {} }, "ops/x.ts: not a valid op: op 'f': backward must be a function"],
  ])('refuses a malformed op: %s', (_what, value, message) => {
    expect(() => new OpRegistry().register(value, 'ops/x.ts')).toThrow(message);
  });
});
