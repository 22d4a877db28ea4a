/**
 * Replays of element perturbations over a baseline forward pass, one at a time. A replay runs
 * only the nodes downstream of the moved param and, through the ops' incremental rules
 * (Op.update), only the part of each output the change reaches: it writes that part in place
 * into a copy of the node's baseline output and puts it back when the replay ends. A node none
 * of whose inputs changed keeps its cached value; one whose rule finds nothing moved stops the
 * change there. Everything a replay needs is made once, in the constructor, so a replay
 * allocates little beyond what the ops' rules do: this loop runs once per evaluation of a check.
 * Where the native addon has a chain for the param (native-chain.ts), the chain replays the
 * layers it runs, to the objective when it reaches it, in one call.
 */
import type { Region, RowChange, Rows } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import type { Plan, PlanNode } from './plan.js';
import type { Values } from './forward.js';
import { nodeError } from './call-op.js';
import { CHAIN_AFTER, nativeChain, PLAN_CHAIN_AFTER, planChains, type NativeChain } from './native-chain.js';
import { hasBuiltinUpdate } from '../ops/index.js';
import { f64Copy } from '../core/alloc.js';
import { isRegion, restore } from './restore-written.js';

/** A change as the ops see it, always with the same fields (one object shape keeps their property reads fast). */
const changeOf = (rows: Rows, cols: readonly number[] | undefined, before: Tensor | null, element: RowChange['element']): RowChange => ({ rows, cols, before, element });

export class Replayer {
  // At rest, between replays: values[s] is baseline[s], every buffer holds its baseline's
  // numbers, and changes and written are all null. A replay changes them and puts them back.
  private readonly values: Tensor[];
  /** Per slot: how its value differs from the baseline in this replay, or null. */
  private readonly changes: (RowChange | null)[];
  /** Per slot: what an update wrote into the slot's buffer in this replay, or null. */
  private readonly written: (Rows | Region | null)[];
  /** Per slot of a node with an incremental rule: a writable copy of its baseline output. */
  private readonly buffers: (Tensor | null)[];
  /** Per node slot: its argument array and their changes, refilled by each replay. */
  private readonly inputs: Tensor[][];
  private readonly inputChanges: (RowChange | null)[][];
  /** Per param slot: the native chain of layers after it (native-chain.ts), or null once tried; made at its replay number `chainAfter`. */
  private readonly chains = new Map<number, NativeChain | null>();
  /** Per param slot: its replays so far, until its chain is tried. */
  private readonly replays = new Map<number, number>();
  /** The plan's chain for every param, per param slot: undefined until tried, null when there is none. */
  private planChain: Map<number, NativeChain> | null | undefined;
  /** Replays so far, of any param, until the plan's chain is tried. */
  private replaysAll = 0;

  constructor(
    private readonly plan: Plan,
    private readonly baseline: Values,
    /** False: every downstream node recomputed in full by its forward rule (the seed's way). */
    private readonly incremental = true,
    /** Replays of a param before its native chain is made (tests make it at once: 0). */
    private readonly chainAfter = CHAIN_AFTER,
    /** Replays before the plan's chain for every param is made (tests: 0 at once, Infinity never). */
    private readonly planChainAfter = Math.min(PLAN_CHAIN_AFTER, chainAfter),
  ) {
    const slots = baseline.length;
    this.values = baseline.slice();
    this.changes = new Array<RowChange | null>(slots).fill(null);
    this.written = new Array<Rows | Region | null>(slots).fill(null);
    this.buffers = new Array<Tensor | null>(slots).fill(null);
    this.inputs = new Array<Tensor[]>(slots);
    this.inputChanges = new Array<(RowChange | null)[]>(slots);
    // Per slot: whether a replay can reach the node there (it is downstream of a leaf).
    const reached = new Uint8Array(slots);
    for (const nodes of plan.downstream.values()) for (const node of nodes) reached[node.slot] = 1;
    for (const node of plan.nodes) {
      const { args } = node;
      const inputs = (this.inputs[node.slot] = new Array<Tensor>(args.length));
      for (let k = 0; k < args.length; k++) inputs[k] = baseline[args[k]];
      this.inputChanges[node.slot] = new Array<RowChange | null>(args.length).fill(null);
      const { shape, data } = baseline[node.slot];
      // Only a built-in's incremental rule (ops/index.ts, hasBuiltinUpdate); a user's own op is
      // replayed through its forward.
      if (incremental && hasBuiltinUpdate(node.op) && reached[node.slot] === 1) this.buffers[node.slot] = { shape: [...shape], data: f64Copy(data) };
    }
  }

  /** The objective with element `index` of the param at `slot` moved by `step`; the element is then put back. */
  element(slot: number, index: number, step: number): number {
    const chain = this.chainFor(slot, 1);
    // A chain that reaches the objective moves the element, replays and puts it back in one call.
    return chain !== null && chain.complete ? chain.step(index, step) : this.replay(slot, index, step, chain);
  }

