/**
 * Directional checks: the analytic derivative along a seeded random direction v, gᵀv, against
 * central differences of J(θ + t·v), judged by the same error model as single elements. A
 * whole-graph verdict then costs 2k forward evaluations whatever the parameter count.
 *
 * Why k = 3 is enough: for an error e in the gradient, eᵀv has spread about ‖e‖/√n (v's entries
 * random signs times random magnitudes in [1/2, 1), scaled per element like the steps, about
 * unit length), as gᵀv has about ‖g‖/√n, so one direction misses e only when |eᵀv| falls under
 * the error bound, about 2τ|gᵀv|: with probability about (2/π)·2τ‖g‖/‖e‖. For an error of 0.1%
 * of the gradient (‖e‖/‖g‖ = 1e-3, τ = 1e-6) that is 1.3e-3 per direction and 2e-9 for three
 * independent directions. An error in a single element shows along every direction; one in a
 * few elements could cancel exactly only if their entries' signs and magnitudes matched, one
 * chance in 2^16 or so (with signs alone, a swap of two elements' gradients cancelled along half
 * of all directions: random-direction.ts). A direction that crosses a kink is inconclusive and
 * is followed up element by element (directional-stage.ts), as is one too little resolved to see
 * an error (UNRESOLVED).
 */
import { bufferCount, concat, defer, EMPTY, finalize, map, type Observable } from 'rxjs';
import { deriveSeed } from '../core/random.js';
import { directionCache, RandomDirection, type DirectionTarget } from './random-direction.js';
import type { Plan } from '../engine/plan.js';
import type { Values } from '../engine/forward.js';
import { replay, type DirectionPerturbation, type ReplayOptions } from '../engine/replay.js';
import { ElementJudge, REFINEMENTS } from './element-judge.js';
import { rounding } from './error-model.js';
import type { Method } from './methods.js';
import { scaleText } from './diagnose.js';

export const DIRECTIONS = 3;
export type { DirectionTarget } from './random-direction.js';

export interface DirectionResult {
  /** The params the direction moves. */
  params: string[];
  analytic: number;
  numeric: number;
  /**
   * `unresolved`: within its error bound, but a bound the rounding of J makes wider than
   * UNRESOLVED·|gᵀv|, so that it could not have seen an error of that size (the params it moves
   * by the least, beside others far larger, barely move J): it is followed up like a kink.
   */
  status: 'ok' | 'unresolved' | 'nondifferentiable' | 'fail' | 'pending';
}

/** A direction must be able to see an error of this share of gᵀv to settle anything. */
export const UNRESOLVED = 1e-3;

/**
 * Whether a direction with gᵀv = `analytic`, J(θ) = j0 and J(θ ± t·v) = plus, minus could see an
 * error of UNRESOLVED·|gᵀv|: the rounding part of the judge's bound (error-model.ts) under it.
 */
export const resolves = (analytic: number, t: number, j0: number, plus: number, minus: number): boolean =>
  rounding(Math.max(Math.abs(j0), Math.abs(plus), Math.abs(minus)), t) <= UNRESOLVED * Math.abs(analytic);

/** The seeds of k directions, each its own (derived from `seed`). */
export const directionSeeds = (k: number, seed: number): number[] => Array.from({ length: k }, (_v, d) => deriveSeed(seed, d));

/**
 * Checks each group of targets (e.g. [all params], or one group per param) along k directions,
 * filling `results` (one entry per group and direction, in order) as the replays stream in:
 * a first pass at step t, and one at t/2 for the directions the first could not settle (and at
 * t/16 and t/32 for failures near a kink).
 * Emits the pairs of evaluations done so far.
 */
export function checkDirections(plan: Plan, baseline: Values, groups: DirectionTarget[][], method: Method, seed: number, j0: number, options: ReplayOptions, results: DirectionResult[], cache = directionCache()): Observable<number> {
  const step = method.step(0);
  // One direction is held whole at a time (in `cache`: a test's, or the check's own); gᵀv is
  // worked out when its first replay has made it.
  const entries = groups.flatMap((group, g) =>
    directionSeeds(DIRECTIONS, deriveSeed(seed, g)).map((s) => {
      const direction = new RandomDirection(group, s, cache);
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
        const result = results[offset + i];
        result.numeric = record(i, plus.value, minus.value);
        result.analytic = entries[i].analytic();
        result.status = statusOf(i);
        if (result.status === 'ok' && !resolves(result.analytic, t, j0, plus.value, minus.value)) result.status = 'unresolved';
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
  // The direction held whole goes when the passes end: the check holds its results a while
  // longer (through the node checks), and the vectors are as large as the params.
  return concat(first, refinement(0)).pipe(finalize(() => Object.assign(cache, directionCache())));
}

/** "analytic = 2.000 × numeric along every direction", when the ratio is one constant. */
export function directionalDiagnosis(results: Pick<DirectionResult, 'analytic' | 'numeric'>[]): { factor: number; text: string } | null {
  const ratios = results.filter((r) => r.numeric !== 0).map((r) => r.analytic / r.numeric);
  if (ratios.length < 2) return null;
  const factor = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  if (ratios.some((r) => Math.abs(r - factor) > 1e-3 * Math.abs(factor)) || Math.abs(factor - 1) < 5e-4) return null;
  return { factor, text: `analytic = ${scaleText(factor)} × numeric along every direction` };
}
