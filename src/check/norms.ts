/** The seed's relative difference ‖g − g̃‖₂ / (‖g‖₂ + ‖g̃‖₂), with norms that cannot overflow. */

/** Euclidean norm, scaled by the largest magnitude so squares neither overflow nor underflow. */
export function norm2(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  if (max === 0 || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] / max;
    sum += x * x;
  }
  return max * Math.sqrt(sum);
}

/** ‖g − n‖₂ scaled as norm2 is, without making the difference vector. */
function normOfDifference(g: ArrayLike<number>, n: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < g.length; i++) max = Math.max(max, Math.abs(g[i] - n[i]));
  if (max === 0 || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < g.length; i++) {
    const x = (g[i] - n[i]) / max;
    sum += x * x;
  }
  return max * Math.sqrt(sum);
}

/**
 * The difference between analytic `g` and numeric `n`: 0 when both are zero vectors.
 * (relativeDifferenceOver of the one pair, whose combined norms are the pair's own: the same bits.)
 */
export function relativeDifference(g: ArrayLike<number>, n: ArrayLike<number>): number {
  const denominator = norm2(g) + norm2(n);
  return denominator === 0 ? 0 : normOfDifference(g, n) / denominator;
}

/**
 * The difference over several pairs of vectors taken as one (the params of a graph, say),
 * without concatenating them: each norm combined from the pieces' norms.
 */
export function relativeDifferenceOver(pairs: readonly (readonly [ArrayLike<number>, ArrayLike<number>])[]): number {
  const whole = (norms: number[]) => {
    const max = Math.max(0, ...norms);
    if (max === 0 || !Number.isFinite(max)) return max;
    return max * Math.sqrt(norms.reduce((s, x) => s + (x / max) * (x / max), 0));
  };
  const denominator = whole(pairs.map(([g]) => norm2(g))) + whole(pairs.map(([, n]) => norm2(n)));
  return denominator === 0 ? 0 : whole(pairs.map(([g, n]) => normOfDifference(g, n))) / denominator;
}
