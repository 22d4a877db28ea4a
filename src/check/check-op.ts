/**
 * One op's backward rule checked on its own, at given inputs: with s(x₁…x_k) = ⟨r, f(x₁…x_k)⟩
 * for a cotangent r, the op's backward(r) is compared with central differences of s for every
 * element of every input that takes a gradient. Several cotangents share one pass over the
 * perturbations. Works on copies, so the caller's tensors are never touched.
 */
import type { Attrs, Op } from '../core/op.js';
import { inputName } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { createRandom, deriveSeed } from '../core/random.js';
import { methodOf, type Method, type MethodName, type MethodOverrides } from './methods.js';
import { relativeDifference } from './norms.js';
import { ElementJudge } from './element-judge.js';
import { checkLocalGradients } from '../engine/backward.js';
import { directionSeeds, drawDirection, DIRECTIONS } from './directional.js';

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
  const r = options.cotangent ?? randomLike(op.forward(inputs.map(copyTensor), options.attrs), options.seed ?? 0);
  return checkOpWith(op, inputs, [r], method, options.attrs).results[0];
}

/**
 * Results per cotangent, then per input, and the evaluations of the op they took. `run` wraps each call of a rule (to name the node).
 * Where `required[k]` is set, a null gradient for input k is taken as zeros and checked (the
 * input depends on a param, so it is not a label and must pass its gradient on).
 */
export function checkOpWith(
  op: Op,
  inputs: readonly Tensor[],
  cotangents: readonly Tensor[],
  method: Method,
  attrs?: Attrs,
  run: <T>(phase: 'forward' | 'backward', f: () => T) => T = (_p, f) => f(),
  required: readonly boolean[] = [],
  byElements: (size: number) => boolean = () => true,
  name = op.name,
): { results: OpInputResult[][]; evaluations: number } {
  const xs = inputs.map(copyTensor);
  const output = run('forward', () => op.forward(xs, attrs));
  const grads = cotangents.map((r) => {
    const local = run('backward', () => op.backward(xs, output, r, attrs));
    checkLocalGradients({ id: name, op }, local, xs, null);
    return local;
  });
  // s_c(x) = ⟨r_c, f(x)⟩ for every cotangent c, from one forward evaluation.
  const s = (): Float64Array => {
    const y = run('forward', () => op.forward(xs, attrs)).data;
    return Float64Array.from(cotangents, (r) => {
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += r.data[i] * y[i];
      return sum;
    });
  };
  const base = s();
  const numeric = xs.map((x, k) => {
    if (grads.every((g) => !g[k]) && !required[k]) return null;
    // Coordinates to differentiate along: each element, or for a large input a few directions.
    // Moves go into the copy x; the caller's inputs[k], never written, holds the values to put back.
    const coords = byElements(x.data.length) ? elementsOf(x, inputs[k].data, method) : directionsOf(x, inputs[k].data, method, k);
    const analytic = (c: number, i: number) => {
      const g = grads[c][k];
      return g ? coords.analytic(g.data, i) : 0;
    };
    const out = cotangents.map(() => new Float64Array(coords.count));
    const judges = method.judged ? cotangents.map((_r, c) => new ElementJudge(coords.count, base[c], method.threshold)) : null;
    const at = (i: number, offset: number) => {
      coords.move(i, offset);
      const values = s();
      coords.restore(i);
      return values;
    };
    for (let i = 0; i < coords.count; i++) {
      const [theta, h] = [coords.theta(i), coords.step(i)];
      const plus = at(i, h);
      const minus = at(i, -h);
      out.forEach((o, c) => {
        o[i] = judges ? judges[c].first(i, analytic(c, i), theta, h, plus[c], minus[c]) : method.derivative(plus[c], minus[c], theta, h);
      });
    }
    // The second pass, at h/2, for the coordinates any cotangent could not settle.
    const refine = new Set(judges?.flatMap((j) => j.toRefine()));
    for (const i of refine) {
      const [theta, half] = [coords.theta(i), coords.step(i) / 2];
      const plus = at(i, half);
      const minus = at(i, -half);
      judges!.forEach((j, c) => {
        if (j.status[i] === 0) out[c][i] = j.second(i, analytic(c, i), theta, half, plus[c], minus[c]);
      });
    }
    return { out, judges, coords, evaluations: 2 * coords.count + 2 * refine.size };
  });
  const evaluations = numeric.reduce((n, r) => n + (r?.evaluations ?? 0), 0);
  const results = cotangents.map((_r, c) =>
    xs.map((_x, k): OpInputResult => {
      const name = inputName(op.inputs[k]);
      const returnedNull = !grads[c][k];
      const full = grads[c][k] ?? (required[k] ? { shape: inputs[k].shape, data: new Float64Array(inputs[k].data.length) } : null);
      const n = numeric[k]?.out[c];
      if (!full || !n) return { name, difference: null, verdict: 'none', analytic: null, numeric: null };
      const { coords } = numeric[k]!;
      const g = coords.byDirections ? { data: Float64Array.from({ length: coords.count }, (_v, i) => coords.analytic(full.data, i)) } : full;
      const difference = relativeDifference(g.data, n);
      const judge = numeric[k]?.judges?.[c];
      const failing = judge ? judge.count('fail') > 0 : !(difference < method.threshold);
      const judged = judge && { failing: judge.count('fail'), nondifferentiable: judge.count('nondifferentiable'), margin: judge.margin };
      const directions = coords.byDirections ? { directions: coords.count } : {};
      return { name, difference, verdict: failing ? 'fail' : 'pass', analytic: g.data, numeric: n, ...judged, ...directions, ...(returnedNull ? { returnedNull } : {}) };
    }),
  );
  return { results, evaluations };
}

/** Ways to move an input: along each element, or along seeded random directions. */
interface Coordinates {
  count: number;
  byDirections: boolean;
  /** The coordinate's value now (an element's value; 0 along a direction) and its step. */
  theta(i: number): number;
  step(i: number): number;
  move(i: number, offset: number): void;
  restore(i: number): void;
  /** The analytic derivative along coordinate i, from the input's gradient. */
  analytic(g: Float64Array, i: number): number;
}

function elementsOf(x: Tensor, original: Float64Array, method: Method): Coordinates {
  return {
    count: x.data.length,
    byDirections: false,
    theta: (i) => original[i],
    step: (i) => method.step(original[i]),
    move: (i, offset) => (x.data[i] = original[i] + offset),
    restore: (i) => (x.data[i] = original[i]),
    analytic: (g, i) => g[i],
  };
}

function directionsOf(x: Tensor, original: Float64Array, method: Method, seed: number): Coordinates {
  const target = { name: 'x', data: original, analytic: original };
  const seeds = directionSeeds(DIRECTIONS, deriveSeed(seed, 7));
  // Closure state: the last direction made. Each is made again from its seed when needed rather
  // than held, as it is as large as the input.
  const none: { i: number; v: Float64Array } = { i: -1, v: new Float64Array(0) };
  let last = none;
  const direction = (i: number) => {
    if (last.i !== i) {
      last = none; // let the old vector go before the new one is made
      last = { i, v: drawDirection([target], seeds[i]).get('x')! };
    }
    return last.v;
  };
  return {
    count: seeds.length,
    byDirections: true,
    theta: () => 0,
    step: () => method.step(0),
    move: (i, offset) => direction(i).forEach((v, e) => (x.data[e] = original[e] + offset * v)),
    restore: () => x.data.set(original),
    analytic: (g, i) => direction(i).reduce((sum, v, e) => sum + v * g[e], 0),
  };
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
