/**
 * The tree and its values -> a Graph. Which value a leaf takes, highest first:
 *   1. a data file given on the command line (--data; of several, the last that has the name),
 *   2. the declaration's own `= ...` (an initialiser or a literal),
 *   3. the file's own `data` lines (the last that has the name).
 * So the file's explicit values beat its data files, and the command line beats everything.
 * A numeric argument becomes an input leaf of shape [] named `NODE#argK`.
 */
import { graph as builder, type Graph } from '../core/graph.js';
import type { Attrs } from '../core/op.js';
import { nearest } from '../core/suggest.js';
import { constantName, isAssign, isLeaf, type GraphAst, type LeafDecl } from './ast.js';
import { lookup, type DataFile } from './data.js';
import { dsl } from './messages.js';
import { dataValue, initialValue } from './values.js';

export interface ValueSources {
  /** The file's `data` lines, in order. */
  readonly fileData: readonly DataFile[];
  /** --data files, in order. */
  readonly cliData: readonly DataFile[];
}

function valueOf(decl: LeafDecl, sources: ValueSources, file: string) {
  const fromCli = lookup(sources.cliData, decl.name);
  if (fromCli) return dataValue(decl, fromCli.value, fromCli.source, file);
  if (decl.init) return initialValue(decl, decl.init, file);
  const fromFile = lookup(sources.fileData, decl.name);
  if (fromFile) return dataValue(decl, fromFile.value, fromFile.source, file);
  const dataKeys = [...sources.fileData, ...sources.cliData].flatMap((f) => Object.keys(f.values));
  return dsl.noValue({ file, span: decl.nameSpan }, decl.kind, decl.name, nearest(decl.name, dataKeys));
}

export function buildGraph(ast: GraphAst, sources: ValueSources): Graph {
  const g = builder();
  for (const decl of ast.statements.filter(isLeaf)) {
    const value = valueOf(decl, sources, ast.file);
    if (decl.kind === 'param') g.param(decl.name, value);
    else g.input(decl.name, value);
  }
  const assignments = ast.statements.filter(isAssign);
  for (const s of assignments) {
    const args = s.args.map((arg, i) => {
      if (arg.kind === 'name') return arg.name;
      g.input(constantName(s.name, i), arg.value);
      return constantName(s.name, i);
    });
    const attrs: Attrs = Object.fromEntries(s.attrs.map((a) => [a.key, a.value]));
    g.node(s.name, s.op, args, attrs);
  }
  return g.objective(assignments[assignments.length - 1].name).build();
}
