/**
 * The walk of a node check (check-nodes.ts) and of an op check (check-op.ts) over an op's inputs:
 * for each input, the rule's gradient for every cotangent against central differences of
 * s_c(x) = ⟨r_c, f(x)⟩ along each element (or, for a large input, a few random directions),
 * judged element by element for method auto.
 */
import type { Attrs, Op } from '../core/op.js';
import { inputName } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { own } from '../core/alloc.js';
import { fingerprint } from '../core/fingerprint.js';
import { errors } from '../core/messages.js';
import type { Method } from './methods.js';
import { relativeDifference } from './norms.js';
import { ElementJudge, OK, REFINEMENTS } from './element-judge.js';
import { checkLocalGradients } from '../engine/backward.js';
import { directionsOf, elementsOf, type Coordinates } from './coordinates.js';
import { DIRECTIONS, resolves } from './directional.js';
import { deriveSeed } from '../core/random.js';
import { hasBuiltinForward } from '../ops/index.js';
import { opEvaluator } from './op-evaluation.js';
import type { OpInputResult } from './check-op.js';

/** How a node check calls an op (check-nodes.ts); a plain op check needs none of it. */
export interface OpCheckContext {
  attrs?: Attrs;
  /** Wraps each call of a rule (to name the node). */
  run?: <T>(phase: 'forward' | 'backward', f: () => T) => T;
  /**
   * Where `required[k]` is set, a null gradient for input k is taken as zeros and checked (the
   * input depends on a param, so it is not a label and must pass its gradient on).
   */
  required?: readonly boolean[];
  /** Whether an input of `size` elements, at `perEvaluation` seconds an evaluation, is checked element by element (else along directions). */
  byElements?: (size: number, perEvaluation: number) => boolean;
  /** The name errors give (the node's id). */
  name?: string;
  /** A built-in op, whose rules never write into their arguments. */
  trusted?: boolean;
  /**
   * Method auto: screen each input of more than SCREEN_ABOVE elements along a few random
   * directions first, and check its elements only where the directions do not settle it.
   */
  screen?: boolean;
  /** Seed of the random directions an input is checked along (a node check's own: CheckOptions.seed and the node). */
  seed?: number;
}

/**
 * Inputs of at most this many elements go straight to their elements: screening them would save
 * at most 2n − 2 × DIRECTIONS evaluations, and cost those again wherever it does not settle.
 */
export const SCREEN_ABOVE = 4 * DIRECTIONS;

/**
 * Checks the op's backward rule input by input, handing each input's results (one per
 * cotangent) to `take` as its check ends, and returns the evaluations of the op used. What a
 * result holds is the taker's to keep or drop: a node check keeps a summary, so only one input's
 * gradients and estimates are alive at a time (on a dense layer checked element by element,
 * holding every input's for every cotangent made the node check 2-3 times the model's size).
 *
 * The caller's tensors are never changed. A rule that may write into its arguments is given
 * copies: the backward rule of any op but a built-in, copies made for each call; the forward
 * rule of a user op that does not borrow a built-in's forward (ops/index.ts), copies made once.
 * Else the rules read the caller's tensors, and only the input being moved is copied, for its
 * turn (the caller's input holds the values to put back). An input checked along directions
 * keeps one number per direction of each cotangent's gradient.
 *
 * With `screen`, an input of more than SCREEN_ABOVE elements is checked along DIRECTIONS random
 * directions first (directional.ts says why 3 miss a wrong rule with negligible chance), and its
 * elements only when a direction fails, meets a kink or is unresolved: elements only inside what fails, to say
 * which are wrong. On MLP 100-32-16-1, localising the seed's bug then checks 3 directions of the
 * first layer's 3,200-element X and W where it checked every element.
 */
