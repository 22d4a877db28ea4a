/**
 * One op's backward rule checked on its own, at given inputs: with s(x₁…x_k) = ⟨r, f(x₁…x_k)⟩
 * for a cotangent r (seeded random by default), the op's backward(r) is compared with central
 * differences of s for every element of every input that takes a gradient. Works on copies, so
 * the caller's tensors are never touched.
 */
import type { Attrs, Op } from '../core/op.js';
import { inputName } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { createRandom } from '../core/random.js';
import { methodOf, type MethodName, type MethodOverrides } from './methods.js';
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
  const { attrs } = options;
  const method = methodOf(options.method, options);
  const xs = inputs.map(copyTensor);
  const output = op.forward(xs, attrs);
  const r = options.cotangent ?? randomLike(output, options.seed ?? 0);
  const s = () => {
    const y = op.forward(xs, attrs).data;
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += r.data[i] * y[i];
    return sum;
  };
  const grads = op.backward(xs, output, r, attrs);
  return xs.map((x, k): OpInputResult => {
    const name = inputName(op.inputs[k]);
    const g = grads[k];
    if (!g) return { name, difference: null, verdict: 'none', analytic: null, numeric: null };
    const numeric = new Float64Array(x.data.length);
    for (let i = 0; i < numeric.length; i++) {
      const theta = x.data[i];
      const h = method.step(theta);
      x.data[i] = theta + h;
      const plus = s();
      x.data[i] = theta - h;
      const minus = s();
      x.data[i] = theta;
      numeric[i] = method.derivative(plus, minus, theta, h);
    }
    const difference = relativeDifference(g.data, numeric);
    return { name, difference, verdict: difference < method.threshold ? 'pass' : 'fail', analytic: g.data, numeric };
  });
}

function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
