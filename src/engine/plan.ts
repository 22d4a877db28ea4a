/**
 * compile(graph, registry) -> Plan: the graph checked and laid out for the scheduler. Each check
 * is a small pass that throws a GradproofError naming the node (the DSL maps it to a line):
 * names, ops and arity, arguments and order, shapes, the objective.
 */
import type { Graph, Leaf, GraphNode } from '../core/graph.js';
import { arity, inputName, type Attrs, type Op } from '../core/op.js';
import { errors } from '../core/messages.js';
import { GradproofError, isGradproofError, describeThrown } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import { sizeOf, unravel } from '../core/tensor.js';
import type { OpRegistry } from '../ops/registry.js';
import { isBuiltin } from '../ops/index.js';

export interface PlanNode {
  readonly id: string;
  readonly op: Op;
  readonly attrs: Attrs;
  /** Slots of the arguments, in the op's input order. */
  readonly args: readonly number[];
  /** This node's own slot. */
  readonly slot: number;
  /** The output shape when the op has a shape rule; null until the first forward pass tells. */
  readonly shape: number[] | null;
  /** A built-in op itself (by identity, whatever the registry says): its rules are tested not to write into their arguments, so no watch is kept. */
  readonly builtin: boolean;
  /** For a user op loaded from a module: its absolute path (worker threads load it again). */
  readonly module?: string;
  /** Per argument: whether its value depends on a param, so that its gradient is needed. */
  readonly needs: readonly boolean[];
}

export interface Plan {
  readonly graph: Graph;
  /** Slots 0..leaves.length-1 hold the leaves, then one slot per node in topological order. */
  readonly leaves: readonly Leaf[];
  readonly nodes: readonly PlanNode[];
  readonly slotOf: ReadonlyMap<string, number>;
  readonly objective: number;
  /** The nodes a change in each param reaches, in topological order: what a replay recomputes. */
  readonly downstream: ReadonlyMap<number, readonly PlanNode[]>;
}

export function compile(graph: Graph, registry: OpRegistry): Plan {
  checkNames(graph);
  checkValues(graph);
  const ops = resolveOps(graph, registry);
  const ordered = orderNodes(graph);
  const slotOf = new Map<string, number>();
  graph.leaves.forEach((leaf, i) => slotOf.set(leaf.name, i));
  ordered.forEach((node, i) => slotOf.set(node.id, graph.leaves.length + i));
  const shapes: (number[] | null)[] = graph.leaves.map((l) => [...l.value.shape]);
  const nodes = ordered.map((node): PlanNode => {
    const args = node.args.map((a) => slotOf.get(a)!);
    const op = ops.get(node.id)!;
    const shape = inferShape(node, op, args.map((s) => shapes[s]));
    shapes.push(shape);
    const builtin = isBuiltin(op);
    const module = registry.moduleOf(op.name);
    return { id: node.id, op, attrs: node.attrs, args, slot: slotOf.get(node.id)!, shape, builtin, needs: [], ...(module ? { module } : {}) };
  });
  const downstream = downstreamOfParams(graph, nodes);
  const dependsOnParam = new Set([...downstream].flatMap(([param, reached]) => [param, ...reached.map((n) => n.slot)]));
  for (const node of nodes) (node.needs as boolean[]).push(...node.args.map((slot) => dependsOnParam.has(slot)));
  const objective = objectiveSlot(graph, slotOf, shapes);
  return { graph, leaves: graph.leaves, nodes, slotOf, objective, downstream };
}

/** Pass 1: every leaf and node name is defined once. */
function checkNames(graph: Graph): void {
  const seen = new Map<string, string>();
  const define = (name: string, what: string) => {
    const first = seen.get(name);
    if (first) errors.duplicate(name, first);
    seen.set(name, what);
  };
  for (const leaf of graph.leaves) define(leaf.name, leaf.kind === 'param' ? 'a param' : 'an input');
  for (const node of graph.nodes) define(node.id, 'a node');
}

