/** formatDiagnostic: file:line:col, the line, carets under the span, the hint; no stack, no colour. */
import { describe, expect, it } from 'vitest';
import { GradproofError } from '../../src/core/errors.js';
import { formatDiagnostic, loadGraphFile } from '../../src/dsl/index.js';
import { loadError, ROOT } from './helpers.js';

describe('formatDiagnostic', () => {
  it('formats an unknown op with its hint (the source remembered by the loader)', async () => {
    const e = await loadError('input X[4, 3] = ones\nparam W1[5, 4] = ones\nparam b1[5, 1] = zeros\n\n# the first layer\n\nZ1 = lineer(X, W1, b1)');
    expect(formatDiagnostic(e)).toBe(
      'test/dsl/fixtures/inline.graph:7:6: unknown op \'lineer\' in node Z1\n' +
        '  7 | Z1 = lineer(X, W1, b1)\n' +
        '    |      ^^^^^^\n' +
        "  hint: did you mean 'linear'?",
    );
  });

  it('widens the gutter for long line numbers and keeps tabs under tabs', () => {
    const source = `${'\n'.repeat(11)}\tZ = relu(Q)`;
    const e = new GradproofError('unknown-name', "node Z uses 'Q', which is not defined", { file: 'a.graph', line: 12, col: 11, length: 1 });
    expect(formatDiagnostic(e, source)).toBe("a.graph:12:11: node Z uses 'Q', which is not defined\n  12 | \tZ = relu(Q)\n     | \t         ^");
  });

  it('clips the carets at the end of the line and shows at least one', () => {
    const e = new GradproofError('syntax', "expected ',' or ')', found end of file", { file: 'a.graph', line: 1, col: 9, length: 0 });
    expect(formatDiagnostic(e, 'Z = relu')).toBe("a.graph:1:9: expected ',' or ')', found end of file\n  1 | Z = relu\n    |         ^");
    const long = new GradproofError('syntax', 'x', { file: 'a.graph', line: 1, col: 5, length: 40 });
    expect(formatDiagnostic(long, 'Z = [1,\n 2]').split('\n')[2]).toBe('    |     ^^^');
  });

  it('prints only file: message for a whole-file error, and the message alone without a file', () => {
    expect(formatDiagnostic(new GradproofError('file', 'cannot read data file "x.json": no such file', { file: 'x.json' }))).toBe(
      'x.json: cannot read data file "x.json": no such file',
    );
    expect(formatDiagnostic(new GradproofError('shape', 'node Z: bad', { node: 'Z' }), 'Z = relu(X)')).toBe('node Z: bad');
  });

  it('formats an error from reading the file, where there is no source', async () => {
    const e = await loadGraphFile('graphs/missing.graph', { cwd: ROOT }).catch((err: GradproofError) => err);
    expect(formatDiagnostic(e as GradproofError)).toBe('graphs/missing.graph: cannot read graph file "graphs/missing.graph": no such file');
  });

  it('formats a compile error mapped to an argument', async () => {
    const e = await loadError('input X[4, 3] = ones\nparam W[5, 3] = ones\nZ = linear(X, W)');
    expect(formatDiagnostic(e)).toBe(
      "test/dsl/fixtures/inline.graph:3:15: node Z: linear: input W has shape [5, 3], expected [5, 4] (W's columns must match X's rows)\n" +
        '  3 | Z = linear(X, W)\n' +
        '    |               ^',
    );
  });
});
