/**
 * One op's backward rule checked on its own, at given inputs: with s(x₁…x_k) = ⟨r, f(x₁…x_k)⟩
 * for a cotangent r, the op's backward(r) is compared with central differences of s for every
 * element of every input that takes a gradient. Several cotangents share one pass over the
 * perturbations. The op works on copies, so the caller's tensors are never touched.
 */
import type { Attrs, Op } from '../core/op.js';
import { inputName } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { own } from '../core/alloc.js';
import { createRandom } from '../core/random.js';
import { methodOf, type Method, type MethodName, type MethodOverrides } from './methods.js';
import { relativeDifference } from './norms.js';
import { ElementJudge, REFINEMENTS } from './element-judge.js';
import { checkLocalGradients } from '../engine/backward.js';
import { directionsOf, elementsOf, type Coordinates } from './coordinates.js';
import { hasBuiltinForward } from '../ops/index.js';
import { opEvaluator } from './op-evaluation.js';

export interface OpCheckOptions extends MethodOverrides {
  method?: MethodName;
  attrs?: Attrs;
  /** The cotangent r; by default a standard normal tensor from `seed`. */
  cotangent?: Tensor;
  seed?: number;
}

export interface OpInputResult {
  name: string;
  /** null when the rule returns no gradient for this input (labels). */
  difference: number | null;
  verdict: 'pass' | 'fail' | 'none';
  analytic: Float64Array | null;
  numeric: Float64Array | null;
  /** Set when the input was too large to check element by element: the directions used instead (analytic and numeric then hold one value per direction). */
  directions?: number;
  /** True when the rule returned null for this input, which was then checked as zeros. */
  returnedNull?: boolean;
  /** Method auto: elements outside their error bound, elements at a kink, and the closest call. */
  failing?: number;
  nondifferentiable?: number;
  margin?: number;
}

export function checkOp(op: Op, inputs: readonly Tensor[], options: OpCheckOptions = {}): OpInputResult[] {
  const method = methodOf(options.method, options);
  // The op is given copies, so even a rule that writes into its inputs cannot touch the caller's.
  const r = options.cotangent ?? randomLike(op.forward(inputs.map(copyTensor), options.attrs), options.seed ?? 0);
  return checkOpWith(op, inputs, [r], method, { attrs: options.attrs }).results[0];
}

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
}

/** Results per cotangent, then per input, and the evaluations of the op they took (checkOpInputs, collected). */
export function checkOpWith(op: Op, inputs: readonly Tensor[], cotangents: readonly Tensor[], method: Method, context: OpCheckContext = {}): { results: OpInputResult[][]; evaluations: number } {
  const results: OpInputResult[][] = cotangents.map(() => []);
  const evaluations = checkOpInputs(op, inputs, cotangents, method, context, (k, byCotangent) => byCotangent.forEach((r, c) => (results[c][k] = r)));
  return { results, evaluations };
}

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
 */
export function checkOpInputs(op: Op, inputs: readonly Tensor[], cotangents: readonly Tensor[], method: Method, context: OpCheckContext, take: (k: number, results: OpInputResult[]) => void): number {
  const { attrs, run = (_p, f) => f(), required = [], byElements = () => true, name = op.name, trusted = false } = context;
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
  const analyticOf = (k: number, coord: Coordinates) =>
    cotangents.map((r) => {
      const args = trusted ? xs : xs.map(copyTensor);
      const local = run('backward', () => op.backward(args, output, r, attrs));
      checkLocalGradients({ id: name, op }, local, args, null);
      return local[k] ? coord.analytic(local[k]!.data) : null;
    });
  // Input k's check, to its results handed to `take`; it returns the evaluations it used. (A
  // function of its own, so that its arrays go with its frame: the interpreter's registers
  // keep a loop body's last values alive into the next turn.)
  const checkInput = (k: number): number => {
    const input = inputs[k];
    // Coordinates to differentiate along: each element, or for a large input a few directions.
    // (The budget reads what a whole forward costs, though an op with an incremental rule then
    // moves each element for much less: the safe side of a budget, and the same choices as a
    // check of the same op without one.)
    const coord = byElements(input.data.length, perEvaluation) ? elementsOf(input.data, method) : directionsOf(input.data, method, k);
    const analytic = analyticOf(k, coord);
    const label = inputName(op.inputs[k]);
    if (analytic.every((a) => !a) && !required[k]) {
      take(k, cotangents.map(() => ({ name: label, difference: null, verdict: 'none', analytic: null, numeric: null })));
      return 0;
    }
    const at = (c: number, i: number) => analytic[c]?.[i] ?? 0;
    const out = cotangents.map(() => new Float64Array(coord.count));
    const judges = method.judged ? cotangents.map((_r, c) => new ElementJudge(coord.count, base[c], method.threshold)) : null;
    // Moves go into a copy of the input (made for its turn when the rules read the caller's
    // tensors); the caller's input holds the values to put back.
    const moved = forwardTrusted ? copyTensor(input) : xs[k];
    xs[k] = moved;
    let evaluations = 0;
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
          o[i] = judges ? judges[c].first(i, at(c, i), theta, h, plus[c], minus[c]) : method.derivative(plus[c], minus[c], theta, h);
        });
      }
      evaluations += 2 * coord.count;
      // The passes after the first, at h/2 (and h/16, h/32 for failures near a kink), for the
      // coordinates any cotangent has not settled.
      for (const fraction of REFINEMENTS) {
        const refine = new Set(judges?.flatMap((j) => j.toRefine()));
        for (const i of refine) {
          const [theta, step] = [coord.theta(i), coord.step(i) * fraction];
          const plus = evaluate(i, step);
          const minus = evaluate(i, -step);
          judges!.forEach((j, c) => {
            if (j.status[i] === 0) out[c][i] = j.refine(i, at(c, i), theta, step, plus[c], minus[c]);
          });
        }
        evaluations += 2 * refine.size;
      }
    } finally {
      if (forwardTrusted) xs[k] = input;
    }
    take(
      k,
      cotangents.map((_r, c): OpInputResult => {
        const returnedNull = !analytic[c];
        const a = analytic[c] ?? new Float64Array(coord.count);
        const n = out[c];
        const difference = relativeDifference(a, n);
        const judge = judges?.[c];
        const failing = judge ? judge.count('fail') > 0 : !(difference < method.threshold);
        const judged = judge && { failing: judge.count('fail'), nondifferentiable: judge.count('nondifferentiable'), margin: judge.margin };
        const directions = coord.byDirections ? { directions: coord.count } : {};
        return { name: label, difference, verdict: failing ? 'fail' : 'pass', analytic: own(a), numeric: own(n), ...judged, ...directions, ...(returnedNull ? { returnedNull } : {}) };
      }),
    );
    return evaluations;
  };
  let evaluations = 0;
  for (let k = 0; k < inputs.length; k++) evaluations += checkInput(k);
  return evaluations;
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
