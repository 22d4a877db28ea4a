/**
 * Replays along directions: every element of the direction's params moved, θ + t·v, from one
 * saved copy of each param (made once per subscription and written back after each evaluation),
 * then every node the params reach recomputed.
 *
 * The two evaluations of a central difference, at +t and then −t along the same direction, share
 * what is affine in t: a dense layer (linear, matmul) whose weights and bias move and whose input
 * does not gives Z(θ − t·v) = 2·Z(θ) − Z(θ + t·v). The −t replay takes such a layer's value from
 * the +t one's so, one subtraction per element, instead of its product: on a wide first layer,
 * most of a forward pass. The reflection differs from a fresh product by rounding of order ε·|Z|,
 * as an incremental update does (ops/row-updates.ts), and a central difference loses nothing to
 * it.
 */
import type { Tensor } from '../core/tensor.js';
import { linear } from '../ops/linear.js';
import { matmul } from '../ops/matmul.js';
import type { Plan, PlanNode } from './plan.js';
import { replayObjective, type Values } from './forward.js';
import type { Direction, DirectionPerturbation } from './perturbation.js';

/** Whether the node's output is affine in what moves: a product whose moved inputs are all params (its weights, its bias), its other factor fixed. */
function isAffine(plan: Plan, node: PlanNode, moved: ReadonlySet<number>): boolean {
  const param = (s: number | undefined) => s !== undefined && moved.has(s) && s < plan.leaves.length;
  const fixed = (s: number | undefined) => s === undefined || !moved.has(s);
  if (node.op.forward === linear.forward) {
    const [x, w, b] = node.args;
    return fixed(x) && (param(w) || param(b)) && (fixed(w) || param(w)) && (fixed(b) || param(b));
  }
  if (node.op.forward === matmul.forward) {
    const [a, b] = node.args;
    return (param(a) && fixed(b)) || (param(b) && fixed(a));
  }
  return false;
}

/** Whether 2·z and 2·z − w stay finite for every element: no reflection turns ±∞ into NaN. */
function reflectable(z: Float64Array): boolean {
  for (let i = 0; i < z.length; i++) if (!(Math.abs(z[i]) <= Number.MAX_VALUE / 2)) return false;
  return true;
}

/** 2·z0 − plus, written into plus (the +t replay is done with it). */
function reflect(z0: Tensor, plus: Tensor): Tensor {
  const [base, out] = [z0.data, plus.data];
  for (let i = 0; i < out.length; i++) out[i] = 2 * base[i] - out[i];
  return plus;
}

/** The evaluation of direction perturbations over `baseline`; `paramSlot` names a param's slot (or throws). */
export function directionReplayer(plan: Plan, baseline: Values, paramSlot: (name: string) => number): (p: DirectionPerturbation) => number {
  // Closure state: one saved copy of each param moved; what the last direction moves, reaches
  // and reaches affinely (its +t and −t share it); the last replay's values of those affine
  // nodes, until the −t replay of the same direction takes them.
  const saved = new Map<string, Float64Array>();
  let prepared: { direction: Direction; data: Float64Array[]; original: Float64Array[]; nodes: PlanNode[]; affine: Set<number>; mirrored: (Float64Array | null)[] } | undefined;
  let plus: { direction: Direction; step: number; values: Map<number, Tensor> } | undefined;

  const prepare = (direction: Direction) => {
    const slots = direction.params.map(paramSlot);
    const original = direction.params.map((name, k) => {
      if (!saved.has(name)) saved.set(name, plan.leaves[slots[k]].value.data.slice());
      return saved.get(name)!;
    });
    const reached = new Set(slots.flatMap((slot) => plan.downstream.get(slot)!));
    const nodes = plan.nodes.filter((n) => reached.has(n));
    const moved = new Set([...slots, ...nodes.map((n) => n.slot)]);
    // (A layer with an infinite value, or one past half the largest double, is replayed in full.)
    const affine = new Set(nodes.filter((n) => isAffine(plan, n, moved) && reflectable(baseline[n.slot].data)).map((n) => n.slot));
    const data = slots.map((slot) => plan.leaves[slot].value.data);
    // At −t, a param read only by affine nodes (whose values are then reflections) need not move.
    const onlyAffineReaders = (slot: number) => {
      const readers = nodes.filter((n) => n.args.includes(slot));
      return slot !== plan.objective && readers.length > 0 && readers.every((n) => affine.has(n.slot));
    };
    const mirrored = data.map((d, k) => (onlyAffineReaders(slots[k]) ? null : d));
    return { direction, data, original, nodes, affine, mirrored };
  };

  return ({ direction, step }) => {
    if (prepared?.direction !== direction) prepared = prepare(direction);
    const { data, original, nodes, affine, mirrored } = prepared;
    const mirror = plus?.direction === direction && plus.step === -step ? plus.values : undefined;
    plus = undefined;
    const kept = new Map<number, Tensor>();
    const moving = mirror ? mirrored : data;
    try {
      direction.move(moving, original, step);
      const value = replayObjective(plan, baseline, nodes, {
        given: (node) => (mirror?.has(node.slot) ? reflect(baseline[node.slot], mirror.get(node.slot)!) : undefined),
        computed: (node, out) => affine.has(node.slot) && kept.set(node.slot, out),
      });
      if (!mirror && kept.size > 0 && [...kept.values()].every((t) => reflectable(t.data))) plus = { direction, step, values: kept };
      return value;
    } finally {
      moving.forEach((d, k) => d?.set(original[k]));
    }
  };
}
