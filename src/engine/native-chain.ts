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
import type { Tensor } from '../core/tensor.js';
import { nativeKernels } from '../core/native.js';
import type { Plan, PlanNode } from './plan.js';
import type { Values } from './forward.js';
import { kindOf, LOGLOSS, make, type NativeChain } from './chain-program.js';

export type { NativeChain } from './chain-program.js';

/**
 * Where a plan has no one chain for every param (an op the chain does not run), a param's own
 * chain is made at its replay number CHAIN_AFTER: making one (a program checked in C) costs about
 * as much as a few dozen replays of a small network save.
 */
export const CHAIN_AFTER = 64;

/**
 * The plan's one chain for every param (native-chain.ts, planChains) is made at the replay number
 * PLAN_CHAIN_AFTER, all params' together: at the first, since one making serves them all (the
 * fraud net's full check 98 µs when made at the 16th, 88 at the first, in scratch runs).
 */
export const PLAN_CHAIN_AFTER = 0;

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

