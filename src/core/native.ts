/**
 * The optional native kernels (native/*.c), loaded when `npm install` built them: the loops
 * a replay of a large dense layer spends its time in, over whole rows, vectorised. They give the
 * same bits as the JavaScript loops (each element is the same IEEE operations in the same order),
 * so they change how fast a check runs, never what it finds. Without them (no compiler at
 * install, or GRADPROOF_NATIVE=0) the JavaScript loops run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeKernels {
  /** For each column j where row r of B moved (now ≠ was, NaN moved): out[i, j] += a[i, r]·(now − was), a [m, k], out [m, n]. */
  rankUpdate(out: Float64Array, a: Float64Array, k: number, r: number, now: Float64Array, was: Float64Array, nowAt: number, wasAt: number, m: number, n: number): void;
  /** out[i] = Math.max(x[i], 0) for i in [start, start + count). */
  relu(x: Float64Array, out: Float64Array, start: number, count: number): void;
  /** out = A·B (+ bias per row), A [m, k] (stored [k, m] when transA), B [k, n] (stored [n, k] when transB): each sum from 0, in order of p. */
  product(out: Float64Array, a: Float64Array, b: Float64Array, bias: Float64Array | null, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /** The bytes of the block that chainCreate needs for `program` (native/chain-create.c has its format). */
  chainSize(program: Int32Array): number;
  /**
   * A replay's chain of layers over `arrays`, laid out in `block` (chainSize bytes at least),
   * which is then its handle; `run` (3 × a run's largest count) holds chainSteps' elements, steps
   * and objectives. Throws a RangeError when the program does not fit its arrays or the block.
   */
  chainCreate(program: Int32Array, report: Int32Array, run: Float64Array, block: Float64Array, ...arrays: Float64Array[]): void;
  /** One replay of the chain: element `index` of its param at position `param` has moved by `delta`; the last value's change goes into the chain's report. */
  chainRun(chain: Float64Array, param: number, index: number, delta: number): void;
  /** One replay of a chain that ends at the objective: moves element `index` of its param at position `param` by `step`, replays, puts all back, and returns the objective. */
  chainStep(chain: Float64Array, param: number, index: number, step: number): number;
  /** chainStep for the `count` elements of one param in the chain's `run`: run[2c + k] = chainStep(chain, param, run[k], run[c + k]), c its capacity. */
  chainSteps(chain: Float64Array, param: number, count: number): void;
  /** out[i] = V8's exp (0), log (1) or log1p (2) of x[i], called from C (native/v8-math.h); false when the node binary does not export them. */
  v8Math(which: 0 | 1 | 2, x: Float64Array, out: Float64Array): boolean;
  /** The version of these calls (native/kernels.c, GRADPROOF_ABI). */
  readonly abi: number;
}

/** The calls this file describes: an addon of another version is not used. */
const ABI = 4;

/** Below this many elements a loop stays in JavaScript: a native call costs about 100 ns. */
export const NATIVE_MIN = 512;


function load(): NativeKernels | null {
  if (process.env.GRADPROOF_NATIVE === '0') return null;
  try {
    // The same paths from src/core (run through jiti) and from dist/core (built).
    const root = new URL('../../', import.meta.url);
    // A build of another version of the source (left from before a change) is not used.
    // (The hash of the sources, as the install script recorded it for its build: scripts/source-hash.cjs.)
    const require = createRequire(import.meta.url);
    const { sourceHash } = require(fileURLToPath(new URL('scripts/source-hash.cjs', root))) as { sourceHash: (dir: string) => string };
    if (readFileSync(new URL('build/Release/kernels.sha256', root), 'utf8').trim() !== sourceHash(fileURLToPath(new URL('native/', root)))) return null;
    const kernels = require(fileURLToPath(new URL('build/Release/gradproof_kernels.node', root))) as NativeKernels;
    return kernels.abi === ABI ? kernels : null;
  } catch {
    return null;
  }
}

/**
 * Inputs on which the addon's exp, log and log1p must give Math's bits: both branches of the
 * sigmoid, the cost's logs near 0 and 1, subnormals, the overflows, and 20,000 ordinary ones (a function
 * that differed in the last bit on one input in 2,000 would show; about 1 ms when the addon loads).
 */
const PROBES = Float64Array.from([0, -0, 1, -1, 0.5, -0.5, 1e-300, 5e-324, -5e-324, 709.7, 710, -745.2, -746, 1 - 2 ** -53, 2 ** -53, Infinity, -Infinity, NaN, ...Array.from({ length: 20_000 }, (_v, i) => Math.sin(i * 12.9898) * 43.7)]);

/**
 * Whether the addon's exp, log and log1p (V8's own, found in the node binary: native/v8-math.h)
 * give Math.exp's, Math.log's and Math.log1p's bits on the probes: the chain then runs sigmoid
 * and the cost natively (native/chain-tail.c), else it leaves them to JavaScript.
 */
function mathMatches(native: NativeKernels): boolean {
  const out = new Float64Array(PROBES.length);
  const logInputs = PROBES.map(Math.abs);
  const log1pInputs = PROBES.map((x) => -Math.abs(x) / (1 + Math.abs(x)));
  const cases = [[0, PROBES, Math.exp], [1, logInputs, Math.log], [2, log1pInputs, Math.log1p]] as const;
  return cases.every(([which, x, f]) => native.v8Math(which, x, out) && x.every((v, i) => Object.is(out[i], f(v))));
}

// Module state: the kernels when loaded and in use (tests switch them off to run the JavaScript
// loops), and whether their exp and log are Math's.
const loaded = load();
let active = loaded;
const exactMath = loaded !== null && mathMatches(loaded);
let exactMathOn = exactMath;

/** Whether the native chain may run the ops that take exps and logs (mathMatches). */
export const nativeMathExact = (): boolean => exactMathOn;

/** Lets the chain run sigmoid and the cost natively when their math is exact (tests turn it off); returns the setting before. */
export function useExactMath(on: boolean): boolean {
  const before = exactMathOn;
  exactMathOn = on && exactMath;
  return before;
}

/** The native kernels, or null when the JavaScript loops are to run. */
export const nativeKernels = (): NativeKernels | null => active;

/** Whether the addon was built and loaded (whether or not it is in use). */
export const nativeAvailable = (): boolean => loaded !== null;

/** Uses the native kernels (when loaded) or the JavaScript loops; returns the setting before. */
export function useNativeKernels(on: boolean): boolean {
  const before = active !== null;
  active = on ? loaded : null;
  return before;
}
