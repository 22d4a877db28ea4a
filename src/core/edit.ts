/**
 * Edits of a graph, each returning a new graph and leaving the old one as it was (immer).
 * Typed arrays are never written inside a recipe: a new value replaces the old tensor whole.
 */
import { produce, castDraft } from 'immer';
import type { Graph } from './graph.js';
import type { Attrs } from './op.js';
import { fail } from './errors.js';
import type { Tensor } from './tensor.js';

function nodeIndex(graph: Graph, id: string): number {
  const i = graph.nodes.findIndex((n) => n.id === id);
  if (i < 0) fail('unknown-node', `'${id}' is not a node of the graph`, { node: id });
  return i;
}

/** The same graph with node `id` applying another op (say, a user's mutant of a layer). */
export const withOp = (graph: Graph, id: string, op: string, attrs?: Attrs): Graph =>
  produce(graph, (draft) => {
    const node = draft.nodes[nodeIndex(graph, id)];
    node.op = op;
    if (attrs) node.attrs = { ...attrs };
  });

/** The same graph with leaf `name` holding a new value (the old tensor is left untouched). */
export const withValue = (graph: Graph, name: string, value: Tensor): Graph =>
  produce(graph, (draft) => {
    const i = graph.leaves.findIndex((l) => l.name === name);
    if (i < 0) fail('unknown-leaf', `'${name}' is not an input or param of the graph`, { leaf: name });
    draft.leaves[i].value = castDraft({ shape: [...value.shape], data: value.data });
  });

/** The same graph checked against another objective node. */
export const withObjective = (graph: Graph, id: string): Graph =>
  produce(graph, (draft) => {
    nodeIndex(graph, id);
    draft.objective = id;
  });