export function checkOpInputs(op: Op, inputs: readonly Tensor[], cotangents: readonly Tensor[], method: Method, context: OpCheckContext, take: (k: number, results: OpInputResult[]) => void): number {
  const { attrs, run = (_p, f) => f(), required = [], byElements = () => true, name = op.name, trusted = false, screen = false, seed = 0 } = context;
  const forwardTrusted = trusted || hasBuiltinForward(op);
  const xs = forwardTrusted ? inputs.slice() : inputs.map(copyTensor);
  // Two evaluations, timed: what one costs decides, with the input's size, whether it is checked
  // element by element (the larger time: a single time of a fast op is noisy, and directions are
  // the safe side of a budget).
  let started = performance.now();
  const output = run('forward', () => op.forward(xs, attrs));
  const first = performance.now() - started;
  const evaluator = opEvaluator(op, xs, output, cotangents, attrs, run);
  started = performance.now();
  const base = evaluator.whole();
  const perEvaluation = Math.max(first, performance.now() - started) / 1000;
  // The derivative along each of input k's coordinates, from each cotangent's gradient (null
  // where the rule gives none): a backward call per cotangent, of which input k's gradient alone
  // is kept.
  // A user's rule gets copies of the inputs, but the output and the cotangent, which the check
  // reads on (each evaluation's dot products, the output put back after each incremental one),
  // are the check's own: a rule that wrote into them would skew every estimate after it (a
  // test: a wrong rule then passed, its estimates read as a kink). It is caught by a
  // fingerprint of each, taken around the call, instead of copies, which on a wide layer would
  // add to the check's peak.
  const analyticOf = (k: number, coord: Coordinates) =>
    cotangents.map((r) => {
      const args = trusted ? xs : xs.map(copyTensor);
      const before = trusted ? null : [fingerprint(output.data), fingerprint(r.data)];
      const local = run('backward', () => op.backward(args, output, r, attrs));
      if (before && before[0] !== fingerprint(output.data)) errors.mutatedInput(name, op.name, 'output', xs.length, 'backward');
      if (before && before[1] !== fingerprint(r.data)) errors.mutatedInput(name, op.name, 'gradOutput', xs.length + 1, 'backward');
      checkLocalGradients({ id: name, op }, local, args, null);
      return local[k] ? coord.analytic(local[k]!.data) : null;
    });
  // Input k's result where there is nothing to check (no gradient, none required).
  const noneFor = (k: number): OpInputResult => ({ name: inputName(op.inputs[k]), difference: null, verdict: 'none', analytic: null, numeric: null });
  // Input k's estimates along `coord`, and its results (one per cotangent); null when the rule
  // gives the input no gradient and none is required (a label's).
  const along = (k: number, coord: Coordinates): { results: OpInputResult[]; evaluations: number } | null => {
    const input = inputs[k];
    const analytic = analyticOf(k, coord);
    if (analytic.every((a) => !a) && !required[k]) return null;
    const at = (c: number, i: number) => analytic[c]?.[i] ?? 0;
    const out = cotangents.map(() => new Float64Array(coord.count));
    // (None for a cotangent under which the input has nothing to check: its estimates go unjudged.)
    const judges = method.judged ? cotangents.map((_r, c) => (analytic[c] || required[k] ? new ElementJudge(coord.count, base[c], method.threshold) : null)) : null;
    // Moves go into a copy of the input (made for its turn when the rules read the caller's
    // tensors); the caller's input holds the values to put back.
    const moved = forwardTrusted ? copyTensor(input) : xs[k];
    xs[k] = moved;
    let evaluations = 0;
    // Per cotangent, directions accepted that could not have seen an error (directional.ts,
    // resolves); nothing to count for elements, whose loop then calls nothing more.
    const unresolved = cotangents.map(() => 0);
    const resolution = coord.byDirections
      ? (c: number, i: number, step: number, plus: number, minus: number) => {
          if (judges?.[c]?.status[i] === OK && !resolves(at(c, i), step, base[c], plus, minus)) unresolved[c]++;
        }
      : null;
    const evaluate = (i: number, offset: number) => {
      coord.move(moved.data, i, offset);
      try {
        return coord.byDirections ? evaluator.whole() : evaluator.element(k, i, moved.data[i] - input.data[i]);
      } finally {
        coord.restore(moved.data, i);
      }
    };
    try {
      for (let i = 0; i < coord.count; i++) {
        const [theta, h] = [coord.theta(i), coord.step(i)];
        const plus = evaluate(i, h);
        const minus = evaluate(i, -h);
        out.forEach((o, c) => {
          const judge = judges?.[c];
          o[i] = judge ? judge.first(i, at(c, i), theta, h, plus[c], minus[c]) : method.derivative(plus[c], minus[c], theta, h);
          resolution?.(c, i, h, plus[c], minus[c]);
        });
      }
      evaluations += 2 * coord.count;
      // The passes after the first, at h/2 (and h/16, h/32 for failures near a kink), for the
      // coordinates any cotangent has not settled.
      for (const fraction of REFINEMENTS) {
        const refine = new Set(judges?.flatMap((j) => j?.toRefine() ?? []));
        for (const i of refine) {
          const [theta, step] = [coord.theta(i), coord.step(i) * fraction];
          const plus = evaluate(i, step);
          const minus = evaluate(i, -step);
          judges!.forEach((j, c) => {
            if (!j || j.status[i] !== 0) return;
            out[c][i] = j.refine(i, at(c, i), theta, step, plus[c], minus[c]);
            resolution?.(c, i, step, plus[c], minus[c]);
          });
        }
        evaluations += 2 * refine.size;
      }
    } finally {
      if (forwardTrusted) xs[k] = input;
    }
    const label = inputName(op.inputs[k]);
    const results = cotangents.map((_r, c): OpInputResult => {
      // (A rule may give an input that needs no gradient one under some cotangents only: there
      // it has none to check.)
      if (!analytic[c] && !required[k]) return noneFor(k);
      const returnedNull = !analytic[c];
      const a = analytic[c] ?? new Float64Array(coord.count);
      const n = out[c];
      const difference = relativeDifference(a, n);
      const judge = judges?.[c];
      const failing = judge ? judge.count('fail') > 0 : !(difference < method.threshold);
      const judged = judge && { failing: judge.count('fail'), nondifferentiable: judge.count('nondifferentiable'), margin: judge.margin };
      const directions = coord.byDirections ? { directions: coord.count, unresolved: unresolved[c] } : {};
      return { name: label, difference, verdict: failing ? 'fail' : 'pass', analytic: own(a), numeric: own(n), ...judged, ...directions, ...(returnedNull ? { returnedNull } : {}) };
    });
    return { results, evaluations };
  };
  const none = (k: number) => cotangents.map(() => noneFor(k));
  // Every direction within its error bound for every cotangent that gives the input a gradient,
  // none at a kink, none unresolved.
  const settled = (r: { results: OpInputResult[] }) => r.results.every((x) => x.verdict === 'none' || (x.verdict === 'pass' && x.nondifferentiable === 0 && !x.unresolved));
  // Input k's check, to its results handed to `take`; it returns the evaluations it used. (A
  // function of its own, so that its arrays go with its frame: the interpreter's registers
  // keep a loop body's last values alive into the next turn.)
  const checkInput = (k: number): number => {
    const { data } = inputs[k];
    // Coordinates to differentiate along: each element, or for a large input a few directions.
    // (The budget reads what a whole forward costs, though an op with an incremental rule then
    // moves each element for much less: the safe side of a budget, and the same choices as a
    // check of the same op without one.)
    const elements = byElements(data.length, perEvaluation);
    let screening = 0;
    if (screen && method.judged && elements && data.length > SCREEN_ABOVE) {
      const screened = along(k, directionsOf(data, method, deriveSeed(seed, k)));
      if (!screened || settled(screened)) {
        take(k, screened?.results ?? none(k));
        return screened?.evaluations ?? 0;
      }
      screening = screened.evaluations;
    }
    const checked = along(k, elements ? elementsOf(data, method) : directionsOf(data, method, deriveSeed(seed, k)));
    take(k, checked?.results ?? none(k));
    return screening + (checked?.evaluations ?? 0);
  };
  let evaluations = 0;
  for (let k = 0; k < inputs.length; k++) evaluations += checkInput(k);
  return evaluations;
}
