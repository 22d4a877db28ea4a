/**
 * Reverse-mode backward: from d(objective)/d(objective) = 1, each node's local backward rule in
 * reverse topological order, gradients summed where a value feeds several nodes. Every local
 * gradient is checked (count, shape, finiteness) and a bad one names the node, op and input.
 */
import { errors } from '../core/messages.js';
import { inputName } from '../core/op.js';
import { filled, sameShape, zeros, type Tensor } from '../core/tensor.js';
import type { Plan, PlanNode } from './plan.js';
import type { ForwardResult, NonFinite } from './forward.js';
import { nodeError, watchInputs } from './call-op.js';
import { f64 } from '../core/alloc.js';

/** Gradients of the objective by slot; undefined where nothing flows (no path to the objective) and for inputs. */
export type Gradients = (Tensor | undefined)[];

export interface BackwardOptions {
  /** Watch each rule for writes into its arguments (the first pass of a check does). */
  guard?: boolean;
}

export function backward(plan: Plan, forward: ForwardResult, options: BackwardOptions = {}): Gradients {
  const { values } = forward;
  const grads: Gradients = new Array(values.length);
  grads[plan.objective] = filled(values[plan.objective].shape, 1);
  for (let n = plan.nodes.length - 1; n >= 0; n--) {
    const node = plan.nodes[n];
    const gradOut = grads[node.slot];
    if (!gradOut) continue;
    const inputs = node.args.map((s) => values[s]);
    const output = values[node.slot];
    let local: unknown;
    try {
      // (A built-in, or any op unguarded, is called as it is: no closures, once per node of every check.)
      local = options.guard && !node.builtin ? watchInputs(node, 'backward', [...inputs, output, gradOut], () => node.op.backward(inputs, output, gradOut, node.attrs, node.needs)) : node.op.backward(inputs, output, gradOut, node.attrs, node.needs);
    } catch (e) {
      nodeError(node, 'backward', e);
    }
    checkLocalGradients(node, local, inputs, forward.nonFinite);
    for (let arg = 0; arg < local.length; arg++) {
      const g = local[arg];
      const slot = node.args[arg];
      // An input's gradient is of no use to a check, and it is as large as the data.
      if (g === null || plan.leaves[slot]?.kind === 'input') continue;
      grads[slot] = accumulate(grads[slot], g);
    }
  }
  return grads;
}

/**
 * What a backward rule returned, checked: one gradient (or null) per input, each a finite tensor
 * of that input's shape. The error names the node, the op and the input.
 */
export function checkLocalGradients(node: Pick<PlanNode, 'id' | 'op'>, local: unknown, inputs: readonly Tensor[], nonFinite: NonFinite | null): asserts local is (Tensor | null)[] {
  if (!Array.isArray(local) || local.length !== inputs.length) return errors.gradientCount(node.id, node.op.name, local, inputs.length);
  for (let arg = 0; arg < local.length; arg++) {
    const g: unknown = local[arg];
    if (g === null) continue;
    const name = inputName(node.op.inputs[arg]);
    const input = inputs[arg];
    const t = g as Tensor;
    if (typeof t !== 'object' || t === null || !(t.data instanceof Float64Array) || !Array.isArray(t.shape)) {
      errors.gradientShape(node.id, node.op.name, name, arg, undefined, input.shape);
    }
    if (!sameShape(t.shape, input.shape) || t.data.length !== input.data.length) {
      errors.gradientShape(node.id, node.op.name, name, arg, t.shape, input.shape);
    }
    for (let k = 0; k < t.data.length; k++) {
      if (!Number.isFinite(t.data[k])) errors.gradientNotFinite(node.id, node.op.name, name, arg, k, t.data[k], nonFinite);
    }
  }
}

/** a + g as a new tensor (never written into: either may be an op's own array). */
function accumulate(a: Tensor | undefined, g: Tensor): Tensor {
  if (!a) return g;
  const data = f64(a.data.length);
  for (let k = 0; k < data.length; k++) data[k] = a.data[k] + g.data[k];
  return { shape: [...a.shape], data };
}

/** The gradient of each param, zeros where no path reaches the objective. */
export function paramGradients(plan: Plan, grads: Gradients): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  plan.leaves.forEach((leaf, slot) => {
    if (leaf.kind === 'param') out.set(leaf.name, grads[slot] ?? zeros(leaf.value.shape));
  });
  return out;
}
