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

/** The difference between analytic `g` and numeric `n`: 0 when both are zero vectors. */
export function relativeDifference(g: ArrayLike<number>, n: ArrayLike<number>): number {
  const diff = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) diff[i] = g[i] - n[i];
  const denominator = norm2(g) + norm2(n);
  return denominator === 0 ? 0 : norm2(diff) / denominator;
}
