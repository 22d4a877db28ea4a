/**
 * Directional checks: the analytic derivative along a seeded random direction v, gᵀv, against
 * central differences of J(θ + t·v), judged by the same error model as single elements. A
 * whole-graph verdict then costs 2k forward evaluations whatever the parameter count.
 *
 * Why k = 3 is enough: for an error e in the gradient, eᵀv has spread about ‖e‖/√n (v of random
 * signs, scaled per element like the steps, unit length), as gᵀv has about ‖g‖/√n, so one
 * direction misses e only when |eᵀv| falls under the error bound, about 2τ|gᵀv|: with
 * probability about (2/π)·2τ‖g‖/‖e‖ (for e spread over many elements; an error in a single
 * element is never hidden by sign cancellation). A direction that crosses a kink is inconclusive
 * and is followed up element by element (directional-stage.ts). For an error of 0.1% of the gradient (‖e‖/‖g‖ = 1e-3, τ = 1e-6) that is
 * 1.3e-3 per direction and 2e-9 for three independent directions.
 */
import { bufferCount, concat, defer, EMPTY, map, type Observable } from 'rxjs';
import { createRandom, deriveSeed } from '../core/random.js';
import type { Plan } from '../engine/plan.js';
import type { Values } from '../engine/forward.js';
import { replay, type Direction, type DirectionPerturbation, type ReplayOptions } from '../engine/replay.js';
import { ElementJudge, REFINEMENTS } from './element-judge.js';
import type { Method } from './methods.js';
import { scaleText } from './diagnose.js';

export const DIRECTIONS = 3;

/** What a directional check needs of each param: its live values and analytic gradient. */
export interface DirectionTarget {
  name: string;
  data: Float64Array;
  analytic: Float64Array;
}

export interface DirectionResult {
  /** The params the direction moves. */
  params: string[];
  analytic: number;
  numeric: number;
  status: 'ok' | 'nondifferentiable' | 'fail' | 'pending';
}

/**
 * One direction over `targets` jointly: random signs (Rademacher entries, cheaper than normals
 * and as good for the argument above: eᵀv still has spread ‖e‖), scaled like each element's
 * step, then to unit length. It is never held whole (it is as large as the params it moves):
 * each use makes it again, element by element, from its seed, so every use sees the same v.
 */
export class SignDirection implements Direction {
  readonly params: string[];
  /** ‖v‖ before scaling to unit length: the signs do not change it, so it is known up front. */
  private readonly norm: number;
  /** Room for 32 entries of v, refilled by each step of a walk. */
  private readonly block = new Float64Array(32);

  /**
   * With a `cache`, the directions that share it keep the last one made whole (one vector per
   * param: the memory of the params once, however many directions), so the +t and −t replays
   * of a central difference and its gᵀv make it once.
   */
  constructor(
    private readonly targets: readonly DirectionTarget[],
    private readonly seed: number,
    private readonly cache?: DirectionCache,
  ) {
    this.params = targets.map((t) => t.name);
    let sum = 0;
    for (const t of targets) for (let i = 0; i < t.data.length; i++) sum += scale(t.data[i]) ** 2;
    this.norm = Math.sqrt(sum) || 1;
  }

  move(moved: readonly Float64Array[], original: readonly Float64Array[], step: number): void {
    const whole = this.whole();
    if (whole) {
      whole.forEach((v, k) => {
        const [to, from] = [moved[k], original[k]];
        for (let i = 0; i < v.length; i++) to[i] = from[i] + step * v[i];
      });
      return;
    }
    this.walk(original, (k, start, count, v) => {
      const [to, from] = [moved[k], original[k]];
      for (let b = 0; b < count; b++) to[start + b] = from[start + b] + step * v[b];
    });
  }

  /** gᵀv for one gradient per target (in `targets` order). */
  dot(gradients: readonly Float64Array[]): number {
    let sum = 0;
    // From the cache only when it holds this direction: making it there would put out the one
    // the replays under way are using.
    // (The sums run in a local variable: one a closure writes lives on the heap, and each add
    // would then box a number. The order of the additions is the same either way.)
    const whole = this.cache?.owner === this ? this.cache.vectors : undefined;
    if (whole) {
      for (let k = 0; k < whole.length; k++) {
        const [v, g] = [whole[k], gradients[k]];
        let s = sum;
        for (let i = 0; i < v.length; i++) s += g[i] * v[i];
        sum = s;
      }
      return sum;
    }
    this.walk(
      this.targets.map((t) => t.data),
      (k, start, count, v) => {
        const g = gradients[k];
        let s = sum;
        for (let b = 0; b < count; b++) s += g[start + b] * v[b];
        sum = s;
      },
    );
    return sum;
  }

  /** v whole, one vector per target, in new arrays (or in `into`, when given). */
  vectors(into: Float64Array[] = this.targets.map((t) => new Float64Array(t.data.length))): Float64Array[] {
    this.walk(
      this.targets.map((t) => t.data),
      (k, start, count, v) => {
        // (Element by element: a subarray per block would cost more than the copy.)
        const to = into[k];
        for (let b = 0; b < count; b++) to[start + b] = v[b];
      },
    );
    return into;
  }

  /** v from the cache, made there first if another direction holds it; undefined without a cache. */
  private whole(): Float64Array[] | undefined {
    const cache = this.cache;
    if (!cache) return undefined;
    if (cache.owner !== this) {
      // The vectors are reused when the sizes match (directions over the same params), else let go first.
      const fits = cache.vectors.length === this.targets.length && this.targets.every((t, k) => cache.vectors[k].length === t.data.length);
      if (!fits) cache.vectors = [];
      cache.owner = this;
      cache.vectors = this.vectors(fits ? cache.vectors : undefined);
    }
    return cache.vectors;
  }

