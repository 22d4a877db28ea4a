/** One forward and backward pass, without a check: the objective and every param's gradient. */
import type { Graph } from '../core/graph.js';
import type { Tensor } from '../core/tensor.js';
import { compile } from '../engine/plan.js';
import { forwardGuarded } from '../engine/forward.js';
import { backward, paramGradients } from '../engine/backward.js';
import { registryFor, type CheckOptions } from './check-graph.js';
import { own } from '../core/alloc.js';

export interface Evaluated {
  objective: number;
  /** Each node's value, by node id. */
  values: Map<string, Tensor>;
  /** Each param's gradient, by name. */
  gradients: Map<string, Tensor>;
}

export function evaluate(graph: Graph, options: Pick<CheckOptions, 'registry' | 'ops'> = {}): Evaluated {
  const plan = compile(graph, registryFor(options));
  const forward = forwardGuarded(plan);
  const owned = (t: Tensor): Tensor => ({ shape: t.shape, data: own(t.data) });
  const gradients = new Map([...paramGradients(plan, backward(plan, forward, { guard: true }))].map(([name, g]) => [name, owned(g)]));
  const values = new Map(plan.nodes.map((n) => [n.id, owned(forward.values[n.slot])]));
  return { objective: forward.values[plan.objective].data[0], values, gradients };
}
