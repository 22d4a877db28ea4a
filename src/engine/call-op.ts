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

export function callRule<T>(node: PlanNode, phase: 'forward' | 'backward', run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isGradproofError(e) && e.where.node) throw e;
    return errors.opThrew(node.id, node.op.name, phase, describeThrown(e));
  }
}

/** Runs `run` and then checks that none of `watched` changed (bitwise), naming the first that did. */
export function watchInputs<T>(node: PlanNode, phase: 'forward' | 'backward', watched: readonly Tensor[], run: () => T): T {
  const before = watched.map((t) => t.data.slice());
  const result = run();
  watched.forEach((t, i) => {
    const was = before[i];
    const now = t.data;
    const same = was.length === now.length && was.every((v, k) => Object.is(v, now[k]));
    if (!same) {
      const name = i < node.args.length ? inputName(node.op.inputs[i]) : i === node.args.length ? 'output' : 'gradOutput';
      errors.mutatedInput(node.id, node.op.name, name, i, phase);
    }
  });
  return result;
}
