/**
 * The semantic corpus: one pass at a time (structure, shapes, names, ops, values, compile),
 * each bad source with its exact message, line, column and length.
 */
import { describe, expect, it } from 'vitest';
import { corpus, loadError } from './helpers.js';

describe('structure pass', () => {
  corpus([
    ['an empty file', '', 'the graph file has no statements', 1, 1, 0],
    ['a file of comments', '# nothing\n\n', 'the graph file has no statements', 1, 1, 0],
    ['no assignment, so no objective', 'input X[1] = [1]\nparam W[1] = [2]', 'the graph has no op nodes, so there is no objective to check', 2, 1, 16],
  ]);
});

describe('shapes pass', () => {
  corpus([
    ['a zero dimension', 'input X[0] = zeros\nZ = relu(X)', 'a dimension must be a whole number from 1 up, found 0', 1, 9, 1],
    ['a fractional dimension', 'input X[3, 2.5] = zeros\nZ = relu(X)', 'a dimension must be a whole number from 1 up, found 2.5', 1, 12, 3],
    ['a negative dimension', 'input X[-2] = zeros\nZ = relu(X)', 'a dimension must be a whole number from 1 up, found -2', 1, 9, 2],
    ['a dimension beyond exact integers', 'input X[1e20]\nZ = relu(X)', 'a dimension must be a whole number from 1 up, found 1e20', 1, 9, 4],
    ['a shape too large to allocate', 'input X[100000, 100000] = zeros\nZ = relu(X)', 'shape [100000, 100000] has 10000000000 elements, more than 2^31 can be allocated', 1, 8, 16],
    ['a product that overflows', 'param W[4294967296, 4294967296, 4294967296]\nZ = relu(W)', 'shape [4294967296, 4294967296, 4294967296] has 7.922816251426434e+28 elements, more than 2^31 can be allocated', 1, 8, 36],
    ['zeros without a shape', 'input X = zeros\nZ = relu(X)', 'zeros needs a declared shape, e.g. X[3, 4] = zeros', 1, 11, 5],
    ['randn without a shape', 'param W = randn(3)\nZ = relu(W)', 'randn needs a declared shape, e.g. W[3, 4] = randn(7)', 1, 11, 8],
  ]);
});

describe('names pass', () => {
  corpus([
    ['a name defined twice', 'input X[1] = [1]\nparam X[1] = [2]\nZ = relu(X)', "'X' is defined twice (first as an input on line 1)", 2, 7, 1],
    ['a node that redefines a param', 'param W[1] = [1]\nW = relu(W)', "'W' is defined twice (first as a param on line 1)", 2, 1, 1],
    ['a name used before it is defined', 'input X[1] = [1]\nA = relu(B)\nB = relu(X)', "node A uses 'B' before it is defined", 2, 10, 1],
    ['a leaf used before its declaration', 'A = relu(X)\ninput X[1] = [1]', "node A uses 'X' before it is defined", 1, 10, 1],
    ['a node that uses itself', 'input X[1] = [1]\nA = add(X, A)', "node A uses 'A' before it is defined", 2, 12, 1],
    ['an unknown name', 'input Xs[1] = [1]\nA = relu(X)', "node A uses 'X', which is not defined", 2, 10, 1],
  ]);

  it('an unknown name hints at the nearest defined one', async () => {
    expect((await loadError('input Xs[1] = [1]\nA = relu(X)')).hint).toBe("did you mean 'Xs'?");
  });
});

describe('ops pass', () => {
  corpus([
    ['an unknown op', 'input X[1] = [1]\nZ1 = lineer(X, X)', "unknown op 'lineer' in node Z1", 2, 6, 6],
    ['too many arguments', 'input X[1] = [1]\nZ = relu(X, X, X)', 'node Z: relu takes 1 argument, got 3', 2, 13, 4],
    ['too few arguments', 'input X[1] = [1]\nZ = linear(X)', 'node Z: linear takes 2 to 3 arguments, got 1', 2, 5, 9],
  ]);

  it('an unknown op hints at the nearest registered one', async () => {
    expect((await loadError('input X[1] = [1]\nZ1 = lineer(X, X)')).hint).toBe("did you mean 'linear'?");
  });
});

describe('values', () => {
  corpus([
    ['a literal of the wrong shape', 'input X[1, 3] = [[1, 2]]\nZ = relu(X)', 'X is declared [1, 3]: expected an array of 3 here, found an array of 2', 1, 18, 6],
    ['a literal too deep for its shape', 'input X[2] = [[1], [2]]\nZ = relu(X)', 'X is declared [2]: expected a number here, found an array of 1', 1, 15, 3],
    ['a number for an array', 'input x[] = 2\ninput Y[2] = 3\nZ = mul(x, Y)', 'Y is declared [2]: expected an array of 2 here, found the number 3', 2, 14, 1],
    ['a ragged literal', 'input X = [[1, 2], [3]]\nZ = relu(X)', 'the value of X is ragged: expected an array of 2 here, found an array of 1', 1, 20, 3],
    ['a param with no value', 'param W[2, 2]\nZ = relu(W)', 'param W has no value', 1, 7, 1],
  ]);
});

describe('values: hints', () => {
  it('a param with no value hints at giving it one', async () => {
    expect((await loadError('param W[2, 2]\nZ = relu(W)')).hint).toBe('give it one with \'= ...\' or load a data file holding "W"');
  });

  it('a param with no value hints at a near name in the data files', async () => {
    const e = await loadError('data "values-a.json"\nparam w[2, 2]\nZ = relu(w)');
    expect([e.message, e.where.line, e.where.col, e.hint]).toEqual(['param w has no value', 2, 7, 'a data file holds "W": did you mean that name?']);
  });
});

describe('compile, mapped back to the file', () => {
  corpus([
    ['mismatched declared shapes, at the argument', 'input X[4, 3] = ones\nparam W[5, 3] = ones\nZ = linear(X, W)', "node Z: linear: input W has shape [5, 3], expected [5, 4] (W's columns must match X's rows)", 3, 15, 1],
    ['shapes that do not broadcast', 'input X[2, 3] = ones\nparam W[3, 2] = ones\nZ = add(X, W)', "node Z: add: input b has shape [3, 2], expected a shape that broadcasts with a's [2, 3]", 3, 12, 1],
    ['a non-scalar objective, at its name', 'input X[4, 3] = ones\nparam W[5, 4] = ones\nZ = linear(X, W)', 'the objective Z must be a scalar, but its shape is [5, 3]', 3, 1, 1],
    ['a bad attr, at the node using the op', 'param x[] = 1\nZ = dropout(x, rate=2)', 'node Z: dropout: rate must be a number in [0, 1), not 2', 2, 5, 7],
  ]);
});
