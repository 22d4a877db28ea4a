/**
 * loadGraphFile: a graph file -> a Graph and the OpRegistry it needs, checked pass by pass so
 * the first mistake is reported at its line and column: syntax, op modules, shapes, names, ops
 * and arity, structure (statements, an objective), data and values, then compile() (shapes
 * between ops, a scalar objective) with its errors mapped back to the file. `use`/`data` paths
 * are relative to the graph file; --ops/--data paths (options.ops/data) to `cwd`, and they load
 * after the file's own.
 */
import { dirname, resolve } from 'node:path';
import { GradproofError, isGradproofError, type Where } from '../core/errors.js';
import type { Graph } from '../core/graph.js';
import { compile } from '../engine/plan.js';
import { OpRegistry } from '../ops/registry.js';
import { includesOf } from './ast.js';
import { buildGraph } from './build.js';
import { loadDataFile } from './data.js';
import { formatDiagnostic, rememberSource } from './diagnostic.js';
import { locator } from './locate.js';
import { moved } from './messages.js';
import { loadOpModule } from './modules.js';
import { parseGraphSource } from './parser.js';
import { checkNames } from './passes/names.js';
import { checkOps } from './passes/ops.js';
import { checkShapes } from './passes/shapes.js';
import { checkStructure } from './passes/structure.js';
import { decodeText, readOrFail } from './read.js';

export interface LoadOptions {
  /** Op modules to load after the file's `use` lines (paths relative to cwd). */
  ops?: readonly string[];
  /** Data files that override every other value source (paths relative to cwd). */
  data?: readonly string[];
  cwd?: string;
}

export interface LoadedGraph {
  /** The path as given, as diagnostics show it. */
  readonly file: string;
  readonly source: string;
  readonly graph: Graph;
  readonly registry: OpRegistry;
  /** An engine error's where (node, arg, op, leaf) with the file span it comes from, or null. */
  locate(where: Where): Where | null;
  /** Any GradproofError (say, from checkGraph on this graph) as a diagnostic placed in this file. */
  explain(error: GradproofError): string;
}

export async function loadGraphFile(path: string, options: LoadOptions = {}): Promise<LoadedGraph> {
  const absPath = resolve(options.cwd ?? process.cwd(), path);
  const source = decodeText(await readOrFail(absPath, { file: path }, 'graph file', path), path);
  return loadGraphSource(source, path, options);
}

/** The same from text in hand; `file` places relative paths and names the file in errors. */
export async function loadGraphSource(source: string, file: string, options: LoadOptions = {}): Promise<LoadedGraph> {
  try {
    return await load(source, file, options);
  } catch (e) {
    if (isGradproofError(e) && e.where.file === file) rememberSource(e, source);
    throw e;
  }
}

async function load(source: string, file: string, options: LoadOptions): Promise<LoadedGraph> {
  const cwd = options.cwd ?? process.cwd();
  const dir = dirname(resolve(cwd, file));
  const ast = parseGraphSource(source, file);
  const registry = new OpRegistry();
  await inOrder(includesOf(ast, 'use'), (use) => loadOpModule(use.path, resolve(dir, use.path), { file, span: use.pathSpan }, registry));
  await inOrder(options.ops ?? [], (path) => loadOpModule(path, resolve(cwd, path), { file: path }, registry));

  checkShapes(ast);
  checkNames(ast);
  checkOps(ast, registry);
  checkStructure(ast);

  const fileData = await inOrder(includesOf(ast, 'data'), (d) => loadDataFile(d.path, resolve(dir, d.path), { file, span: d.pathSpan }));
  const cliData = await inOrder(options.data ?? [], (path) => loadDataFile(path, resolve(cwd, path), { file: path }));
  const graph = buildGraph(ast, { fileData, cliData });

  const locate = locator(ast, registry);
  try {
    compile(graph, registry);
  } catch (e) {
    moved(e, locate);
  }
  const explain = (e: GradproofError) => formatDiagnostic(new GradproofError(e.code, e.message, locate(e.where) ?? e.where, e.hint), source);
  return { file, source, graph, registry, locate, explain };
}

/** One at a time, so the first failure in file order is the one reported. */
async function inOrder<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}
