/**
 * One op's backward rule checked on its own, at given inputs: with s(x₁…x_k) = ⟨r, f(x₁…x_k)⟩
 * for a cotangent r, the op's backward(r) is compared with central differences of s for every
 * element of every input that takes a gradient. Several cotangents share one pass over the
 * perturbations. Works on copies, so the caller's tensors are never touched.
 */
import type { Attrs, Op } from '../core/op.js';
import { inputName } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { createRandom } from '../core/random.js';
import { methodOf, type Method, type MethodName, type MethodOverrides } from './methods.js';
import { relativeDifference } from './norms.js';
import { ElementJudge } from './element-judge.js';

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
  return checkOpWith(op, inputs, [r], method, options.attrs)[0];
}

/**
 * Results per cotangent, then per input. `run` wraps each call of a rule (to name the node).
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
): OpInputResult[][] {
  const xs = inputs.map(copyTensor);
  const output = run('forward', () => op.forward(xs, attrs));
  const grads = cotangents.map((r) => run('backward', () => op.backward(xs, output, r, attrs)));
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
    const out = cotangents.map(() => new Float64Array(x.data.length));
    const judges = method.judged ? cotangents.map((_r, c) => new ElementJudge(x.data.length, base[c])) : null;
    const at = (i: number, value: number) => {
      const theta = x.data[i];
      x.data[i] = value;
      const values = s();
      x.data[i] = theta;
      return values;
    };
    for (let i = 0; i < x.data.length; i++) {
      const theta = x.data[i];
      const h = method.step(theta);
      const plus = at(i, theta + h);
      const minus = at(i, theta - h);
      out.forEach((o, c) => {
        const a = grads[c][k]?.data[i] ?? 0;
        o[i] = judges ? judges[c].first(i, a, theta, h, plus[c], minus[c]) : method.derivative(plus[c], minus[c], theta, h);
      });
    }
    // The second pass, at h/2, for the elements any cotangent could not settle.
    const refine = new Set(judges?.flatMap((j) => j.toRefine()));
    for (const i of refine) {
      const theta = x.data[i];
      const half = method.step(theta) / 2;
      const plus = at(i, theta + half);
      const minus = at(i, theta - half);
      judges!.forEach((j, c) => {
        if (j.status[i] === 0) out[c][i] = j.second(i, grads[c][k]?.data[i] ?? 0, theta, half, plus[c], minus[c]);
      });
    }
    return { out, judges, evaluations: 2 * x.data.length + 2 * refine.size };
  });
  return cotangents.map((_r, c) =>
    xs.map((_x, k): OpInputResult => {
      const name = inputName(op.inputs[k]);
      const returnedNull = !grads[c][k];
      const g = grads[c][k] ?? (required[k] ? { shape: inputs[k].shape, data: new Float64Array(inputs[k].data.length) } : null);
      const n = numeric[k]?.out[c];
      if (!g || !n) return { name, difference: null, verdict: 'none', analytic: null, numeric: null };
      const difference = relativeDifference(g.data, n);
      const judge = numeric[k]?.judges?.[c];
      const failing = judge ? judge.count('fail') > 0 : !(difference < method.threshold);
      const judged = judge && { failing: judge.count('fail'), nondifferentiable: judge.count('nondifferentiable'), margin: judge.margin };
      return { name, difference, verdict: failing ? 'fail' : 'pass', analytic: g.data, numeric: n, ...judged, ...(returnedNull ? { returnedNull } : {}) };
    }),
  );
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
