/**
 * A check's peak live memory, against the goal of at most 3 × (the model's values + one forward
 * pass's activations). One untimed run of the check in which each progress event (one per batch
 * of replays) and the report first collect garbage (node --expose-gc) and then read what is
 * live: the V8 heap plus array buffers (the tensors). The peak less the same reading before the
 * check is the check's own memory: its gradients, estimates, verdicts, replay buffers and report.
 * Between two readings a replay allocates only small objects, so the readings bound the peak.
 */
import { checkGraph$, type CheckOptions, type Graph } from '../../src/index.js';
import type { Plan } from '../../src/engine/plan.js';
import type { Values } from '../../src/engine/forward.js';

export interface MemoryFigures {
  /** The params' and inputs' values, and one forward pass's node outputs, in MB. */
  modelMb: number;
  activationsMb: number;
  /** The check's peak live memory beyond what was live before it, in MB. */
  checkMb: number;
  /** checkMb / (modelMb + activationsMb): the goal is at most 3. */
  ratio: number;
}

const MB = 2 ** 20;

export function liveMemory(graph: Graph, plan: Plan, forward: Values, options: CheckOptions): MemoryFigures | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  // Some garbage takes more than one collection to go: collect until the reading stops falling.
  const live = () => {
    let last = Infinity;
    for (let i = 0; i < 8; i++) {
      gc();
      const m = process.memoryUsage();
      const now = m.heapUsed + m.arrayBuffers;
      if (now >= last) return last;
      last = now;
    }
    return last;
  };
  const modelMb = (8 * plan.leaves.reduce((n, l) => n + l.value.data.length, 0)) / MB;
  const activationsMb = (8 * plan.nodes.reduce((n, node) => n + forward[node.slot].data.length, 0)) / MB;
  const before = live();
  let peak = before;
  checkGraph$(graph, { ...options, scheduler: undefined }).subscribe({
    next: () => void (peak = Math.max(peak, live())),
    error: (e) => {
      throw e;
    },
  });
  const checkMb = (peak - before) / MB;
  return { modelMb, activationsMb, checkMb, ratio: checkMb / (modelMb + activationsMb) };
}
