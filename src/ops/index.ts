/** The built-in ops: the registry is filled from this one array, and so is the gradient test table. */
import type { Op } from '../core/op.js';
import { linear } from './linear.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';
import { logloss } from './logloss.js';
import { add } from './add.js';
import { mul } from './mul.js';
import { matmul } from './matmul.js';
import { dropout } from './dropout.js';
import { sum } from './sum.js';

export const builtinOps: readonly Op[] = [linear, relu, sigmoid, tanh, logloss, add, mul, matmul, dropout, sum];

/** Whether the op is one of the built-in ops itself (not a user op under a built-in's name). */
export const isBuiltin = (op: Op): boolean => builtinOps.includes(op);

/**
 * Whether the op's forward and incremental rules are a built-in op's own pair (a user op made
 * from a built-in, with its own backward, has them). Checks replay only through such rules: a
 * user's own incremental rule is a second hand-written rule between a check and the forward it
 * differentiates, and one that disagreed with the forward would make the check measure it.
 */
export const hasBuiltinUpdate = (op: Op): boolean => op.update !== undefined && builtinOps.some((b) => b.forward === op.forward && b.update === op.update);

/**
 * Whether the op's forward rule is a built-in's own (a user op made from a built-in, with its
 * own backward, borrows it): a built-in's rules never write into their arguments, so a node
 * check lets this one read the caller's tensors.
 */
export const hasBuiltinForward = (op: Op): boolean => builtinOps.some((b) => b.forward === op.forward);

export { linear, relu, sigmoid, tanh, logloss, add, mul, matmul, dropout, sum };
