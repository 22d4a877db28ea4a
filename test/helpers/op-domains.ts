/**
 * The gradient-test table: for every registered op, how to draw its inputs (random shapes, a
 * domain away from kinks and poles) and the tolerance its check must meet. An op joins the
 * gradient tests by being registered: ops.test.ts fails for a registered op with no row here.
 */
import { createRandom, type Attrs, type Random, type Tensor } from '../../src/index.js';

export interface Domain {
  /** Inputs for one case, drawn with `random` (shapes included). */
  draw(random: Random): Tensor[];
  attrs?: Attrs;
  /** Largest accepted difference between backward and central differences. */
  tolerance: number;
  /** A changed value that stays in the domain (incremental.test.ts); v + a normal when absent. */
  move?: (value: number, random: Random) => number;
}

const dim = (random: Random) => 1 + Math.floor(random.uniform() * 5);
const fill = (shape: number[], f: () => number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, f) };
};
const normal = (random: Random, shape: number[]) => fill(shape, () => random.normal());
/** Normals pushed at least `gap` away from 0, so no element sits on a kink. */
const awayFromZero = (random: Random, shape: number[], gap = 0.1) =>
  fill(shape, () => {
    const v = random.normal();
    return Math.sign(v || 1) * (gap + Math.abs(v));
  });
const uniform = (random: Random, shape: number[], lo: number, hi: number) => fill(shape, () => lo + (hi - lo) * random.uniform());

/** A probability's or a label's new value: inside (0, 1). */
const inUnit = (_v: number, random: Random) => 0.05 + 0.9 * random.uniform();

export const domains: Record<string, Domain[]> = {
  sum: [{ draw: (r) => [normal(r, [dim(r), dim(r)])], tolerance: 1e-7 }],
  linear: [
    { draw: (r) => { const [f, m, u] = [dim(r), dim(r), dim(r)]; return [normal(r, [f, m]), normal(r, [u, f]), normal(r, [u, 1])]; }, tolerance: 1e-7 },
    { draw: (r) => { const [f, m, u] = [dim(r), dim(r), dim(r)]; return [normal(r, [f, m]), normal(r, [u, f])]; }, tolerance: 1e-7 },
  ],
  relu: [{ draw: (r) => [awayFromZero(r, [dim(r), dim(r)])], tolerance: 1e-7 }],
  sigmoid: [{ draw: (r) => [normal(r, [dim(r), dim(r)])], tolerance: 1e-7 }],
  tanh: [{ draw: (r) => [normal(r, [dim(r), dim(r)])], tolerance: 1e-7 }],
  logloss: [
    { draw: (r) => { const s = [dim(r), dim(r)]; return [uniform(r, s, 0.05, 0.95), fill(s, () => (r.uniform() < 0.5 ? 0 : 1))]; }, tolerance: 1e-7, move: inUnit },
    { draw: (r) => { const s = [1, dim(r)]; return [uniform(r, s, 0.05, 0.95), uniform(r, s, 0, 1)]; }, tolerance: 1e-7, move: inUnit },
  ],
  add: [
    { draw: (r) => { const s = [dim(r), dim(r)]; return [normal(r, s), normal(r, s)]; }, tolerance: 1e-7 },
    { draw: (r) => { const [a, b] = [dim(r), dim(r)]; return [normal(r, [a, b]), normal(r, [a, 1])]; }, tolerance: 1e-7 },
    { draw: (r) => { const [a, b] = [dim(r), dim(r)]; return [normal(r, [1, b]), normal(r, [a, b])]; }, tolerance: 1e-7 },
    { draw: (r) => [normal(r, [dim(r), dim(r)]), normal(r, [])], tolerance: 1e-7 },
  ],
  mul: [
    { draw: (r) => { const s = [dim(r), dim(r)]; return [normal(r, s), normal(r, s)]; }, tolerance: 1e-7 },
    { draw: (r) => { const [a, b] = [dim(r), dim(r)]; return [normal(r, [a, b]), normal(r, [a, 1])]; }, tolerance: 1e-7 },
    { draw: (r) => [normal(r, []), normal(r, [dim(r), dim(r)])], tolerance: 1e-7 },
  ],
  matmul: [{ draw: (r) => { const [m, k, n] = [dim(r), dim(r), dim(r)]; return [normal(r, [m, k]), normal(r, [k, n])]; }, tolerance: 1e-7 }],
  dropout: [
    { draw: (r) => [normal(r, [dim(r) + 2, dim(r) + 2])], attrs: { rate: 0.5, seed: 3 }, tolerance: 1e-7 },
    { draw: (r) => [normal(r, [dim(r), dim(r)])], attrs: { rate: 0.2 }, tolerance: 1e-7 },
  ],
};

/** Seeds for the random draws: each row of the table runs once per seed. */
export const drawSeeds = [1, 2, 3, 4, 5];

export const randomFor = (seed: number) => createRandom(seed);
