import { describe, expect, it } from 'vitest';
import { parseGraphSource } from '../../src/dsl/index.js';

const parse = (source: string) => parseGraphSource(source, 'x.graph').statements;

describe('parseGraphSource', () => {
  it('parses the documented syntax, with comments and blank lines', () => {
    const statements = parse(`# a comment
use "./ops/extra.ts"            # load user ops
data "./fraud.json"

input X[4, 3]
input Y[1, 3] = [[1, 1, 0]]
param b1[5, 1] = zeros
param W2[3, 5] = randn(7, 0.5)
Z1 = linear(X, W1, b1)
cost = logloss(A3, Y)
`);
    expect(statements.map((s) => s.kind)).toEqual(['use', 'data', 'input', 'input', 'param', 'param', 'assign', 'assign']);
    expect(statements[0]).toMatchObject({ path: './ops/extra.ts', pathSpan: { line: 2, col: 5, length: 16 } });
    expect(statements[2]).toMatchObject({ name: 'X', nameSpan: { line: 5, col: 7, length: 1 }, shape: { span: { line: 5, col: 8, length: 6 } } });
    expect(statements[3]).toMatchObject({ init: { kind: 'literal', span: { line: 6, col: 17, length: 11 } } });
    expect(statements[4]).toMatchObject({ init: { kind: 'zeros' } });
    expect(statements[5]).toMatchObject({ init: { kind: 'randn', seed: 7, scale: 0.5, span: { line: 8, col: 18, length: 13 } } });
    expect(statements[6]).toMatchObject({
      name: 'Z1', op: 'linear', opSpan: { line: 9, col: 6, length: 6 }, callSpan: { line: 9, col: 6, length: 17 },
      args: [{ name: 'X', span: { col: 13 } }, { name: 'W1', span: { col: 16 } }, { name: 'b1', span: { col: 20 } }],
    });
  });

  it('reads numbers in decimal and exponent forms, negative ones too', () => {
    const [decl] = parse('input v[6] = [1, -2.5, .5, 3e2, -1.5E-3, 7.]');
    expect(decl).toMatchObject({ init: { value: { items: [1, -2.5, 0.5, 300, -0.0015, 7].map((value) => ({ value })) } } });
  });

  it('takes numeric arguments and keyword arguments of every kind', () => {
    const [node] = parse('Z = dropout(A, 0.5, rate=0.25, mode="train", on=true, off=false)');
    expect(node).toMatchObject({
      args: [{ kind: 'name', name: 'A' }, { kind: 'number', value: 0.5, span: { col: 16, length: 3 } }],
      attrs: [{ key: 'rate', value: 0.25 }, { key: 'mode', value: 'train' }, { key: 'on', value: true }, { key: 'off', value: false }],
    });
  });

  it('reads a scalar shape [], a missing shape, and literals across lines', () => {
    const [a, b, c] = parse('input x[] = 2\ninput y = 3\nparam W[2, 2] = [\n  [1, 2],\n  [3, 4],\n]');
    expect(a).toMatchObject({ shape: { dims: [] }, init: { value: { kind: 'number', value: 2 } } });
    expect(b).toMatchObject({ shape: undefined, init: { value: { value: 3 } } });
    expect(c).toMatchObject({ init: { value: { items: [{ items: [{ value: 1 }, { value: 2 }] }, { items: [{ value: 3 }, { value: 4 }] }] } } });
  });

  it('keeps keywords usable as names when = follows', () => {
    const [node] = parse('input = relu(data)');
    expect(node).toMatchObject({ kind: 'assign', name: 'input', args: [{ name: 'data' }] });
  });

  it('accepts strings with escapes, CRLF line ends and a byte-order mark', () => {
    const statements = parse('\uFEFFuse "a\\"b\\\\c.ts"\r\ninput x[] = 1\r\n');
    expect(statements[0]).toMatchObject({ path: 'a"b\\c.ts' });
    expect(statements[1]).toMatchObject({ nameSpan: { line: 2, col: 7 } });
  });

  it('returns no statements for a file of comments (the loader reports it)', () => {
    expect(parse('# nothing here\n\n   # still nothing\n')).toEqual([]);
  });
});
