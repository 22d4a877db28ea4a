/**
 * Graph files: `.graph` text -> a Graph and its OpRegistry, with compiler-style diagnostics.
 *
 *   use "./ops/extra.ts"            # op modules (default export: an op or an array of ops)
 *   data "./fraud.json"             # values by name; a later data line wins
 *   input X[4, 3]                   # a constant, never perturbed
 *   param W[5, 4] = randn(7, 0.5)   # perturbed; = zeros | ones | randn(SEED[, SCALE]) | [[...]]
 *   Z = linear(X, W, b)             # NAME = OP(ARG, ..., KEY=VALUE); the last one is the objective
 *
 * Value precedence (build.ts): --data files > the declaration's `= ...` > the file's data lines.
 */
export type { GraphAst, Statement, LeafDecl, Assign, Include, Span } from './ast.js';
export { parseGraphSource } from './parser.js';
export { loadGraphFile, loadGraphSource, type LoadedGraph, type LoadOptions } from './loader.js';
export { formatDiagnostic } from './diagnostic.js';
export { randn } from './values.js';
