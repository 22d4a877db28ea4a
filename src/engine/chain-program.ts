/**
 * A native chain's program and the object that runs it (native-chain.ts decides which nodes a
 * chain runs): the program lists the chain's values (shapes and arrays) and steps in the format
 * native/chain-create.c reads; the C side lays the chain out in a block this side makes and
 * holds, with the arrays the chain points into, for as long as the replayer lives.
 */
import type { Region, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import { nativeMathExact, type NativeKernels } from '../core/native.js';
import { f64, hiddenF64, i32 } from '../core/alloc.js';
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
export const LOGLOSS = KINDS[3].code;
export const kindOf = (node: PlanNode): number => KINDS.find(({ op, exp }) => node.op.forward === op.forward && node.op.update === op.update && (!exp || nativeMathExact()))?.code ?? 0;

/**
 * Elements a native call of `steps` takes at most (the driver hands over runs of 8:
 * src/engine/replay.ts). The C side takes its capacity from the run array's length, 3 × RUN.
 */
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
export function make(native: NativeKernels, plan: Plan, params: readonly number[], baseline: Values, buffers: readonly (Tensor | null)[], chain: readonly PlanNode[], rest: readonly PlanNode[], frontier: number): Chain[] | null {
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
    // (Out of every op's reach: the block holds the chain's pointers. alloc.ts, hiddenF64.)
    block = hiddenF64(Math.ceil(native.chainSize(program) / 8));
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
