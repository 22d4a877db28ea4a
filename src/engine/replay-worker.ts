/**
 * The worker-thread side of parallel replays (parallel-replay.ts): it rebuilds the graph from a
 * plain description, loads the user op modules by path, runs its own guarded forward pass (the
 * same code on the same values gives the same bits), then replays each chunk of perturbations
 * sent to it and posts back the objective values. It works on its own copies of the params.
 */
import type { MessagePort } from 'node:worker_threads';
import { createJiti } from 'jiti';
import { GradproofError, describeThrown, isGradproofError } from '../core/errors.js';
import { graph as builder } from '../core/graph.js';
import { OpRegistry } from '../ops/registry.js';
import { compile } from './plan.js';
import { forwardGuarded } from './forward.js';
import { Replayer } from './replayer.js';
import type { GraphSpec } from './parallel-replay.js';

export interface Chunk {
  id: number;
  params: string[];
  indices: Int32Array;
  steps: Float64Array;
}

async function planOf(spec: GraphSpec) {
  const registry = new OpRegistry();
  const jiti = createJiti(import.meta.url, { interopDefault: false });
  for (const path of spec.modules) {
    const exported = ((await jiti.import(path)) as { default: unknown }).default;
    for (const op of Array.isArray(exported) ? exported : [exported]) registry.register(op, path, path);
  }
  const g = builder();
  for (const leaf of spec.leaves) {
    if (leaf.kind === 'param') g.param(leaf.name, { shape: leaf.shape, data: leaf.data });
    else g.input(leaf.name, { shape: leaf.shape, data: leaf.data });
  }
  for (const node of spec.nodes) g.node(node.id, node.op, node.args, node.attrs);
  return compile(g.objective(spec.objective).build(), registry);
}

/** Answers chunks on `port` until the parent ends the thread. */
export async function serve(port: MessagePort, spec: GraphSpec): Promise<void> {
  try {
    const plan = await planOf(spec);
    const { values: baseline } = forwardGuarded(plan);
    const replayer = new Replayer(plan, baseline, spec.incremental);
    port.on('message', (chunk: Chunk) => {
      try {
        const out = new Float64Array(chunk.indices.length);
        for (let i = 0; i < out.length; i++) {
          out[i] = replayer.element(plan.slotOf.get(chunk.params[i])!, chunk.indices[i], chunk.steps[i]);
        }
        port.postMessage({ id: chunk.id, values: out }, [out.buffer as ArrayBuffer]);
      } catch (e) {
        port.postMessage({ id: chunk.id, error: asPlain(e) });
      }
    });
    port.postMessage({ ready: true });
  } catch (e) {
    port.postMessage({ id: -1, error: asPlain(e) });
  }
}

const asPlain = (e: unknown) =>
  isGradproofError(e) ? { code: e.code, message: e.message, where: e.where, hint: e.hint } : { code: 'worker', message: describeThrown(e), where: {} };

export const fromPlain = (p: { code: string; message: string; where: object; hint?: string }) => new GradproofError(p.code, p.message, p.where, p.hint);
