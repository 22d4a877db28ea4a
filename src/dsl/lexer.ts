/**
 * The lexer: graph-file text -> tokens with 1-based line and column. `#` starts a comment to the
 * end of the line. A newline ends a statement, except inside ( ) or [ ], so an array literal or
 * a long call may span lines.
 */
import type { Span } from './ast.js';
import { dsl } from './messages.js';

export type TokenKind = 'name' | 'number' | 'string' | 'punct' | 'newline' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (for a string, with its quotes). */
  readonly text: string;
  /** A number's or a string's value. */
  readonly value?: number | string;
  readonly line: number;
  readonly col: number;
  /** Offsets into the source: first character, one past the last. */
  readonly start: number;
  readonly end: number;
}

/** The span from the start of `first` to the end of `last` (on `first`'s line). */
export const spanOf = (first: Token, last: Token = first): Span => ({ line: first.line, col: first.col, length: Math.max(0, last.end - first.start) });

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PUNCT = '()[],=';
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const at = (start: number, length = 1) => ({ file, span: { line, col: start - lineStart + 1, length } });
  const push = (kind: TokenKind, start: number, end: number, value?: number | string) =>
    tokens.push({ kind, text: source.slice(start, end), value, line, col: start - lineStart + 1, start, end });
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos;
    return re.exec(source)?.[0] ?? null;
  };

  if (source.startsWith('\uFEFF')) pos = lineStart = 1;
  while (pos < source.length) {
    const c = source[pos];
    if (c === '\n') {
      if (depth === 0) push('newline', pos, pos + 1);
      pos++;
      line++;
      lineStart = pos;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      pos++;
    } else if (c === '#') {
      while (pos < source.length && source[pos] !== '\n') pos++;
    } else if (c === '\0') {
      dsl.binary(at(pos), 'it holds a NUL byte');
    } else if (c === '"') {
      pos = readString(source, pos, at, (end, value) => push('string', pos, end, value));
    } else if (PUNCT.includes(c)) {
      if (c === '(' || c === '[') depth++;
      if ((c === ')' || c === ']') && depth > 0) depth--;
      push('punct', pos, ++pos);
    } else {
      const name = match(NAME);
      const number = name === null ? match(NUMBER) : null;
      if (name !== null) {
        push('name', pos, (pos += name.length));
      } else if (number !== null) {
        const value = Number(number);
        if (!Number.isFinite(value)) dsl.numberRange(at(pos, number.length), number);
        push('number', pos, (pos += number.length), value);
      } else {
        dsl.unexpectedChar(at(pos), String.fromCodePoint(source.codePointAt(pos)!));
      }
    }
  }
  push('eof', pos, pos);
  return tokens;
}

/** Reads the string starting at `start` (its opening quote); returns the offset after it. */
function readString(source: string, start: number, at: (start: number, length?: number) => { file: string; span: Span },
  emit: (end: number, value: string) => void): number {
  let value = '';
  let pos = start + 1;
  while (pos < source.length && source[pos] !== '"' && source[pos] !== '\n') {
    if (source[pos] === '\\') {
      const escaped = ESCAPES[source[pos + 1]];
      if (escaped === undefined) dsl.badEscape(at(pos, 2), source.slice(pos, pos + 2));
      value += escaped;
      pos += 2;
    } else {
      value += source[pos++];
    }
  }
  if (source[pos] !== '"') dsl.unterminatedString(at(start, pos - start));
  emit(pos + 1, value);
  return pos + 1;
}
