/**
 * The replay of one moved element through the layers right after its param (linear, relu,
 * sigmoid, the logistic cost), in one native call (native/chain.c) instead of a JavaScript call
 * per op: a replay of a dense network spends most of its time there. The chain stops before the
 * first other op, at a node two of whose inputs could move, or where more than one of its values
 * is read after it; the replayer runs the rest in JavaScript from the change the chain reports
 * for its last value (the frontier): nothing, when the chain reaches the objective.
 *
 * Each step of the chain does what the op's incremental rule does (the same operations on the
 * same elements, and the same part reported changed), so a replay gives the same bits with or
 * without it; test/native-chain.test.ts compares the two on random networks.
 *
 * The chain points into the arrays it runs over (the params, the baseline values, the
 * replayer's buffers, many of them views of shared slabs: src/core/alloc.ts) for as long as the
 * replayer lives, as the replayer's own loops do: none of them may be detached (transferred to
 * another thread) while a check runs.
 */
import type { Region, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import { nativeKernels, nativeMathExact, type NativeKernels } from '../core/native.js';
import { f64, i32 } from '../core/alloc.js';
import { linear } from '../ops/linear.js';
import { relu } from '../ops/relu.js';
import { sigmoid } from '../ops/sigmoid.js';
import { logloss } from '../ops/logloss.js';
import type { Plan, PlanNode } from './plan.js';
import type { Values } from './forward.js';

/**
 * The ops a chain runs, by their rules: a user op with linear's forward and update (and its own
 * backward) runs as linear. Sigmoid and the cost take exps and logs: only with V8's own
 * (nativeMathExact), so that the chain gives JavaScript's bits.
 */
const KINDS = [
  { op: linear, code: 1, exp: false },
  { op: relu, code: 2, exp: false },
  { op: sigmoid, code: 3, exp: true },
  { op: logloss, code: 4, exp: true },
] as const;
const LOGLOSS = 4;
const kindOf = (node: PlanNode): number => KINDS.find(({ op, exp }) => node.op.forward === op.forward && node.op.update === op.update && (!exp || nativeMathExact()))?.code ?? 0;

/**
 * Whether a chain can run `node`: an op it runs, with a working copy of its output, on matrices
 * throughout, but the cost (a number), whose A (not Y) must be the output of a step before it
 * (`stepOutput`), whose baseline gives the cost's terms.
 */
function runnable(node: PlanNode, baseline: Values, buffers: readonly (Tensor | null)[], stepOutput: (slot: number) => boolean): boolean {
  const kind = kindOf(node);
  const shapes = kind === LOGLOSS ? stepOutput(node.args[0]) : baseline[node.slot].shape.length === 2;
  return kind !== 0 && buffers[node.slot] !== null && shapes;
}

/** Elements a native call of `steps` takes at most (the driver hands over runs of 8: src/engine/replay.ts). */
const RUN = 16;

/** Report codes (chain.c): nothing changed, one row, some columns of every row, all. */
const [NONE, ROW, COLS] = [0, 2, 3];

export interface NativeChain {
  /** The slot of the chain's last value: what the nodes after it read. */
  readonly frontier: number;
  /** The nodes after the chain, in order. */
  readonly rest: readonly PlanNode[];
  /** Replays the chain for element `index` of the param, moved (in place, by the caller) by `delta`: the frontier's changed part, or null. */
  run(index: number, delta: number): Rows | Region | null;
  /** Whether the chain ends at the objective, with nothing after it: `step` then replays all of it. */
  readonly complete: boolean;
  /** For a complete chain: the objective with element `index` moved by `step` (the move and its undoing done natively, as the replayer does them). */
  step(index: number, step: number): number;
  /** `step` for `count` elements: out[at + k] is the objective with element indices[k] moved by steps[k]. */
  steps(indices: Int32Array, steps: Float64Array, count: number, out: Float64Array, at: number): void;
}

/**
 * The chain after the param at `slot`, or null where there is none (no native kernels, no op the
 * chain runs right after it, or a param that is not a matrix). `buffers` are the replayer's working
 * copies of node outputs, which the chain writes into and (but for the frontier's) puts back.
 */
export function nativeChain(plan: Plan, slot: number, baseline: Values, buffers: readonly (Tensor | null)[]): NativeChain | null {
  const native = nativeKernels();
  const nodes = plan.downstream.get(slot) ?? [];
  if (!native || plan.leaves[slot]?.value.shape.length !== 2) return null;
  // The nodes the chain may run: from the first on, while each is a chain op on matrices with one moving input.
  const moving = new Set([slot]);
  let length = 0;
  for (const node of nodes) {
    const moved = node.args.filter((a) => moving.has(a)).length;
    if (moved !== 1 || !runnable(node, baseline, buffers, (s) => s !== slot && moving.has(s))) break;
    moving.add(node.slot);
    length++;
  }
  // Shortened until one of its values, at most, is read after it (or is the objective).
  for (; length > 0; length--) {
    const inChain = new Set(nodes.slice(0, length).map((n) => n.slot));
    const read = new Set(nodes.slice(length).flatMap((n) => n.args.filter((a) => inChain.has(a))));
    if (inChain.has(plan.objective)) read.add(plan.objective);
    if (read.size === 1) return make(native, plan, [slot], baseline, buffers, nodes.slice(0, length), nodes.slice(length), [...read][0])?.[0] ?? null;
  }
  return null;
}

/**
 * One chain for every param, when every node of the plan is an op a chain runs and the chain
 * reaches the objective: a replay of any element then takes one native call, and the chain is
 * made once for them all (on a tiny network, making a chain per param costs more than its
 * replays save). Per param slot, the chain as that param sees it; null where there is none.
 */
export function planChains(plan: Plan, baseline: Values, buffers: readonly (Tensor | null)[]): Map<number, NativeChain> | null {
  const native = nativeKernels();
  if (!native || plan.nodes.at(-1)?.slot !== plan.objective) return null;
  // (Loops, not array callbacks: on a tiny network this runs once per check.)
  const params: number[] = [];
  for (let slot = 0; slot < plan.leaves.length; slot++) {
    const leaf = plan.leaves[slot];
    if (leaf.kind !== 'param') continue;
    if (leaf.value.shape.length !== 2) return null;
    params.push(slot);
  }
  // Every node's inputs that are not leaves are other nodes' outputs.
  const isNode = (s: number) => s >= plan.leaves.length;
  for (const node of plan.nodes) if (!runnable(node, baseline, buffers, isNode)) return null;
  const chains = params.length === 0 ? null : make(native, plan, params, baseline, buffers, plan.nodes, [], plan.objective);
  if (chains === null) return null;
  const bySlot = new Map<number, NativeChain>();
  for (let k = 0; k < params.length; k++) bySlot.set(params[k], chains[k]);
  return bySlot;
}

// Module state: room for a chain's program, which chainCreate reads once (it keeps none of it).
let programRoom = new Int32Array(256);

/** The parts one after the other in programRoom (made larger when needed). */
function programOf(parts: readonly (readonly number[])[]): Int32Array {
  let length = 0;
  for (const part of parts) length += part.length;
  if (programRoom.length < length) programRoom = new Int32Array(2 * length);
  let at = 0;
  for (const part of parts) {
    programRoom.set(part, at);
    at += part.length;
  }
  return programRoom.subarray(0, length);
}

/**
 * The chain's program (its format: native/chain-create.c) and, per param, the object that runs
 * it; null when the C side refuses it. (Plain loops: on a tiny network this runs once per check,
 * and costs as much as a fifth of the check's replays.)
 */
function make(native: NativeKernels, plan: Plan, params: readonly number[], baseline: Values, buffers: readonly (Tensor | null)[], chain: readonly PlanNode[], rest: readonly PlanNode[], frontier: number): Chain[] | null {
  // Per slot: its value's position in the program (−1: none yet), and whether a step of the chain makes it.
  const ids = new Int32Array(baseline.length).fill(-1);
  const isStep = new Uint8Array(baseline.length);
  for (const node of chain) isStep[node.slot] = 1;
  // Per value: rows, columns, its array's position in `arrays`, its baseline's (−1: none).
  const values: number[] = [];
  const arrays: Float64Array[] = [];
  const valueOf = (s: number): number => {
    if (ids[s] < 0) {
      const { shape, data } = baseline[s];
      const matrix = shape.length === 2;
      const leaf = plan.leaves[s];
      const current = isStep[s] ? buffers[s]!.data : leaf !== undefined && leaf.kind === 'param' ? leaf.value.data : data;
      values.push(matrix ? shape[0] : 1, matrix ? shape[1] : data.length, arrays.push(current) - 1, isStep[s] ? arrays.push(data) - 1 : -1);
      ids[s] = values.length / 4 - 1;
    }
    return ids[s];
  };
  const paramIds = params.map(valueOf);
  const steps: number[] = [];
  for (const node of chain) {
    const { args } = node;
    const x = valueOf(args[0]);
    const second = args.length > 1 ? valueOf(args[1]) : -1;
    const third = args.length > 2 ? valueOf(args[2]) : -1;
    steps.push(kindOf(node), valueOf(node.slot), x, second, third);
  }
  const last = valueOf(frontier);
  const program = programOf([[values.length / 4, chain.length, params.length, last], paramIds, values, steps]);
  // Room for the frontier's change: its kind, and a row or its changed columns.
  const report = i32(2 + values[4 * last + 1]);
  const run = f64(3 * RUN);
  let block: Float64Array;
  try {
    block = f64(Math.ceil(native.chainSize(program) / 8));
    native.chainCreate(program, report, run, block, ...arrays);
  } catch {
    // The C side checks every program against its arrays; one it refuses is replayed in JavaScript.
    return null;
  }
  const complete = frontier === plan.objective && rest.length === 0;
  return params.map((_slot, position) => new Chain(native, block, position, arrays, report, run, frontier, rest, complete));
}

class Chain implements NativeChain {
  constructor(
    private readonly native: NativeKernels,
    /** The chain, laid out in this block by the C side (its handle). */
    private readonly handle: Float64Array,
    /** The param's position in the chain's list of params. */
    private readonly param: number,
    /** Held as long as the handle is: the chain points into these arrays. */
    readonly arrays: readonly Float64Array[],
    /** The frontier's change after each run (chain.c writes it). */
    private readonly report: Int32Array,
    /** A run of `steps`, RUN elements at most: their indices, their steps, then their objectives (chain-calls.c). */
    private readonly runRoom: Float64Array,
    readonly frontier: number,
    readonly rest: readonly PlanNode[],
    readonly complete: boolean,
  ) {}

  step(index: number, step: number): number {
    return this.native.chainStep(this.handle, this.param, index, step);
  }

  steps(indices: Int32Array, steps: Float64Array, count: number, out: Float64Array, at: number): void {
    if (!(count <= indices.length && count <= steps.length && at >= 0 && at + count <= out.length)) throw new RangeError(`gradproof: a run of ${count} elements does not fit its arrays`);
    const room = this.runRoom;
    for (let done = 0; done < count; done += RUN) {
      const n = Math.min(RUN, count - done);
      for (let k = 0; k < n; k++) {
        room[k] = indices[done + k];
        room[RUN + k] = steps[done + k];
      }
      this.native.chainSteps(this.handle, this.param, n);
      for (let k = 0; k < n; k++) out[at + done + k] = room[2 * RUN + k];
    }
  }

  /** The frontier's changed columns, refilled by each run (a change's arrays are the engine's, read during a replay, never kept). */
  private readonly cols: number[] = [];

  run(index: number, delta: number): Rows | Region | null {
    this.native.chainRun(this.handle, this.param, index, delta);
    const report = this.report;
    const kind = report[0];
    if (kind === NONE) return null;
    if (kind === ROW) return [report[1]];
    if (kind === COLS) {
      const { cols } = this;
      cols.length = report[1];
      for (let j = 0; j < cols.length; j++) cols[j] = report[2 + j];
      return { rows: 'all', cols };
    }
    return 'all';
  }
}
