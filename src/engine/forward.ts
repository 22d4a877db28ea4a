/**
 * The forward pass: each node's value from its arguments', in topological order, kept in a
 * slot array (leaves first). A replay runs only the nodes a perturbation reaches, over a shallow
 * copy of the baseline slots, so the values of everything upstream are reused, not recomputed.
 */
import { errors } from '../core/messages.js';
import { sameShape, sizeOf, type Tensor } from '../core/tensor.js';
import type { RowChange, Rows } from '../core/op.js';
import type { Plan, PlanNode } from './plan.js';
import { callRule, nodeError, watchInputs } from './call-op.js';

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
  const seconds = new Float64Array(plan.leaves.length + plan.nodes.length);
  let nonFinite: NonFinite | null = null;
  for (const node of plan.nodes) {
    const inputs = node.args.map((s) => values[s]);
    const started = performance.now();
    const out = callRule(node, 'forward', () => watchInputs(node, 'forward', inputs, () => node.op.forward(inputs, node.attrs)));
    seconds[node.slot] = (performance.now() - started) / 1000;
    checkOutput(plan, node, out);
    values[node.slot] = out;
    if (!nonFinite) {
      const k = out.data.findIndex((v) => !Number.isFinite(v));
      if (k >= 0) nonFinite = { node: node.id, index: k, value: out.data[k] };
    }
  }
  return { values, seconds, nonFinite };
}

function checkOutput(plan: Plan, node: PlanNode, out: unknown): asserts out is Tensor {
  const t = out as Tensor;
  if (typeof t !== 'object' || t === null || !(t.data instanceof Float64Array) || !Array.isArray(t.shape) || sizeOf(t.shape) !== t.data.length) {
    errors.outputNotTensor(node.id, node.op.name);
  }
  if (node.shape && !sameShape(t.shape, node.shape)) errors.outputShape(node.id, node.op.name, t.shape, node.shape);
  if (node.slot === plan.objective && sizeOf(t.shape) !== 1) errors.nonScalarObjective(node.id, t.shape);
}

/** Where a replay starts: a leaf changed in place, in these rows (and at this element). */
export interface ReplaySource {
  slot: number;
  rows: Rows;
  element?: { index: number; delta: number };
}

/**
 * Recomputes `nodes` (a topologically ordered subset) over a shallow copy of `baseline` and
 * returns the objective's value; the baseline slots are left as they were. Given the `source`
 * of the change, it goes further: a node none of whose inputs changed keeps its cached value,
 * and an op with an incremental rule (Op.update) updates only the rows the change reaches.
 */
export function replayObjective(plan: Plan, baseline: Values, nodes: readonly PlanNode[], source?: ReplaySource, workspace?: Workspace): number {
  // This runs once per evaluation of a check: plain loops and arrays, no closures.
  const values = baseline.slice();
  // The rows that changed in each slot so far (null where nothing did), with the values before.
  const changes: (RowChange | null)[] = new Array(values.length).fill(null);
  // Rows written into workspace buffers, to put back from the baseline when the replay ends.
  const written: [number, Rows][] = [];
  if (source) changes[source.slot] = { rows: source.rows, before: null, element: source.element };
  try {
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      const { args } = node;
      const inputs: Tensor[] = new Array(args.length);
      const inputChanges: (RowChange | null)[] = new Array(args.length);
      let changed = !source;
      for (let k = 0; k < args.length; k++) {
        inputs[k] = values[args[k]];
        inputChanges[k] = changes[args[k]];
        if (inputChanges[k]) changed = true;
      }
      if (!changed) continue;
      const before = baseline[node.slot];
      let rows: Rows | null = null;
      try {
        if (source && node.op.update) {
          const output = workspace ? workspace.buffer(node.slot, before) : { shape: [...before.shape], data: before.data.slice() };
          rows = node.op.update(inputs, output, inputChanges, node.attrs);
          if (rows) {
            values[node.slot] = output;
            if (workspace) written.push([node.slot, rows]);
          }
        }
        if (!rows) values[node.slot] = node.op.forward(inputs, node.attrs);
      } catch (e) {
        // An update that threw may have written part of its buffer: put all of it back.
        if (source && node.op.update && !rows) workspace?.restore(node.slot, before, 'all');
        nodeError(node, 'forward', e);
      }
      if (source) changes[node.slot] = { rows: rows ?? 'all', before };
    }
    return values[plan.objective].data[0];
  } finally {
    for (const [slot, rows] of written) workspace!.restore(slot, baseline[slot], rows);
  }
}

/**
 * Writable copies of the baseline outputs, one per node that updates in place, made once per
 * replay driver: a replay writes changed rows into them and puts those rows back at its end.
 */
export class Workspace {
  private readonly buffers = new Map<number, Tensor>();

  buffer(slot: number, baseline: Tensor): Tensor {
    let b = this.buffers.get(slot);
    if (!b) this.buffers.set(slot, (b = { shape: [...baseline.shape], data: baseline.data.slice() }));
    return b;
  }

  restore(slot: number, baseline: Tensor, rows: Rows): void {
    const b = this.buffers.get(slot)!;
    if (rows === 'all' || baseline.shape.length !== 2) return b.data.set(baseline.data);
    const cols = baseline.shape[1];
    for (const r of rows) b.data.set(baseline.data.subarray(r * cols, (r + 1) * cols), r * cols);
  }
}
