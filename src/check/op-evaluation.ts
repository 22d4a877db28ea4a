/**
 * The evaluations of a node check (check-op.ts): s_c(x) = ⟨r_c, f(x)⟩ for every cotangent r_c.
 * After one element of an input moved, a built-in op's incremental rule (Op.update) brings a
 * working copy of its output up to date (a dense layer: a row, or a column, for one element of
 * W or X) instead of recomputing all of it: on a large layer, a small fraction of a forward.
 * Updates differ from a fresh forward only by rounding (ops/row-updates.ts), and both
 * evaluations of a central difference go the same way, so the difference loses nothing to it.
 *
 * Only a built-in's rules (forward and update both, as a user op made from a built-in with its
 * own backward has them; ops/index.ts, hasBuiltinUpdate).
 */
import type { Attrs, Op, RowChange } from '../core/op.js';
import { copyTensor, type Tensor } from '../core/tensor.js';
import { hasBuiltinUpdate } from '../ops/index.js';

export interface OpEvaluator {
  /** s after a whole forward of the inputs as they are now. */
  whole(): Float64Array;
  /** s after element `index` of input `k` moved by `delta` (already written into the input). */
  element(k: number, index: number, delta: number): Float64Array;
}

export function opEvaluator(
  op: Op,
  xs: readonly Tensor[],
  output: Tensor,
  cotangents: readonly Tensor[],
  attrs: Attrs | undefined,
  run: <T>(phase: 'forward' | 'backward', f: () => T) => T,
): OpEvaluator {
  const dots = (y: Float64Array): Float64Array =>
    Float64Array.from(cotangents, (r) => {
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += r.data[i] * y[i];
      return sum;
    });
  const whole = () => dots(run('forward', () => op.forward(xs as Tensor[], attrs)).data);
  const update = op.update;
  if (!update || !hasBuiltinUpdate(op)) return { whole, element: whole };
  // The output before any move, into which the rule writes, put back whole after each
  // evaluation (a copy as long as the dot products read: and a user's rule may write more than
  // it says it wrote), made at the first element's evaluation (an input checked along
  // directions needs none); and the changes the rule is given, one set per evaluation.
  let work: Tensor | undefined;
  const changes: (RowChange | null)[] = xs.map(() => null);
  return {
    whole,
    element(k, index, delta) {
      const moved = (work ??= copyTensor(output));
      const x = xs[k];
      changes[k] = { rows: x.shape.length === 2 ? [Math.floor(index / x.shape[1])] : 'all', before: null, element: { index, delta } };
      try {
        const written = run('forward', () => update(xs as Tensor[], moved, changes, attrs));
        return written === null ? whole() : dots(moved.data);
      } finally {
        changes[k] = null;
        moved.data.set(output.data);
      }
    },
  };
}
