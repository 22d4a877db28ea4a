/**
 * The syntax tree of a graph file: one statement a line, each part carrying its span so every
 * later pass (and every engine error, through `locate`) can point at the exact text.
 */

/** 1-based line and column of the first character, and the length in characters. */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly length: number;
}

/** A nested array literal: `[[1, 2], [3, 4]]`, or a bare number. */
export type Literal =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'array'; readonly items: readonly Literal[]; readonly span: Span };

/** What follows `=` in a declaration. */
export type Init =
  | { readonly kind: 'zeros' | 'ones'; readonly span: Span }
  | { readonly kind: 'randn'; readonly seed: number; readonly scale: number; readonly span: Span }
  | { readonly kind: 'literal'; readonly value: Literal; readonly span: Span };

/** A declared dimension as written (checked by the shapes pass, not the parser). */
export interface Dim {
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

export interface ShapeAst {
  readonly dims: readonly Dim[];
  readonly span: Span;
}

/** `use "./ops.ts"` or `data "./values.json"`. */
export interface Include {
  readonly kind: 'use' | 'data';
  readonly path: string;
  readonly pathSpan: Span;
  readonly span: Span;
}

/** `input X[4, 3]`, `param W[5, 4] = randn(7)`. Without a shape, the value's shape is taken. */
export interface LeafDecl {
  readonly kind: 'input' | 'param';
  readonly name: string;
  readonly nameSpan: Span;
  readonly shape?: ShapeAst;
  readonly init?: Init;
  readonly span: Span;
}

export type Arg =
  | { readonly kind: 'name'; readonly name: string; readonly span: Span }
  | { readonly kind: 'number'; readonly value: number; readonly span: Span };

export type AttrValue = number | string | boolean;

export interface AttrAst {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: AttrValue;
  readonly valueSpan: Span;
}

/** `Z1 = linear(X, W1, b1)`; `callSpan` runs from the op name to the closing parenthesis. */
export interface Assign {
  readonly kind: 'assign';
  readonly name: string;
  readonly nameSpan: Span;
  readonly op: string;
  readonly opSpan: Span;
  readonly callSpan: Span;
  readonly args: readonly Arg[];
  readonly attrs: readonly AttrAst[];
  readonly span: Span;
}

export type Statement = Include | LeafDecl | Assign;

export interface GraphAst {
  readonly file: string;
  readonly statements: readonly Statement[];
}

export const isLeaf = (s: Statement): s is LeafDecl => s.kind === 'input' || s.kind === 'param';
export const isAssign = (s: Statement): s is Assign => s.kind === 'assign';
export const includesOf = (ast: GraphAst, kind: Include['kind']): Include[] =>
  ast.statements.filter((s): s is Include => s.kind === kind);

/** The name of the anonymous constant leaf for a numeric argument (`#` cannot start a name). */
export const constantName = (node: string, arg: number): string => `${node}#arg${arg + 1}`;

/** The span from the start of `a` to the end of `b` when both are on one line; else `a`. */
export const joinSpans = (a: Span, b: Span): Span =>
  a.line === b.line ? { line: a.line, col: a.col, length: b.col + b.length - a.col } : a;
