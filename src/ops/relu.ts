/** relu(x) = max(0, x). At x = 0 the rule takes the derivative 0 (the seed's `A > 0` mask). */
import type { Op } from '../core/op.js';
import { map2 } from '../core/kernels.js';
import { NATIVE_MIN, nativeKernels } from '../core/native.js';
import { sameAsInput } from './shape-rules.js';
import { elementwiseForward, elementwiseRows, type ElementwiseKernel } from './row-updates.js';

const kernel: ElementwiseKernel = (x, out, start, count, at) => {
  const native = at === undefined && count >= NATIVE_MIN ? nativeKernels() : null;
  if (native) return native.relu(x, out, start, count);
  for (let i = 0; i < count; i++) {
    const k = at === undefined ? start + i : start + at[i];
    out[k] = Math.max(x[k], 0);
  }
};

export const relu: Op = {
  name: 'relu',
  attrs: [],
  inputs: ['x'],
  doc: 'max(0, x), elementwise',
  shape: sameAsInput,
  forward: elementwiseForward(kernel),
  update: elementwiseRows(kernel, true),
  backward: ([x], _y, dy) => [map2(dy, x, (g, v) => (v > 0 ? g : 0))],
};
