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

  constructor(private readonly targets: readonly DirectionTarget[], private readonly seed: number) {
    this.params = targets.map((t) => t.name);
    let sum = 0;
    for (const t of targets) for (let i = 0; i < t.data.length; i++) sum += scale(t.data[i]) ** 2;
    this.norm = Math.sqrt(sum) || 1;
  }

  move(moved: readonly Float64Array[], original: readonly Float64Array[], step: number): void {
    this.walk(original, (k, i, v) => (moved[k][i] = original[k][i] + step * v));
  }

  /** gᵀv for one gradient per target (in `targets` order). */
  dot(gradients: readonly Float64Array[]): number {
    let sum = 0;
    this.walk(
      this.targets.map((t) => t.data),
      (k, i, v) => (sum += gradients[k][i] * v),
    );
    return sum;
  }

  /** v whole, one vector per target (for tests: a check never holds it). */
  vectors(): Float64Array[] {
    const out = this.targets.map((t) => new Float64Array(t.data.length));
    this.walk(
      this.targets.map((t) => t.data),
      (k, i, v) => (out[k][i] = v),
    );
    return out;
  }

  /** Calls `each` with every element's entry of v, in order; `values` are the unmoved θ the scales come from. */
  private walk(values: readonly Float64Array[], each: (k: number, i: number, v: number) => void): void {
    const random = createRandom(this.seed);
    const norm = this.norm;
    values.forEach((theta, k) => {
      // One 32-bit draw gives the signs of 32 elements (each target starts a fresh draw).
      let bits = 0;
      for (let i = 0; i < theta.length; i++) {
        if (i % 32 === 0) bits = random.bits();
        each(k, i, (((bits >>> i % 32) & 1 ? 1 : -1) * scale(theta[i])) / norm);
      }
    });
  }
}

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
  const entries = groups.flatMap((group, g) =>
    directionSeeds(DIRECTIONS, deriveSeed(seed, g)).map((s) => {
      const direction = new SignDirection(group, s);
      return { group, direction, analytic: direction.dot(group.map((t) => t.analytic)) };
    }),
  );
  const offset = results.length;
  results.push(...entries.map((e) => ({ params: e.group.map((t) => t.name), analytic: e.analytic, numeric: NaN, status: 'pending' as const })));
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
        results[offset + i].status = statusOf(i);
        return ++done;
      }),
    );
  };
  const first = pass([...entries.keys()], step, (i, plus, minus) => judge.first(i, entries[i].analytic, 0, step, plus, minus));
  // The passes after the first, at t/2 (and t/16, t/32 for failures near a kink), over the directions still undecided.
  const refinement = (level: number): Observable<number> =>
    defer(() => {
      const refine = judge.toRefine();
      if (level >= REFINEMENTS.length || refine.length === 0) return EMPTY;
      const t = step * REFINEMENTS[level];
      return concat(
        pass(refine, t, (i, plus, minus) => judge.refine(i, entries[i].analytic, 0, t, plus, minus)),
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
