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
import { directionsOf, elementsOf } from './coordinates.js';
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
  return checkOpWith(op, inputs, [r], method, options.attrs).results[0];
}

/**
 * Results per cotangent, then per input, and the evaluations of the op they took. `run` wraps each call of a rule (to name the node).
 * Where `required[k]` is set, a null gradient for input k is taken as zeros and checked (the
 * input depends on a param, so it is not a label and must pass its gradient on).
 *
 * The op works on copies of `inputs`, so not even a rule that writes into its arguments can
 * change the caller's tensors (the params, in a node check); the caller's tensors hold the
 * values to put back. With `trusted` (a built-in op, whose rules never write into their
 * arguments), the op is given the caller's tensors, and only the input being moved is copied,
 * while it is moved: on a large model that saves a copy of every input. An input checked along
 * directions keeps one number per direction of each cotangent's gradient, which is let go before
 * the next cotangent's is made.
 */
export function checkOpWith(
  op: Op,
  inputs: readonly Tensor[],
  cotangents: readonly Tensor[],
  method: Method,
  attrs?: Attrs,
  run: <T>(phase: 'forward' | 'backward', f: () => T) => T = (_p, f) => f(),
  required: readonly boolean[] = [],
  byElements: (size: number, perEvaluation: number) => boolean = () => true,
  name = op.name,
  trusted = false,
): { results: OpInputResult[][]; evaluations: number } {
  const xs = trusted ? inputs.slice() : inputs.map(copyTensor);
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
  // Coordinates to differentiate along: each element, or for a large input a few directions.
  // (The budget reads what a whole forward costs, though an op with an incremental rule then
  // moves each element for much less: the safe side of a budget, and the same choices as a
  // check of the same op without one.)
  const coords = inputs.map((x, k) => (byElements(x.data.length, perEvaluation) ? elementsOf(x.data, method) : directionsOf(x.data, method, k)));
  // analytic[c][k]: the derivative along each coordinate of input k, from cotangent c's gradient; null when the rule gave none.
  const analytic = cotangents.map((r) => {
    const local = run('backward', () => op.backward(xs, output, r, attrs));
    checkLocalGradients({ id: name, op }, local, xs, null);
    return local.map((g, k) => (g ? coords[k].analytic(g.data) : null));
  });
  const numeric = inputs.map((input, k) => {
    if (analytic.every((a) => !a[k]) && !required[k]) return null;
    const coord = coords[k];
    const at = (c: number, i: number) => analytic[c][k]?.[i] ?? 0;
    const out = cotangents.map(() => new Float64Array(coord.count));
    const judges = method.judged ? cotangents.map((_r, c) => new ElementJudge(coord.count, base[c], method.threshold)) : null;
    // Moves go into a copy of the input (made for its turn when the op is trusted with the
    // caller's tensors); the caller's input holds the values to put back.
    const moved = trusted ? copyTensor(input) : xs[k];
    xs[k] = moved;
    const evaluate = (i: number, offset: number) => {
      coord.move(moved.data, i, offset);
      try {
        return coord.byDirections ? evaluator.whole() : evaluator.element(k, i, moved.data[i] - input.data[i]);
      } finally {
        coord.restore(moved.data, i);
      }
    };
    for (let i = 0; i < coord.count; i++) {
      const [theta, h] = [coord.theta(i), coord.step(i)];
      const plus = evaluate(i, h);
      const minus = evaluate(i, -h);
      out.forEach((o, c) => {
        o[i] = judges ? judges[c].first(i, at(c, i), theta, h, plus[c], minus[c]) : method.derivative(plus[c], minus[c], theta, h);
      });
    }
    // The passes after the first, at h/2 (and h/16, h/32 for failures near a kink), for the
    // coordinates any cotangent has not settled.
    let refined = 0;
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
      refined += refine.size;
    }
    if (trusted) xs[k] = input;
    return { out, judges, evaluations: 2 * coord.count + 2 * refined };
  });
  const evaluations = numeric.reduce((n, r) => n + (r?.evaluations ?? 0), 0);
  const results = cotangents.map((_r, c) =>
    inputs.map((_x, k): OpInputResult => {
      const name = inputName(op.inputs[k]);
      const returnedNull = !analytic[c][k];
      const a = analytic[c][k] ?? (required[k] ? new Float64Array(coords[k].count) : null);
      const n = numeric[k]?.out[c];
      if (!a || !n) return { name, difference: null, verdict: 'none', analytic: null, numeric: null };
      const difference = relativeDifference(a, n);
      const judge = numeric[k]?.judges?.[c];
      const failing = judge ? judge.count('fail') > 0 : !(difference < method.threshold);
      const judged = judge && { failing: judge.count('fail'), nondifferentiable: judge.count('nondifferentiable'), margin: judge.margin };
      const directions = coords[k].byDirections ? { directions: coords[k].count } : {};
      return { name, difference, verdict: failing ? 'fail' : 'pass', analytic: own(a), numeric: own(n), ...judged, ...directions, ...(returnedNull ? { returnedNull } : {}) };
    }),
  );
  return { results, evaluations };
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
