/**
 * The syntax corpus: each bad source with its exact message, line, column and length. These
 * come from the lexer and the parser (parseGraphSource), before any file is read.
 */
import { describe, expect, it } from 'vitest';
import { corpus, parseError, type Case } from './helpers.js';

const cases: Case[] = [
  ['an unexpected character', 'input X[2, 2] = ones\nZ = relu(X) @ 2', 'unexpected character "@"', 2, 13, 1],
  ['an unterminated string', 'use "./ops.ts\nZ = relu(X)', 'unterminated string (a string ends with " on the same line)', 1, 5, 9],
  ['an unknown escape', 'data "a\\qb"', "unknown escape '\\q' in a string (use \\\" \\\\ \\n or \\t)", 1, 8, 2],
  ['a number out of range', 'input X[] = 1e999', 'number 1e999 is out of range', 1, 13, 5],
  ['a NUL byte', 'input X[2]\0', 'not a text file: it holds a NUL byte', 1, 11, 1],
  ['a node without =', 'Z1 linear(X)', "expected '=' after Z1 (a node is NAME = op(ARG, ...)), found 'linear'", 1, 4, 6],
  ['a statement that starts with a number', '\n3 = relu(X)', "expected a statement (use, data, input, param or NAME = op(...)), found '3'", 2, 1, 1],
  ['an op without a call', 'input X[1] = [1]\nZ = relu', "expected '(', found end of file", 2, 9, 0],
  ['an unclosed call', 'input X[1] = [1]\nZ = relu(X', "expected ',' or ')', found end of file", 2, 11, 0],
  ['an unclosed call before the next line', 'Z = relu(X\nY = relu(Z)', "expected ',' or ')', found 'Y'", 2, 1, 1],
  ['text after a declaration', 'input X[2] foo', "expected '=' or end of line, found 'foo'", 1, 12, 3],
  ['text after a statement', 'input X[1] = [1]\nZ = relu(X) relu', "expected end of line, found 'relu'", 2, 13, 4],
  ['a declaration without a name', 'param [2]', "expected a name after param, found '['", 1, 7, 1],
  ['a dimension that is not a number', 'param W[n, 2]', "expected a dimension (a whole number), found 'n'", 1, 9, 1],
  ['an unknown initialiser', 'param W[2] = zero', "unknown initialiser 'zero' (zeros, ones, randn(SEED), randn(SEED, SCALE) or an array literal)", 1, 14, 4],
  ['randn without a seed', 'param W[2] = randn()', 'randn takes a seed and an optional scale, randn(SEED) or randn(SEED, SCALE), got 0 arguments', 1, 14, 7],
  ['randn with three arguments', 'param W[2] = randn(1, 2, 3)', 'randn takes a seed and an optional scale, randn(SEED) or randn(SEED, SCALE), got 3 arguments', 1, 14, 14],
  ['a fractional seed', 'param W[2] = randn(1.5)', 'the seed of randn must be a whole number from 0 up, found 1.5', 1, 20, 3],
  ['a negative seed', 'param W[2] = randn(-3, 0.1)', 'the seed of randn must be a whole number from 0 up, found -3', 1, 20, 2],
  ['a positional argument after a keyword', 'Z = dropout(rate=0.5, X)', 'a positional argument cannot follow keyword arguments', 1, 23, 1],
  ['a keyword given twice', 'Z = dropout(X, rate=0.5, rate=0.2)', "keyword argument 'rate' is given twice", 1, 26, 4],
  ['a keyword value that is a name', 'Z = dropout(X, rate=half)', 'expected a value (a number, a "string", true or false), found \'half\'', 1, 21, 4],
  ['an empty array literal', 'input X[1] = []', 'an empty array holds no values', 1, 14, 2],
  ['a literal with a name in it', 'input X[2] = [1, a]', "expected a number or [, found 'a'", 1, 18, 1],
  ['use without quotes', 'use ./ops.ts', 'unexpected character "."', 1, 5, 1],
  ['data without a path', 'data\ninput X[1] = [1]', 'expected a quoted path after data, e.g. data "./file", found end of line', 1, 5, 1],
];

describe('syntax errors', () => {
  corpus(cases, parseError);

  it('an unknown initialiser hints at the nearest', () => {
    expect(parseError('param W[2] = zero').hint).toBe("did you mean 'zeros'?");
  });
});
