/**
 * The forward pass: each node's value from its arguments', in topological order, kept in a
 * slot array (leaves first). A replay runs only the nodes a perturbation reaches, over the
 * baseline slots, so the values of everything upstream are reused, not recomputed.
 */
import { errors } from '../core/messages.js';
import { sameShape, sizeOf, type Tensor } from '../core/tensor.js';
import type { Plan, PlanNode } from './plan.js';
import { nodeError, watchInputs } from './call-op.js';
import { f64 } from '../core/alloc.js';

export type Values = Tensor[];

/** Where the forward pass first produced NaN or ±Infinity, if it did. */
export interface NonFinite {
  node: string;
  index: number;
  value: number;
}

export interface ForwardResult {
  values: Values;
  /** Seconds each node's forward took, by slot (0 for leaves): what a replay of it may cost. */
  seconds: Float64Array;
  /** The first non-finite value, in topological order; kept for diagnoses. */
  nonFinite: NonFinite | null;
}

/** The leaves' current tensors, one per leaf slot, with room for the nodes. */
export const leafValues = (plan: Plan): Values => plan.leaves.map((l) => l.value);

/**
 * A full, guarded forward pass: each output is checked (a tensor, of the shape the op's rule
 * gives) and each op watched for writes into its inputs. Run once per check, before replays.
 */
export function forwardGuarded(plan: Plan): ForwardResult {
  const values = leafValues(plan);
  const seconds = f64(plan.leaves.length + plan.nodes.length);
  let nonFinite: NonFinite | null = null;
  for (const node of plan.nodes) {
    const inputs = new Array<Tensor>(node.args.length);
    for (let k = 0; k < inputs.length; k++) inputs[k] = values[node.args[k]];
    const started = performance.now();
    let out: unknown;
    try {
      // (A built-in is called as it is: no closures, once per node of every check.)
      out = node.builtin ? node.op.forward(inputs, node.attrs) : watchInputs(node, 'forward', inputs, () => node.op.forward(inputs, node.attrs));
    } catch (e) {
      nodeError(node, 'forward', e);
    }
    seconds[node.slot] = (performance.now() - started) / 1000;
    checkOutput(plan, node, out);
    values[node.slot] = out;
    const k: number = nonFinite ? -1 : firstNonFinite(out.data);
    if (k >= 0) nonFinite = { node: node.id, index: k, value: out.data[k] };
  }
  return { values, seconds, nonFinite };
}

function firstNonFinite(data: Float64Array): number {
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) return k;
  return -1;
}

function checkOutput(plan: Plan, node: PlanNode, out: unknown): asserts out is Tensor {
  const t = out as Tensor;
  if (typeof t !== 'object' || t === null || !(t.data instanceof Float64Array) || !Array.isArray(t.shape) || sizeOf(t.shape) !== t.data.length) {
    errors.outputNotTensor(node.id, node.op.name);
  }
  if (node.shape && !sameShape(t.shape, node.shape)) errors.outputShape(node.id, node.op.name, t.shape, node.shape);
  if (node.slot === plan.objective && sizeOf(t.shape) !== 1) errors.nonScalarObjective(node.id, t.shape);
}

/** Optional hooks of a replay: a node's value known without its forward, and each value computed. */
export interface ReplayHooks {
  given?(node: PlanNode): Tensor | undefined;
  computed?(node: PlanNode, value: Tensor): void;
}

/**
 * The objective with `nodes` (a topologically ordered subset) recomputed in full over a shallow
 * copy of `baseline`, whose slots are left as they were: a replay along a direction, which moves
 * every element of its params (element replays go through replayer.ts).
 */
export function replayObjective(plan: Plan, baseline: Values, nodes: readonly PlanNode[], hooks?: ReplayHooks): number {
  const values = baseline.slice();
  for (const node of nodes) {
    const given = hooks?.given?.(node);
    if (given) {
      values[node.slot] = given;
      continue;
    }
    const inputs = node.args.map((s) => values[s]);
    try {
      values[node.slot] = node.op.forward(inputs, node.attrs);
    } catch (e) {
      nodeError(node, 'forward', e);
    }
    hooks?.computed?.(node, values[node.slot]);
  }
  return values[plan.objective].data[0];
}
