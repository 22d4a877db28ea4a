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
}

export function checkOp(op: Op, inputs: readonly Tensor[], options: OpCheckOptions = {}): OpInputResult[] {
  const method = methodOf(options.method, options);
  const r = options.cotangent ?? randomLike(op.forward(inputs.map(copyTensor), options.attrs), options.seed ?? 0);
  return checkOpWith(op, inputs, [r], method, options.attrs)[0];
}

/** Results per cotangent, then per input. `run` wraps each call of a rule (to name the node). */
export function checkOpWith(
  op: Op,
  inputs: readonly Tensor[],
  cotangents: readonly Tensor[],
  method: Method,
  attrs?: Attrs,
  run: <T>(phase: 'forward' | 'backward', f: () => T) => T = (_p, f) => f(),
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
  const numeric = xs.map((x, k) => {
    if (grads.every((g) => !g[k])) return null;
    const out = cotangents.map(() => new Float64Array(x.data.length));
    for (let i = 0; i < x.data.length; i++) {
      const theta = x.data[i];
      const h = method.step(theta);
      x.data[i] = theta + h;
      const plus = s();
      x.data[i] = theta - h;
      const minus = s();
      x.data[i] = theta;
      out.forEach((o, c) => (o[i] = method.derivative(plus[c], minus[c], theta, h)));
    }
    return out;
  });
  return cotangents.map((_r, c) =>
    xs.map((_x, k): OpInputResult => {
      const name = inputName(op.inputs[k]);
      const g = grads[c][k];
      const n = numeric[k]?.[c];
      if (!g || !n) return { name, difference: null, verdict: 'none', analytic: null, numeric: null };
      const difference = relativeDifference(g.data, n);
      return { name, difference, verdict: difference < method.threshold ? 'pass' : 'fail', analytic: g.data, numeric: n };
    }),
  );
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
