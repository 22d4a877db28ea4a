/**
 * Every graph-file error, in one place: each throws a GradproofError whose `where` is a file
 * span (`file`, 1-based `line` and `col`, `length`), so formatDiagnostic can underline it.
 * Errors of the graph itself (unknown op, arity, order) reuse the core wording in
 * core/messages.ts and are moved onto a span with `placed`.
 */
import { GradproofError, isGradproofError, type Where } from '../core/errors.js';
import { formatShape } from '../core/tensor.js';
import type { Span } from './ast.js';

/** A place in a graph file: a span, or (for a file named on the command line) the whole file. */
export interface At {
  readonly file: string;
  readonly span?: Span;
}

export const whereOf = ({ file, span }: At, extra: Where = {}): Where =>
  span ? { ...extra, file, line: span.line, col: span.col, length: span.length } : { ...extra, file };

const raise = (code: string, message: string, at: At, hint?: string, extra?: Where): never => {
  throw new GradproofError(code, message, whereOf(at, extra), hint);
};

/** Throws `e` again, a GradproofError with the place `to` gives for its `where` (when it gives one). */
export function moved(e: unknown, to: (where: Where) => Where | null): never {
  const where = isGradproofError(e) ? to(e.where) : null;
  if (isGradproofError(e) && where) throw new GradproofError(e.code, e.message, where, e.hint);
  throw e;
}

/** Runs `f`; a GradproofError it throws is thrown again with the span added to its `where`. */
export function placed<T>(at: At, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return moved(e, (where) => whereOf(at, where));
  }
}

/** What a file-system error means, in a few words. */
export function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

const didYouMean = (s?: string) => (s ? `did you mean '${s}'?` : undefined);

export const dsl = {
  // Reading and lexing.
  unreadable: (at: At, what: string, path: string, problem: string): never => raise('file', `cannot read ${what} "${path}": ${problem}`, at),
  binary: (at: At, detail: string): never => raise('binary', `not a text file: ${detail}`, at),
  unexpectedChar: (at: At, char: string): never => raise('syntax', `unexpected character ${JSON.stringify(char)}`, at),
  unterminatedString: (at: At): never => raise('syntax', 'unterminated string (a string ends with " on the same line)', at),
  badEscape: (at: At, escape: string): never => raise('syntax', `unknown escape '${escape}' in a string (use \\" \\\\ \\n or \\t)`, at),
  numberRange: (at: At, text: string): never => raise('syntax', `number ${text} is out of range`, at),

  // Parsing.
  expected: (at: At, what: string, found: string): never => raise('syntax', `expected ${what}, found ${found}`, at),
  unknownInit: (at: At, name: string, suggestion?: string): never =>
    raise('syntax', `unknown initialiser '${name}' (zeros, ones, randn(SEED), randn(SEED, SCALE) or an array literal)`, at, didYouMean(suggestion)),
  randnArgs: (at: At, got: number): never => raise('syntax', `randn takes a seed and an optional scale, randn(SEED) or randn(SEED, SCALE), got ${got} arguments`, at),
  randnSeed: (at: At, text: string): never => raise('syntax', `the seed of randn must be a whole number from 0 up, found ${text}`, at),
  positionalAfterKeyword: (at: At): never => raise('syntax', 'a positional argument cannot follow keyword arguments', at),
  duplicateKeyword: (at: At, key: string): never => raise('syntax', `keyword argument '${key}' is given twice`, at),
  emptyArray: (at: At): never => raise('syntax', 'an empty array holds no values', at),

  // Passes over the tree.
  emptyFile: (at: At): never => raise('empty', 'the graph file has no statements', at, 'declare inputs and params, then assign nodes: Z = linear(X, W, b)'),
  dimension: (at: At, text: string): never => raise('shape', `a dimension must be a whole number from 1 up, found ${text}`, at),
  tooLarge: (at: At, shape: readonly number[], size: number): never =>
    raise('shape', `shape ${formatShape(shape)} has ${size} elements, more than 2^31 can be allocated`, at),
  needsShape: (at: At, leaf: string, init: string): never =>
    raise('shape', `${init} needs a declared shape, e.g. ${leaf}[3, 4] = ${init === 'randn' ? 'randn(7)' : init}`, at, undefined, { leaf }),

  // Values.
  literalShape: (at: At, leaf: string, declared: readonly number[], expected: string, found: string): never =>
    raise('leaf-value', `${leaf} is declared ${formatShape(declared)}: expected ${expected} here, found ${found}`, at, undefined, { leaf }),
  raggedLiteral: (at: At, leaf: string, expected: string, found: string): never =>
    raise('leaf-value', `the value of ${leaf} is ragged: expected ${expected} here, found ${found}`, at, undefined, { leaf }),
  dataShape: (at: At, leaf: string, declared: readonly number[], source: string, actual: readonly number[]): never =>
    raise('leaf-value', `${leaf} is declared ${formatShape(declared)}, but "${source}" gives it shape ${formatShape(actual)}`, at, undefined, { leaf }),
  dataValue: (at: At, leaf: string, source: string, detail: string): never =>
    raise('leaf-value', `the value of ${leaf} in "${source}" is not usable: ${detail}`, at, undefined, { leaf }),
  noValue: (at: At, kind: string, leaf: string, dataKey?: string): never =>
    raise('leaf-value', `${kind} ${leaf} has no value`, at,
      dataKey ? `a data file holds "${dataKey}": did you mean that name?` : `give it one with '= ...' or load a data file holding "${leaf}"`, { leaf }),
  dataJson: (at: At, path: string, detail: string): never => raise('data', `data file "${path}" is not valid JSON: ${detail}`, at),
  dataNotObject: (at: At, path: string, found: string): never =>
    raise('data', `data file "${path}" must hold a JSON object of name -> values, found ${found}`, at),

  // Op modules.
  moduleKind: (at: At, path: string): never => raise('module', `module "${path}" must be a .ts, .mts, .js or .mjs file`, at),
  moduleThrew: (at: At, path: string, detail: string): never => raise('module', `module "${path}" threw while loading: ${detail}`, at),
  noDefault: (at: At, path: string): never =>
    raise('module', `module "${path}" has no default export`, at, 'end it with `export default myOp` or `export default [opA, opB]`'),
  noOps: (at: At, path: string): never => raise('module', `module "${path}" exports an empty array of ops`, at),
};
