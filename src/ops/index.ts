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

export { linear, relu, sigmoid, tanh, logloss, add, mul, matmul, dropout, sum };
