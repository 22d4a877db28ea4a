/**
 * A seeded generator whose stream is the same on every machine: xoshiro128** on 32-bit integer
 * arithmetic (Math.imul and shifts, exact everywhere), seeded through splitmix32. Normals come
 * from Marsaglia's polar method, which needs only log and sqrt. So `randn(7)` in a graph file,
 * a dropout mask or a random check direction gives the same values wherever gradproof runs.
 */
export interface Random {
  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A standard normal. */
  normal(): number;
  /** 32 random bits, as an unsigned integer. */
  bits(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * The seed of a sub-stream (a direction, a node's cotangent): `seed` and `parts` folded into 32
 * bits with integer mixing, so any safe-integer seed works and nearby parts give unrelated seeds.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`a random seed must be an integer, not ${seed}`);
  let h = ((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x27d4eb2d)) >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`a random seed must be an integer, not ${seed}`);
  // Fold both halves of a large seed in, so seeds above 2^32 still differ.
  const mix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x27d4eb2d));
  let [a, b, c, d] = [mix(), mix(), mix(), mix()];
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  // Closure state: a spare normal from the last polar draw, which yields two.
  let spare: number | null = null;
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  return {
    uniform,
    bits: next,
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u: number, v: number, r: number;
      do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        r = u * u + v * v;
      } while (r >= 1 || r === 0);
      const f = Math.sqrt((-2 * Math.log(r)) / r);
      spare = v * f;
      return u * f;
    },
  };
}
