/** Shared by the DSL tests: load inline sources beside the fixtures and catch their errors. */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { GradproofError } from '../../src/core/errors.js';
import { loadGraphSource, parseGraphSource, type LoadOptions } from '../../src/dsl/index.js';

/** The project root: the tests load files by paths relative to it, as the CLI would. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Inline sources pretend to live beside the fixtures, so `use "./x.ts"` finds fixtures/x.ts. */
export const INLINE = 'test/dsl/fixtures/inline.graph';

export const load = (source: string, options: LoadOptions = {}) => loadGraphSource(source, INLINE, { cwd: ROOT, ...options });

function asGradproofError(e: unknown): GradproofError {
  expect(e).toBeInstanceOf(GradproofError);
  return e as GradproofError;
}

export async function loadError(source: string, options: LoadOptions = {}): Promise<GradproofError> {
  try {
    await load(source, options);
  } catch (e) {
    return asGradproofError(e);
  }
  throw new Error('expected the load to fail');
}

export function parseError(source: string): GradproofError {
  try {
    parseGraphSource(source, INLINE);
  } catch (e) {
    return asGradproofError(e);
  }
  throw new Error('expected the parse to fail');
}

/** What a corpus case asserts: the message and where it points (line, column, length). */
export const summary = (e: GradproofError) => ({ message: e.message, line: e.where.line, col: e.where.col, length: e.where.length });

/** A corpus row: a bad source, its exact message, and the line, column and length it points at. */
export type Case = [title: string, source: string, message: string, line: number, col: number, length: number];

/** One test a row: the error `errorOf` gets for the source is exactly the row's. */
export const corpus = (cases: Case[], errorOf: (source: string) => GradproofError | Promise<GradproofError> = loadError) =>
  it.each(cases)('%s', async (_title, source, message, line, col, length) => {
    expect(summary(await errorOf(source))).toEqual({ message, line, col, length });
  });