/** Pass 1b: every leaf holds finite values (a NaN in a param is named here, not at some op). */
function checkValues(graph: Graph): void {
  for (const leaf of graph.leaves) {
    const k = leaf.value.data.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) errors.nonFiniteLeaf(leaf.kind, leaf.name, unravel(k, leaf.value.shape), leaf.value.data[k]);
  }
}

/** Pass 2: every op is registered and gets as many arguments as it takes. */
function resolveOps(graph: Graph, registry: OpRegistry): Map<string, Op> {
  const ops = new Map<string, Op>();
  for (const node of graph.nodes) {
    const op = registry.get(node.op) ?? errors.unknownOp(node.id, node.op, registry.suggest(node.op));
    const { min, max } = arity(op);
    if (node.args.length < min || node.args.length > max) errors.arity(node.id, op.name, min, max, node.args.length);
    for (const key of Object.keys(node.attrs)) {
      if (op.attrs && !op.attrs.includes(key)) errors.unknownAttr(node.id, op.name, key, op.attrs, nearest(key, op.attrs));
    }
    ops.set(node.id, op);
  }
  return ops;
}

/** Pass 3: every argument names a leaf or node, and the nodes form no cycle; topological order. */
function orderNodes(graph: Graph): GraphNode[] {
  const leafNames = new Set(graph.leaves.map((l) => l.name));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const known = [...leafNames, ...byId.keys()];
  for (const node of graph.nodes) {
    node.args.forEach((name, arg) => {
      if (!leafNames.has(name) && !byId.has(name)) errors.unknownName(node.id, name, arg, nearest(name, known));
    });
  }
  // Depth-first, in declaration order; `state` marks nodes on the current path to find cycles.
  const state = new Map<string, 'active' | 'done'>();
  const order: GraphNode[] = [];
  const path: string[] = [];
  const visit = (node: GraphNode) => {
    if (state.get(node.id) === 'done') return;
    if (state.get(node.id) === 'active') errors.cycle([...path.slice(path.indexOf(node.id)), node.id]);
    state.set(node.id, 'active');
    path.push(node.id);
    for (const a of node.args) if (byId.has(a)) visit(byId.get(a)!);
    path.pop();
    state.set(node.id, 'done');
    order.push(node);
  };
  graph.nodes.forEach(visit);
  return order;
}

/** Pass 4: the op's shape rule, where it has one, on its arguments' shapes. */
function inferShape(node: GraphNode, op: Op, argShapes: (number[] | null)[]): number[] | null {
  if (!op.shape || argShapes.some((s) => s === null)) return null;
  try {
    return op.shape(argShapes as number[][], node.attrs);
  } catch (e) {
    if (isGradproofError(e) && e.code === 'shape') {
      const arg = op.inputs.findIndex((spec) => inputName(spec) === e.where.input);
      return errors.nodeShape(node.id, op.name, e.message, e.where.input, arg >= 0 ? arg : undefined);
    }
    if (isGradproofError(e)) throw new GradproofError(e.code, `node ${node.id}: ${e.message}`, { ...e.where, node: node.id, op: op.name }, e.hint);
    return errors.opThrew(node.id, op.name, 'shape', describeThrown(e));
  }
}

/** Pass 5: the objective is a node, and a scalar where its shape is known. */
function objectiveSlot(graph: Graph, slotOf: Map<string, number>, shapes: (number[] | null)[]): number {
  if (graph.nodes.length === 0) errors.noObjective();
  const slot = slotOf.get(graph.objective);
  if (slot === undefined || slot < graph.leaves.length) return errors.unknownObjective(graph.objective);
  const shape = shapes[slot];
  if (shape && sizeOf(shape) !== 1) errors.nonScalarObjective(graph.objective, shape);
  return slot;
}

function downstreamOfParams(graph: Graph, nodes: readonly PlanNode[]): Map<number, PlanNode[]> {
  const out = new Map<number, PlanNode[]>();
  graph.leaves.forEach((leaf, slot) => {
    if (leaf.kind !== 'param') return;
    const reached = new Set([slot]);
    out.set(slot, nodes.filter((n) => n.args.some((a) => reached.has(a)) && reached.add(n.slot)));
  });
  return out;
}
