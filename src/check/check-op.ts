/**
 * One op's backward rule checked on its own, at given inputs: with s(x₁…x_k) = ⟨r, f(x₁…x_k)⟩
 * for a cotangent r, the op's backward(r) is compared with central differences of s for every
 * element of every input that takes a gradient (op-inputs.ts). Several cotangents share one pass
 * over the perturbations. The caller's tensors are never touched.
 */
import type { Attrs, Op } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { createRandom } from '../core/random.js';
import { methodOf, type Method, type MethodName, type MethodOverrides } from './methods.js';
import { checkOpInputs, type OpCheckContext } from './op-inputs.js';

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
  /**
   * Set when the input was checked along random directions (too large for its elements to fit
   * the budget, or screened and settled by them): how many; analytic and numeric then hold one
   * value per direction.
   */
  directions?: number;
  /** Along directions: how many were accepted though too little resolved to see an error (directional.ts, resolves). */
  unresolved?: number;
  /** True when the rule returned null for this input, which was then checked as zeros. */
  returnedNull?: boolean;
  /** Method auto: elements outside their error bound, elements at a kink, and the closest call. */
  failing?: number;
  nondifferentiable?: number;
  margin?: number;
}

export function checkOp(op: Op, inputs: readonly Tensor[], options: OpCheckOptions = {}): OpInputResult[] {
  const method = methodOf(options.method, options);
  // The op is given copies, so even a rule that writes into its inputs (or its cotangent) cannot
  // touch the caller's.
  const r = options.cotangent ? copyTensor(options.cotangent) : randomLike(op.forward(inputs.map(copyTensor), options.attrs), options.seed ?? 0);
  return checkOpWith(op, inputs, [r], method, { attrs: options.attrs }).results[0];
}

/** Results per cotangent, then per input, and the evaluations of the op they took (checkOpInputs, collected). */
export function checkOpWith(op: Op, inputs: readonly Tensor[], cotangents: readonly Tensor[], method: Method, context: OpCheckContext = {}): { results: OpInputResult[][]; evaluations: number } {
  const results: OpInputResult[][] = cotangents.map(() => []);
  const evaluations = checkOpInputs(op, inputs, cotangents, method, context, (k, byCotangent) => byCotangent.forEach((r, c) => (results[c][k] = r)));
  return { results, evaluations };
}

export function randomLike(t: Tensor, seed: number): Tensor {
  const random = createRandom(seed);
  return { shape: [...t.shape], data: Float64Array.from(t.data, () => random.normal()) };
}
