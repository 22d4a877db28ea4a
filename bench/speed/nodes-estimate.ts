/**
 * Mode auto's second phase, estimated rather than run (on cases too big to check whole): when
 * the graph check fails, every node's rule is checked on its own by central differences over
 * every element of every input that takes a gradient, one op forward (and two cotangent dot
 * products) per evaluation. The estimate is that count times each op's timed forward; the
 * refinement pass at h/2 (a few unsure elements) is left out, so it is a slight under-estimate.
 */
import type { Plan } from '../../src/engine/plan.js';
import { forwardGuarded } from '../../src/engine/forward.js';
import type { Tensor } from '../../src/index.js';
import { secondsPerCall } from './timing.js';

export interface NodesPhaseEstimate {
  seconds: number;
  evaluations: number;
  perNode: { id: string; evaluations: number; secondsPerEvaluation: number }[];
}

const filledLike = (t: Tensor, v: number): Tensor => ({ shape: [...t.shape], data: new Float64Array(t.data.length).fill(v) });

export function estimateNodesPhase(plan: Plan): NodesPhaseEstimate {
  const { values } = forwardGuarded(plan);
  const perNode = plan.nodes.map((node) => {
    const inputs = node.args.map((s) => values[s]);
    const output = values[node.slot];
    const grads = node.op.backward(inputs, output, filledLike(output, 1), node.attrs);
    const elements = inputs.reduce((n, x, k) => n + (grads[k] ? x.data.length : 0), 0);
    const cotangents = [filledLike(output, 0.5), filledLike(output, -0.25)];
    const evaluation = secondsPerCall(
      () => {
        const y = node.op.forward(inputs, node.attrs).data;
        return cotangents.map((r) => y.reduce((s, v, i) => s + v * r.data[i], 0));
      },
      { minRuns: 5, minSeconds: 0.2 },
    );
    return { id: node.id, evaluations: 2 * elements, secondsPerEvaluation: evaluation.median };
  });
  return {
    seconds: perNode.reduce((s, n) => s + n.evaluations * n.secondsPerEvaluation, 0),
    evaluations: perNode.reduce((s, n) => s + n.evaluations, 0),
    perNode,
  };
}