  /** `element` for `count` elements of one param: out[at + k] for element indices[k] moved by steps[k] (a chain to the objective takes them in one call). */
  elements(slot: number, indices: Int32Array, steps: Float64Array, count: number, out: Float64Array, at: number): void {
    const chain = this.chainFor(slot, count);
    if (chain !== null && chain.complete) return chain.steps(indices, steps, count, out, at);
    for (let k = 0; k < count; k++) out[at + k] = this.replay(slot, indices[k], steps[k], chain);
  }

  private replay(slot: number, index: number, step: number, chain: NativeChain | null): number {
    const { data, shape } = this.plan.leaves[slot].value;
    const original = data[index];
    data[index] = original + step;
    try {
      const rows = shape.length === 2 ? [Math.floor(index / shape[1])] : ('all' as const);
      const delta = data[index] - original;
      this.changes[slot] = changeOf(rows, undefined, null, { index, delta });
      if (chain === null) return this.run(this.plan.downstream.get(slot)!);
      // The layers the chain runs natively, then the nodes after it from its last value's change.
      const region = chain.run(index, delta);
      if (region !== null) this.changed(chain.frontier, this.buffers[chain.frontier]!, region);
      return this.run(chain.rest);
    } finally {
      data[index] = original;
      this.changes[slot] = null;
      if (chain !== null) this.release(chain.frontier);
    }
  }

  /** The param's chain, for `count` replays to come (made once it has had `chainAfter` replays), or null. */
  private chainFor(slot: number, count: number): NativeChain | null {
    if (this.planChain === undefined && this.incremental) {
      this.replaysAll += count;
      if (this.replaysAll > this.planChainAfter) this.planChain = planChains(this.plan, this.baseline, this.buffers);
    }
    const fromPlan = this.planChain?.get(slot);
    if (fromPlan !== undefined) return fromPlan;
    const chain = this.chains.get(slot);
    if (chain !== undefined) return chain;
    const replays = this.replays.get(slot) ?? 0;
    if (replays < this.chainAfter) {
      this.replays.set(slot, replays + count);
      return null;
    }
    this.chains.set(slot, this.incremental ? nativeChain(this.plan, slot, this.baseline, this.buffers) : null);
    return this.chains.get(slot)!;
  }

  /** Records that `region` of the node at `slot` was written into its buffer and changed. */
  private changed(slot: number, buffer: Tensor, region: Rows | Region): void {
    this.written[slot] = region;
    const rows = isRegion(region) ? region.rows : region;
    // A rule that found nothing moved (no rows, or no columns) stops the change here.
    if ((rows !== 'all' && rows.length === 0) || (isRegion(region) && region.cols.length === 0)) return;
    this.values[slot] = buffer;
    this.changes[slot] = changeOf(rows, isRegion(region) ? region.cols : undefined, this.baseline[slot], undefined);
  }

  /** Puts the node at `slot` back to rest: its buffer as the baseline, no change. */
  private release(slot: number): void {
    const w = this.written[slot];
    if (w !== null) restore(this.buffers[slot]!.data, this.baseline[slot], w);
    this.written[slot] = null;
    this.changes[slot] = null;
    this.values[slot] = this.baseline[slot];
  }

  private run(nodes: readonly PlanNode[]): number {
    const { values, changes, buffers, baseline } = this;
    try {
      for (let n = 0; n < nodes.length; n++) {
        const node = nodes[n];
        const { args, slot } = node;
        const inputs = this.inputs[slot];
        const inputChanges = this.inputChanges[slot];
        let changed = false;
        for (let k = 0; k < args.length; k++) {
          inputs[k] = values[args[k]];
          inputChanges[k] = changes[args[k]];
          if (inputChanges[k] !== null) changed = true;
        }
        if (!changed) continue;
        const buffer = buffers[slot];
        const region = buffer === null ? null : this.update(node, inputs, buffer, inputChanges);
        if (region === null) {
          values[slot] = this.forward(node, inputs);
          changes[slot] = changeOf('all', undefined, baseline[slot], undefined);
        } else {
          this.changed(slot, buffer!, region);
        }
      }
      return values[this.plan.objective].data[0];
    } finally {
      for (let n = 0; n < nodes.length; n++) this.release(nodes[n].slot);
    }
  }

  private update(node: PlanNode, inputs: Tensor[], buffer: Tensor, inputChanges: (RowChange | null)[]): Rows | Region | null {
    try {
      return node.op.update!(inputs, buffer, inputChanges, node.attrs);
    } catch (e) {
      // An update that threw may have written part of its buffer: put all of it back.
      buffer.data.set(this.baseline[node.slot].data);
      return nodeError(node, 'forward', e);
    }
  }

  private forward(node: PlanNode, inputs: Tensor[]): Tensor {
    try {
      return node.op.forward(inputs, node.attrs);
    } catch (e) {
      return nodeError(node, 'forward', e);
    }
  }
}
