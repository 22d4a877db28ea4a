/**
 * An A/B of two versions of gradproof in one process, for a change that moves a small check by a
 * few percent: on this machine the same check's time drifts by up to 1.6× over minutes, more
 * than such a change, so runs of each version in turn cannot tell them apart. Here both versions
 * are loaded side by side (two checkouts, each with its own build of the native addon) and their
 * checks alternate in blocks, so that a slow spell slows both.
 *
 *   node bin/run-ts.mjs bench/ab.ts --a DIR --b DIR [--case fraud|FILE] [--variant correct|buggy]
 *                                   [--mode graph|auto] [--blocks N] [--per N]
 *
 * DIR is a checkout's root (for example a `git worktree` of the commit before a change, built
 * with `npm run install`); FILE a case from `seed_gradcheck.py --dump`. It prints the median of
 * the blocks' median report seconds (the first quarter of the blocks left out, as warm-up), B/A,
 * and in how many block pairs B was the faster: run it under `taskset -c 0` (bench/speed/pin.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDir } from './speed/peer.js';

const { values: opts } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    case: { type: 'string', default: 'fraud' },
    variant: { type: 'string', default: 'correct' },
    mode: { type: 'string', default: 'graph' },
    blocks: { type: 'string', default: '40' },
    per: { type: 'string', default: '300' },
  },
  strict: true,
});
if (!opts.a || !opts.b) throw new Error('bench/ab.ts needs --a DIR and --b DIR (two checkouts of gradproof)');
const file = opts.case === 'fraud' ? resolve(sharedDir, 'reference/fraud_case.json') : resolve(opts.case!);

/** One checkout's check of the case, as a function that runs it once and returns its report's seconds. */
async function checkOf(root: string): Promise<() => number> {
  const cases = await import(resolve(root, 'bench/speed/cases.ts'));
  const gradproof = await import(resolve(root, 'src/index.ts'));
  const { graph, ops } = cases.buildGraph(cases.loadCase(file), opts.variant);
  const registry = new gradproof.OpRegistry();
  for (const op of ops) registry.register(op, 'bench/ab.ts');
  const options = { method: 'auto', mode: opts.mode, registry, ...(opts.mode === 'graph' ? { full: true } : {}) };
  return () => gradproof.checkGraph(graph, options).seconds as number;
}

const median = (v: readonly number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
const [A, B] = [await checkOf(resolve(opts.a)), await checkOf(resolve(opts.b))];
const blocks = { a: [] as number[], b: [] as number[] };
/** The median of `per` checks, in µs. */
const block = (check: () => number) => median(Array.from({ length: Number(opts.per) }, check)) * 1e6;
for (let k = 0; k < Number(opts.blocks); k++) {
  // Each version goes first in every other pair.
  if (k % 2) blocks.a.push(block(A)), blocks.b.push(block(B));
  else blocks.b.push(block(B)), blocks.a.push(block(A));
}
const skip = blocks.a.length >> 2;
const [a, b] = [blocks.a.slice(skip), blocks.b.slice(skip)];
const wins = b.filter((x, i) => x < a[i]).length;
console.log(`${opts.variant} ${opts.mode}: A ${median(a).toFixed(1)} µs, B ${median(b).toFixed(1)} µs (medians of block medians); B/A ${(median(b) / median(a)).toFixed(3)}; B faster in ${wins} of ${b.length} block pairs`);
