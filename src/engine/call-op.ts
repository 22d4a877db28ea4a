/**
 * Calling an op's rules on behalf of a node: a user's throw becomes an error naming the node and
 * the op, and in guarded mode (the first pass of a check) the call is watched for writes into
 * its arguments.
 */
import { describeThrown, isGradproofError } from '../core/errors.js';
import { errors } from '../core/messages.js';
import { inputName } from '../core/op.js';
import type { Tensor } from '../core/tensor.js';
import type { PlanNode } from './plan.js';
import { f64Copy } from '../core/alloc.js';

export function callRule<T>(node: PlanNode, phase: 'forward' | 'backward', run: () => T): T {
  try {
    return run();
  } catch (e) {
    return nodeError(node, phase, e);
  }
}

/** What an op's rule threw, as an error that names the node and the op. */
export function nodeError(node: PlanNode, phase: 'forward' | 'backward', e: unknown): never {
  if (isGradproofError(e) && e.where.node) throw e;
  return errors.opThrew(node.id, node.op.name, phase, describeThrown(e));
}

/** Whether a and b hold the same numbers, bit for bit but for NaN's payload (Object.is: -0 is not 0). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return false;
  return true;
}

/**
 * Runs `run` and then checks that none of `watched` changed (bitwise), naming the first that did.
 * Changed tensors are written back from the copies first, even when `run` throws, so an op's
 * write never outlives the call.
 */
export function watchInputs<T>(node: PlanNode, phase: 'forward' | 'backward', watched: readonly Tensor[], run: () => T): T {
  if (node.builtin) return run();
  // (Copies from slabs, and loops without closures: a check's first pass watches every user op.)
  const before = watched.map((t) => f64Copy(t.data));
  let changed = -1;
  let result: T;
  try {
    result = run();
  } finally {
    for (let i = 0; i < watched.length; i++) {
      const was = before[i];
      const now = watched[i].data;
      if (sameBits(was, now)) continue;
      if (was.length === now.length) now.set(was);
      if (changed < 0) changed = i;
    }
  }
  if (changed >= 0) {
    const name = changed < node.args.length ? inputName(node.op.inputs[changed]) : changed === node.args.length ? 'output' : 'gradOutput';
    errors.mutatedInput(node.id, node.op.name, name, changed, phase);
  }
  return result;
}
