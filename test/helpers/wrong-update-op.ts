/**
 * A user op whose own incremental rule disagrees with its forward: forward x², an update that
 * (wrongly) writes 3x² where a row moved, and a backward of `factor`·x·dy. A check must
 * differentiate the forward, so factor 2 passes and factor 6 (agreeing with the rule) fails.
 */
import type { Op } from '../../src/index.js';

export const squareWithWrongUpdate = (factor: number): Op => ({
  name: 'square',
  inputs: ['x'],
  forward: ([x]) => ({ shape: [...x.shape], data: x.data.map((v) => v * v) }),
  update: ([x], out, [change]) => {
    const n = x.shape[1];
    for (const r of change!.rows as number[]) for (let j = 0; j < n; j++) out.data[r * n + j] = 3 * x.data[r * n + j] ** 2;
    return change!.rows;
  },
  backward: ([x], _y, dy) => [{ shape: [...x.shape], data: dy.data.map((g, i) => factor * x.data[i] * g) }],
});
