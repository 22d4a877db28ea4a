/**
 * The file corpus: graph files that cannot be read or are not text, data files and op modules
 * that are missing or malformed (named by the file, or on the command line).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GradproofError } from '../../src/core/errors.js';
import { loadGraphFile } from '../../src/dsl/index.js';
import { corpus, loadError, ROOT, summary } from './helpers.js';

const W = '\nparam W[2, 2]\nZ = relu(W)';

describe('data files', () => {
  corpus([
    ['a missing data file', 'data "nope.json"' + W, 'cannot read data file "nope.json": no such file', 1, 6, 11],
    ['a data file that is a directory', 'input x[] = 1\ndata "."' + W, 'cannot read data file ".": it is a directory', 2, 6, 3],
    ['a data file that is not JSON', 'data "broken.json"' + W, 'data file "broken.json" is not valid JSON: Expected \',\' or \']\' after array element at line 2, column 1', 1, 6, 13],
    ['a data file that holds an array', 'data "not-object.json"' + W, 'data file "not-object.json" must hold a JSON object of name -> values, found an array', 1, 6, 17],
    ['a data value of the wrong shape, at the shape', 'data "values-b.json"\ndata "wrong-shape.json"' + W, 'W is declared [2, 2], but "wrong-shape.json" gives it shape [2, 3]', 3, 8, 6],
    ['a data value that is not a number, at the name', 'data "not-number.json"' + W, 'the value of W in "not-number.json" is not usable: W[0][1]: expected a finite number, got "NaN"', 2, 7, 1],
  ]);

  it('a --data file of the wrong shape is reported at the declaration, naming the file', async () => {
    const e = await loadError('param W[2, 2] = ones\nZ = relu(W)', { data: ['test/dsl/fixtures/wrong-shape.json'] });
    expect(summary(e)).toEqual({ message: 'W is declared [2, 2], but "test/dsl/fixtures/wrong-shape.json" gives it shape [2, 3]', line: 1, col: 8, length: 6 });
  });

  it('a missing --data file is reported against that file', async () => {
    const e = await loadError('param W[2, 2] = ones\nZ = relu(W)', { data: ['nowhere.json'] });
    expect(e.message).toBe('cannot read data file "nowhere.json": no such file');
    expect(e.where).toEqual({ file: 'nowhere.json' });
  });
});

describe('op modules', () => {
  corpus([
    ['a missing module', 'use "./nope.ts"\nZ = relu(X)', 'cannot read module "./nope.ts": no such file', 1, 5, 11],
    ['a module of the wrong kind', 'use "./ops.txt"\nZ = relu(X)', 'module "./ops.txt" must be a .ts, .mts, .js or .mjs file', 1, 5, 11],
    ['a module without a default export', 'use "./no-default.ts"\nZ = relu(X)', 'module "./no-default.ts" has no default export', 1, 5, 17],
    ['a malformed op', 'input x[] = 1\nuse "./malformed.ts"\nZ = relu(x)', "./malformed.ts: not a valid op: op 'half': backward must be a function", 2, 5, 16],
    ['an op name that clashes with a built-in', 'use "./clash.mjs"\nZ = relu(X)', "op 'relu' from ./clash.mjs clashes with op 'relu' from gradproof (built-in)", 1, 5, 13],
    ['a module that throws while loading', 'use "./throws.ts"\nZ = relu(X)', 'module "./throws.ts" threw while loading: cannot find the CUDA driver', 1, 5, 13],
    ['a module that exports no ops', 'use "./empty.ts"\nZ = relu(X)', 'module "./empty.ts" exports an empty array of ops', 1, 5, 12],
    ['the same module twice', 'use "./runtime-ops.ts"\nuse "./runtime-ops.ts"\nZ = relu(X)', "op 'fragile' from ./runtime-ops.ts clashes with op 'fragile' from ./runtime-ops.ts", 2, 5, 18],
  ]);

  it('a --ops module that clashes with the file\'s own names both sources, against the --ops file', async () => {
    const e = await loadError('use "./runtime-ops.ts"\ninput x[] = 1\nZ = relu(x)', { ops: ['test/dsl/fixtures/runtime-ops.ts'] });
    expect(e.message).toBe("op 'fragile' from test/dsl/fixtures/runtime-ops.ts clashes with op 'fragile' from ./runtime-ops.ts");
    expect(e.where).toEqual({ op: 'fragile', file: 'test/dsl/fixtures/runtime-ops.ts' });
  });
});

describe('graph files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-dsl-'));
  mkdirSync(join(dir, 'sub'));
  const write = (name: string, bytes: string | Uint8Array) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const fileError = async (path: string): Promise<GradproofError> => loadGraphFile(path, { cwd: ROOT }).then(
    () => { throw new Error('expected the load to fail'); },
    (e: unknown) => e as GradproofError,
  );

  it('a missing graph file', async () => {
    const e = await fileError('graphs/nope.graph');
    expect(e).toBeInstanceOf(GradproofError);
    expect([e.code, e.message, e.where]).toEqual(['file', 'cannot read graph file "graphs/nope.graph": no such file', { file: 'graphs/nope.graph' }]);
  });

  it('a directory given as a graph file', async () => {
    const e = await fileError(join(dir, 'sub'));
    expect(e.message).toBe(`cannot read graph file "${join(dir, 'sub')}": it is a directory`);
  });

  it('a binary file: a NUL byte, at its line and column', async () => {
    const e = await fileError(write('nul.graph', Buffer.from('input x[] = 1\nZ = re\0lu(x)\n')));
    expect([e.code, summary(e)]).toEqual(['binary', { message: 'not a text file: it holds a NUL byte', line: 2, col: 7, length: 1 }]);
  });

  it('a binary file: invalid UTF-8, at its line and column', async () => {
    const bytes = Buffer.concat([Buffer.from('# θ is fine\ninput ab'), Buffer.from([0xc3, 0x28]), Buffer.from(' = 1\n')]);
    const e = await fileError(write('latin.graph', bytes));
    expect([e.code, summary(e)]).toEqual(['binary', { message: 'not a text file: invalid UTF-8 at byte 21', line: 2, col: 9, length: 1 }]);
  });

  it('a binary file: an overlong encoding and a PNG header', async () => {
    expect((await fileError(write('overlong.graph', Buffer.from([0x61, 0xe0, 0x80, 0xaf])))).message).toBe('not a text file: invalid UTF-8 at byte 1');
    expect((await fileError(write('image.graph', Buffer.from([0x89, 0x50, 0x4e, 0x47])))).message).toBe('not a text file: invalid UTF-8 at byte 0');
  });
});