  /**
   * Calls `each` with v's entries 32 at a time, in order (a call per element cost more than the
   * replay it serves on a large model); `values` are the unmoved θ the scales come from.
   */
  private walk(values: readonly Float64Array[], each: (k: number, start: number, count: number, v: Float64Array) => void): void {
    const random = createRandom(this.seed);
    const { block } = this;
    // scale·(1/‖v‖) is bitwise scale/‖v‖ (scale is a power of two), and cheaper.
    const inverse = 1 / this.norm;
    values.forEach((theta, k) => {
      // One 32-bit draw gives the signs of 32 elements (each target starts a fresh draw); the
      // sign is 2·bit − 1, not a branch, which random bits would mispredict half the time.
      for (let start = 0; start < theta.length; start += 32) {
        const bits = random.bits();
        const count = Math.min(32, theta.length - start);
        for (let b = 0; b < count; b++) block[b] = (2 * ((bits >>> b) & 1) - 1) * scale(theta[start + b]) * inverse;
        each(k, start, count, block);
      }
    });
  }
}

/** The last direction made whole, shared by the directions of one check (SignDirection). */
export interface DirectionCache {
  owner: SignDirection | null;
  vectors: Float64Array[];
}

export const directionCache = (): DirectionCache => ({ owner: null, vectors: [] });

/** An element's share of a direction: 1 up to |θ| = 1, then the power of two at or above |θ|. */
const scale = (theta: number) => (Math.abs(theta) <= 1 ? 1 : 2 ** Math.ceil(Math.log2(Math.abs(theta))));

/** The seeds of k directions, each its own (derived from `seed`). */
export const directionSeeds = (k: number, seed: number): number[] => Array.from({ length: k }, (_v, d) => deriveSeed(seed, d));

/**
 * Checks each group of targets (e.g. [all params], or one group per param) along k directions,
 * filling `results` (one entry per group and direction, in order) as the replays stream in:
 * a first pass at step t, and one at t/2 for the directions the first could not settle (and at
 * t/16 and t/32 for failures near a kink).
 * Emits the pairs of evaluations done so far.
 */
export function checkDirections(plan: Plan, baseline: Values, groups: DirectionTarget[][], method: Method, seed: number, j0: number, options: ReplayOptions, results: DirectionResult[]): Observable<number> {
  const step = method.step(0);
  // One direction is held whole at a time; gᵀv is worked out when its first replay has made it.
  const cache = directionCache();
  const entries = groups.flatMap((group, g) =>
    directionSeeds(DIRECTIONS, deriveSeed(seed, g)).map((s) => {
      const direction = new SignDirection(group, s, cache);
      let analytic: number | undefined;
      return { group, direction, analytic: () => (analytic ??= direction.dot(group.map((t) => t.analytic))) };
    }),
  );
  const offset = results.length;
  results.push(...entries.map((e) => ({ params: e.group.map((t) => t.name), analytic: NaN, numeric: NaN, status: 'pending' as const })));
  const judge = new ElementJudge(entries.length, j0, method.threshold);
  const statusOf = (i: number) => (['pending', 'ok', 'nondifferentiable', 'fail'] as const)[judge.status[i]];
  // Closure state: pairs of evaluations done, over both passes.
  let done = 0;
  const pass = (which: number[], t: number, record: (i: number, plus: number, minus: number) => number) => {
    const perturbations: DirectionPerturbation[] = which.flatMap((i) => [{ direction: entries[i].direction, step: t }, { direction: entries[i].direction, step: -t }]);
    return replay(plan, baseline, perturbations, options).pipe(
      bufferCount(2),
      map(([plus, minus], pair) => {
        const i = which[pair];
        results[offset + i].numeric = record(i, plus.value, minus.value);
        results[offset + i].analytic = entries[i].analytic();
        results[offset + i].status = statusOf(i);
        return ++done;
      }),
    );
  };
  const first = pass([...entries.keys()], step, (i, plus, minus) => judge.first(i, entries[i].analytic(), 0, step, plus, minus));
  // The passes after the first, at t/2 (and t/16, t/32 for failures near a kink), over the directions still undecided.
  const refinement = (level: number): Observable<number> =>
    defer(() => {
      const refine = judge.toRefine();
      if (level >= REFINEMENTS.length || refine.length === 0) return EMPTY;
      const t = step * REFINEMENTS[level];
      return concat(
        pass(refine, t, (i, plus, minus) => judge.refine(i, entries[i].analytic(), 0, t, plus, minus)),
        refinement(level + 1),
      );
    });
  return concat(first, refinement(0));
}

/** "analytic = 2.000 × numeric along every direction", when the ratio is one constant. */
export function directionalDiagnosis(results: Pick<DirectionResult, 'analytic' | 'numeric'>[]): { factor: number; text: string } | null {
  const ratios = results.filter((r) => r.numeric !== 0).map((r) => r.analytic / r.numeric);
  if (ratios.length < 2) return null;
  const factor = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  if (ratios.some((r) => Math.abs(r - factor) > 1e-3 * Math.abs(factor)) || Math.abs(factor - 1) < 5e-4) return null;
  return { factor, text: `analytic = ${scaleText(factor)} × numeric along every direction` };
}
