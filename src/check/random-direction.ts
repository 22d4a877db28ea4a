/**
 * Random directions for directional checks (directional.ts), made from a seed rather than held:
 * a direction over 217,000 params is as large as the params, and a check uses several.
 */
import type { Direction } from '../engine/replay.js';

/** What a directional check needs of each param: its live values and analytic gradient. */
export interface DirectionTarget {
  name: string;
  data: Float64Array;
  analytic: Float64Array;
}

/**
 * One direction over `targets` jointly: each entry a random sign times a random magnitude in
 * [1/2, 1), scaled like the element's step, over the norm such entries have on average (so ‖v‖
 * is 1 to within about 1/√n: its exact norm would take a pass over the draws first). The magnitudes are
 * what make a sparse error show: with signs alone (Rademacher entries), an error confined to two
 * elements of one size, such as a rule that swaps two elements' gradients, cancels exactly along
 * half of all directions, and three directions missed it one time in eight; with a magnitude of
 * 2^15 levels it cancels along about one direction in 65,536, and an error in one element still
 * shows along every direction (its entry is at least half the largest). The draws are integer
 * arithmetic, the same on every machine. The direction is not
 * held whole (it is as large as the params it moves) unless given a cache: each use makes it
 * again from its seed, 32 entries at a time, so every use sees the same v.
 */
export class RandomDirection implements Direction {
  readonly params: string[];
  /**
   * 1/‖v‖'s expectation over the magnitudes, from the shares alone (known up front, so each
   * entry is made final in one pass): ‖v‖ is 1 to within about 1/√n for n elements.
   */
  private readonly inverse: number;
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
    const { sumOfShares, unit } = sharesOf(targets);
    this.inverse = 1 / (Math.sqrt(MEAN_SQUARE_MAGNITUDE * sumOfShares) || 1);
    this.unit = unit;
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
    // (A skipped param's entries are still drawn: the params after it take theirs from the same stream.)
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
   * `into`, the entries go straight into those vectors instead (making v whole: a call and a copy
   * per block would cost as much as the entries). The entries come two at a time from a
   * xorshift32 stream seeded from the direction's seed, its state in a local: a generator in a
   * closure (xoshiro's draws, one per two entries) made the large MLP's default check 29% slower.
   */
  private walk(values: readonly Float64Array[], each: ((k: number, start: number, count: number, v: Float64Array) => void) | null, into?: Float64Array[]): void {
    const { block, inverse } = this;
    // (xorshift32's state must not be 0; the hash spreads nearby seeds apart.)
    let x = mix32(this.seed >>> 0) | 1;
    values.forEach((theta, k) => {
      const out = into ? into[k] : block;
      // (Every element of the target within [−1, 1] takes a share of 1: its entries are the
      // sign and magnitude alone, the same bits as a share of 1 gives, without reading θ.)
      const unit = this.unit[k];
      for (let start = 0; start < theta.length; start += 32) {
        const count = Math.min(32, theta.length - start);
        const at = into ? start : 0;
        for (let b = 0; b < count; b += 2) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          out[at + b] = signed(x) * (unit ? 1 : scale(theta[start + b])) * inverse;
          if (b + 1 < count) out[at + b + 1] = signed(x >>> 16) * (unit ? 1 : scale(theta[start + b + 1])) * inverse;
        }
        each?.(k, start, count, block);
      }
    });
  }
}

/** A 32-bit integer hash (the lowbias32 finaliser: every input bit reaches every output bit), as a signed 32-bit integer. */
const mix32 = (x: number): number => {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return x ^ (x >>> 15);
};

/** ±(1/2 + m/2^16) from a random draw: the sign from its lowest bit, the magnitude m from the next 15 (no branch, which random bits would mispredict half the time). */
const signed = (h: number) => (2 * (h & 1) - 1) * (0.5 + ((h >>> 1) & 0x7fff) * 2 ** -16);

/** The mean of a magnitude's square, (1/2 + m/2^16)² over m: 7/12, as for one uniform in [1/2, 1), to within 2e-5. */
const MEAN_SQUARE_MAGNITUDE = 7 / 12;

// The sum of the shares' squares and which targets lie within [−1, 1] depend on the targets'
// values alone: the directions made over one list of targets share them, one pass over the
// params for all of them. Keyed weakly by the list (a check's own, over values that stay put
// while it runs).
const shares = new WeakMap<readonly DirectionTarget[], { sumOfShares: number; unit: boolean[] }>();

function sharesOf(targets: readonly DirectionTarget[]): { sumOfShares: number; unit: boolean[] } {
  let known = shares.get(targets);
  if (known === undefined) {
    let sum = 0;
    const unit = targets.map(({ data }) => {
      let within = true;
      // (Most elements lie within [−1, 1], with a share of 1: that test alone, inline, where a
      // call of scale and a power per element took 1.3 ms over the 217,473 params of the large
      // bench MLP, once a check.)
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
    known = { sumOfShares: sum, unit };
    shares.set(targets, known);
  }
  return known;
}

/** The last direction made whole, shared by the directions of one check (RandomDirection). */
export interface DirectionCache {
  owner: RandomDirection | null;
  vectors: Float64Array[];
}

export const directionCache = (): DirectionCache => ({ owner: null, vectors: [] });

/** An element's share of a direction: 1 up to |θ| = 1, then the power of two at or above |θ|. */
const scale = (theta: number) => (theta <= 1 && theta >= -1 ? 1 : 2 ** Math.ceil(Math.log2(Math.abs(theta))));
