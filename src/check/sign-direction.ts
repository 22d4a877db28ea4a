/**
 * Random directions for directional checks (directional.ts), made from a seed rather than held:
 * a direction over 217,000 params is as large as the params, and a check uses several.
 */
import { createRandom } from '../core/random.js';
import type { Direction } from '../engine/replay.js';

/** What a directional check needs of each param: its live values and analytic gradient. */
export interface DirectionTarget {
  name: string;
  data: Float64Array;
  analytic: Float64Array;
}

/**
 * One direction over `targets` jointly: random signs (Rademacher entries, cheaper than normals
 * and as good for the argument in directional.ts: eᵀv still has spread ‖e‖), scaled like each
 * element's step, then to unit length. It is not held whole (it is as large as the params it
 * moves) unless given a cache: each use makes it again from its seed, 32 entries at a time, so
 * every use sees the same v.
 */
export class SignDirection implements Direction {
  readonly params: string[];
  /** ‖v‖ before scaling to unit length: the signs do not change it, so it is known up front. */
  private readonly norm: number;
  /** Per target: whether every element's share is 1 (|θ| ≤ 1). */
  private readonly unit: boolean[];
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
    ({ norm: this.norm, unit: this.unit } = sharesOf(targets));
  }

  move(moved: readonly (Float64Array | null)[], original: readonly Float64Array[], step: number): void {
    const whole = this.whole();
    if (whole) {
      whole.forEach((v, k) => {
        const [to, from] = [moved[k], original[k]];
        if (to) for (let i = 0; i < v.length; i++) to[i] = from[i] + step * v[i];
      });
      return;
    }
    // (A skipped param's signs are still drawn: the params after it take theirs from the same stream.)
    this.walk(original, (k, start, count, v) => {
      const [to, from] = [moved[k], original[k]];
      if (to) for (let b = 0; b < count; b++) to[start + b] = from[start + b] + step * v[b];
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
    this.walk(this.targets.map((t) => t.data), null, into);
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
   * replay it serves on a large model); `values` are the unmoved θ the scales come from. With
   * `into`, the entries go straight into those vectors instead (making v whole: a call and a
   * copy per block would cost as much as the entries).
   */
  private walk(values: readonly Float64Array[], each: ((k: number, start: number, count: number, v: Float64Array) => void) | null, into?: Float64Array[]): void {
    const random = createRandom(this.seed);
    const { block } = this;
    // scale·(1/‖v‖) is bitwise scale/‖v‖ (scale is a power of two), and cheaper.
    const inverse = 1 / this.norm;
    values.forEach((theta, k) => {
      const out = into ? into[k] : block;
      // (Every element of the target within [−1, 1] takes a share of 1: its entries are ±1/‖v‖,
      // the same bits as entry gives, without reading θ.)
      const unit = this.unit[k];
      // One 32-bit draw gives the signs of 32 elements (each target starts a fresh draw).
      for (let start = 0; start < theta.length; start += 32) {
        const bits = random.bits();
        const count = Math.min(32, theta.length - start);
        const at = into ? start : 0;
        if (unit) for (let b = 0; b < count; b++) out[at + b] = (2 * ((bits >>> b) & 1) - 1) * inverse;
        else for (let b = 0; b < count; b++) out[at + b] = entry(bits, b, theta[start + b], inverse);
        each?.(k, start, count, block);
      }
    });
  }
}

// ‖v‖ and which targets lie within [−1, 1] depend on the targets' values alone (the signs do
// not change them): the directions made over one list of targets share them, one pass over the
// params for all of them. Keyed weakly by the list (a check's own, over values that stay put
// while it runs).
const shares = new WeakMap<readonly DirectionTarget[], { norm: number; unit: boolean[] }>();

function sharesOf(targets: readonly DirectionTarget[]): { norm: number; unit: boolean[] } {
  let known = shares.get(targets);
  if (known === undefined) {
    let sum = 0;
    const unit = targets.map(({ data }) => {
      let within = true;
      // (Most elements lie within [−1, 1], with a share of 1: that test alone, inline, where a
      // call of scale and a power per element took 1.3 ms over the 217,473 params of the large
      // bench MLP, once a check. The same additions in the same order, so the same sum.)
      for (let i = 0; i < data.length; i++) {
        const theta = data[i];
        if (theta <= 1 && theta >= -1) {
          sum += 1;
          continue;
        }
        const share = scale(theta);
        sum += share * share;
        within = false;
      }
      return within;
    });
    known = { norm: Math.sqrt(sum) || 1, unit };
    shares.set(targets, known);
  }
  return known;
}

/** The last direction made whole, shared by the directions of one check (SignDirection). */
export interface DirectionCache {
  owner: SignDirection | null;
  vectors: Float64Array[];
}

export const directionCache = (): DirectionCache => ({ owner: null, vectors: [] });

/** An element's share of a direction: 1 up to |θ| = 1, then the power of two at or above |θ|. */
const scale = (theta: number) => (theta <= 1 && theta >= -1 ? 1 : 2 ** Math.ceil(Math.log2(Math.abs(theta))));

/** v's entry b of a block: the sign from bit b of `bits` (2·bit − 1, not a branch, which random bits would mispredict half the time), times the element's share of the direction, over ‖v‖. */
const entry = (bits: number, b: number, theta: number, inverse: number) => (2 * ((bits >>> b) & 1) - 1) * scale(theta) * inverse;
