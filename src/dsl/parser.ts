/**
 * The parser: tokens -> GraphAst, by recursive descent, one statement a line:
 *   use "PATH" | data "PATH"
 *   input NAME[SHAPE]? (= INIT)? | param NAME[SHAPE]? (= INIT)?
 *   NAME = OP(ARG, ..., KEY=VALUE, ...)
 * `use`, `data`, `input` and `param` are keywords only at the start of a statement and only
 * when no `=` follows, so they stay usable as names. Pure and synchronous.
 */
import type { Arg, AttrAst, AttrValue, GraphAst, Init, LeafDecl, Literal, ShapeAst, Span, Statement } from './ast.js';
import { nearest } from '../core/suggest.js';
import { spanOf, tokenize, type Token } from './lexer.js';
import { dsl } from './messages.js';

const INITIALISERS = ['zeros', 'ones', 'randn'];

const describe = (t: Token): string =>
  t.kind === 'newline' ? 'end of line' : t.kind === 'eof' ? 'end of file' : t.kind === 'string' ? t.text : `'${t.text}'`;

export function parseGraphSource(source: string, file: string): GraphAst {
  const tokens = tokenize(source, file);
  let i = 0;
  const peek = (k = 0) => tokens[Math.min(i + k, tokens.length - 1)];
  const next = () => tokens[Math.min(i++, tokens.length - 1)];
  const last = () => tokens[i - 1];
  const at = (span: Span) => ({ file, span });
  const is = (t: Token, kind: Token['kind'], text?: string) => t.kind === kind && (text === undefined || t.text === text);
  const expect = (kind: Token['kind'], text: string | undefined, what: string): Token => {
    const t = peek();
    if (!is(t, kind, text)) dsl.expected(at(spanOf(t)), what, describe(t));
    return next();
  };
  const punct = (p: string) => expect('punct', p, `'${p}'`);
  const accept = (p: string): boolean => (is(peek(), 'punct', p) ? (next(), true) : false);

  /** Items separated by commas up to `close` (a trailing comma allowed); the opener is taken. */
  function list<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    while (!accept(close)) {
      items.push(item());
      if (!is(peek(), 'punct', close)) expect('punct', ',', `',' or '${close}'`);
      accept(',');
    }
    return items;
  }

  function statement(): Statement {
    const first = peek();
    if (is(first, 'name') && is(peek(1), 'punct', '=')) return assignment();
    if (is(first, 'name', 'use') || is(first, 'name', 'data')) {
      next();
      const path = expect('string', undefined, `a quoted path after ${first.text}, e.g. ${first.text} "./file"`);
      return { kind: first.text as 'use' | 'data', path: path.value as string, pathSpan: spanOf(path), span: spanOf(first, path) };
    }
    if (is(first, 'name', 'input') || is(first, 'name', 'param')) return declaration();
    if (is(first, 'name')) return dsl.expected(at(spanOf(peek(1))), `'=' after ${first.text} (a node is NAME = op(ARG, ...))`, describe(peek(1)));
    return dsl.expected(at(spanOf(first)), 'a statement (use, data, input, param or NAME = op(...))', describe(first));
  }

  function declaration(): LeafDecl {
    const keyword = next();
    const kind = keyword.text as 'input' | 'param';
    const name = expect('name', undefined, `a name after ${kind}`);
    const shape = is(peek(), 'punct', '[') ? shapeOf() : undefined;
    const init = accept('=') ? initialiser() : undefined;
    if (!init && !is(peek(), 'newline') && !is(peek(), 'eof')) {
      dsl.expected(at(spanOf(peek())), shape ? `'=' or end of line` : `a shape like [3, 4], '=' or end of line`, describe(peek()));
    }
    return { kind, name: name.text, nameSpan: spanOf(name), shape, init, span: spanOf(keyword, last()) };
  }

  function shapeOf(): ShapeAst {
    const open = punct('[');
    const dims = list(']', () => {
      const t = expect('number', undefined, 'a dimension (a whole number)');
      return { value: t.value as number, text: t.text, span: spanOf(t) };
    });
    return { dims, span: spanOf(open, last()) };
  }

  function initialiser(): Init {
    const t = peek();
    if (is(t, 'number') || is(t, 'punct', '[')) {
      const value = literal();
      return { kind: 'literal', value, span: value.span };
    }
    const name = expect('name', undefined, 'a value: zeros, ones, randn(SEED), a number or an array literal');
    if (name.text === 'zeros' || name.text === 'ones') return { kind: name.text, span: spanOf(name) };
    if (name.text !== 'randn') return dsl.unknownInit(at(spanOf(name)), name.text, nearest(name.text, INITIALISERS));
    punct('(');
    const numbers = list(')', () => expect('number', undefined, 'a number'));
    const span = spanOf(name, last());
    if (numbers.length < 1 || numbers.length > 2) dsl.randnArgs(at(span), numbers.length);
    const seed = numbers[0].value as number;
    if (!Number.isSafeInteger(seed) || seed < 0) dsl.randnSeed(at(spanOf(numbers[0])), numbers[0].text);
    return { kind: 'randn', seed, scale: (numbers[1]?.value as number | undefined) ?? 1, span };
  }

  function literal(): Literal {
    const t = next();
    if (is(t, 'number')) return { kind: 'number', value: t.value as number, span: spanOf(t) };
    if (!is(t, 'punct', '[')) return dsl.expected(at(spanOf(t)), 'a number or [', describe(t));
    const items = list(']', literal);
    const span = spanOf(t, last());
    if (items.length === 0) dsl.emptyArray(at(span));
    return { kind: 'array', items, span };
  }

  function assignment(): Statement {
    const name = next();
    next(); // '='
    const op = expect('name', undefined, 'an op name, as in Z = linear(X, W, b)');
    punct('(');
    const args: Arg[] = [];
    const attrs: AttrAst[] = [];
    list(')', () => {
      const t = next();
      if (is(t, 'name') && is(peek(), 'punct', '=')) {
        next();
        if (attrs.some((a) => a.key === t.text)) dsl.duplicateKeyword(at(spanOf(t)), t.text);
        const value = attrValue();
        attrs.push({ key: t.text, keySpan: spanOf(t), value: value.value, valueSpan: spanOf(value.token) });
        return;
      }
      if (!is(t, 'name') && !is(t, 'number')) dsl.expected(at(spanOf(t)), 'an argument (a name or a number)', describe(t));
      if (attrs.length > 0) dsl.positionalAfterKeyword(at(spanOf(t)));
      args.push(is(t, 'name') ? { kind: 'name', name: t.text, span: spanOf(t) } : { kind: 'number', value: t.value as number, span: spanOf(t) });
    });
    const callSpan = spanOf(op, last());
    return { kind: 'assign', name: name.text, nameSpan: spanOf(name), op: op.text, opSpan: spanOf(op), callSpan, args, attrs, span: spanOf(name, last()) };
  }

  function attrValue(): { value: AttrValue; token: Token } {
    const t = next();
    if (is(t, 'number') || is(t, 'string')) return { value: t.value!, token: t };
    if (is(t, 'name', 'true') || is(t, 'name', 'false')) return { value: t.text === 'true', token: t };
    return dsl.expected(at(spanOf(t)), 'a value (a number, a "string", true or false)', describe(t));
  }

  const statements: Statement[] = [];
  while (!is(peek(), 'eof')) {
    if (is(peek(), 'newline')) {
      next();
      continue;
    }
    statements.push(statement());
    if (!is(peek(), 'eof')) expect('newline', undefined, 'end of line');
  }
  return { file, statements };
}
