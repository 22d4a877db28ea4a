/**
 * The benchmark's cases: the seed's fraud net and two random MLPs dumped by the peer (so both
 * sides check the very same values), each built as a correct graph and as the seed's buggy one
 * (layer 1's rule returns 4 × db, layer 2's returns 2 × dW: the zoo's mutants of the built-in
 * linear, which keep its forward and incremental rules, so the timing measures the engine).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mlpGraph, withOp, type Graph, type MlpCase, type Op, type TensorLike } from '../../src/index.js';
import seedBugs from './seed-bug-ops.js';
import { dumpCase, sharedDir } from './peer.js';

/** Where the buggy variant's ops come from (worker threads load them again from there). */
export const SEED_BUGS_MODULE = fileURLToPath(new URL('./seed-bug-ops.ts', import.meta.url));

export type Variant = 'correct' | 'buggy';
export const VARIANTS: readonly Variant[] = ['correct', 'buggy'];

export interface CaseSpec {
  id: string;
  label: string;
  /** Too big to check whole by default: both sides are timed on a sample and extrapolated. */
  big: boolean;
  /** How the peer makes the case (for --dump), or null when the values are a file already. */
  dump: string[] | null;
  /** How the peer checks it, given the file of values (the seed's case is the peer's own). */
  peerArgs(file: string): string[];
}

export const CASES: readonly CaseSpec[] = [
  {
    id: 'fraud',
    label: 'fraud 4-5-3-1, m = 3',
    big: false,
    dump: null,
    peerArgs: () => ['--case', 'fraud'],
  },
  {
    id: 'mlp-100',
    label: 'MLP 100-32-16-1, m = 32',
    big: false,
    dump: ['--mlp', '100,32,16,1', '--batch', '32', '--seed', '0'],
    peerArgs: (file) => ['--params', file],
  },
  {
    id: 'mlp-784',
    label: 'MLP 784-256-64-1, m = 64',
    big: true,
    dump: ['--mlp', '784,256,64,1', '--batch', '64', '--seed', '0'],
    peerArgs: (file) => ['--params', file],
  },
];

export const caseById = (id: string): CaseSpec => {
  const spec = CASES.find((c) => c.id === id);
  if (!spec) throw new Error(`unknown case '${id}' (cases: ${CASES.map((c) => c.id).join(', ')})`);
  return spec;
};

/** Writes each case's values to a file (in a fresh temporary folder) and returns the paths. */
export function prepareCases(specs: readonly CaseSpec[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-bench-'));
  const files = new Map<string, string>();
  for (const spec of specs) {
    if (!spec.dump) {
      files.set(spec.id, join(sharedDir, 'reference/fraud_case.json'));
      continue;
    }
    const file = join(dir, `${spec.id}.json`);
    writeFileSync(file, dumpCase(spec.dump));
    files.set(spec.id, file);
  }
  return files;
}

export const loadCase = (file: string): MlpCase => JSON.parse(readFileSync(file, 'utf8')) as MlpCase;

/**
 * The case's network at `units` units a hidden layer and `m` examples, from its first values:
 * what a check of it takes is the check's fixed part (its plan, stream, report, and V8's hidden
 * classes and feedback for them), with a model of a kilobyte or two.
 */
export function shrunkCase(c: MlpCase, units = 6, m = 2): MlpCase {
  const rows = (t: TensorLike): number[][] => t as number[][];
  const cut = (t: TensorLike, r: number, k: number) => rows(t).slice(0, r).map((row) => row.slice(0, k));
  const last = c.layers.length - 1;
  const sizes = [Math.min(units, rows(c.X).length), ...c.layers.map((l, i) => (i === last ? rows(l.W).length : Math.min(units, rows(l.W).length)))];
  return { X: cut(c.X, sizes[0], m), Y: cut(c.Y, rows(c.Y).length, m), layers: c.layers.map((l, i) => ({ W: cut(l.W, sizes[i + 1], sizes[i]), b: cut(l.b, sizes[i + 1], 1) })) };
}

/** Elements of all params (W and b of every layer). */
export function paramCount(c: MlpCase): number {
  const size = (v: unknown): number => (Array.isArray(v) ? v.reduce((n: number, x) => n + size(x), 0) : 1);
  return c.layers.reduce((n, l) => n + size(l.W) + size(l.b), 0);
}

export interface BuiltCase {
  graph: Graph;
  /** The user ops the graph needs (the seed's buggy layers). */
  ops: readonly Op[];
}

/** The seed's network over the case's values; `buggy` swaps in the seed's two wrong rules. */
export function buildGraph(c: MlpCase, variant: Variant): BuiltCase {
  const graph = mlpGraph(c);
  if (variant === 'correct') return { graph, ops: [] };
  if (c.layers.length !== 3) throw new Error('the seed bug is defined on 3-layer nets');
  const buggy = withOp(withOp(graph, 'Z1', 'linear_db_x4'), 'Z2', 'linear_dW_x2');
  return { graph: buggy, ops: seedBugs };
}
