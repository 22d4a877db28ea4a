/**
 * The seed's difference maintained element by element, for progress: running sums of squares of
 * g − g̃, g and g̃. (The report recomputes it with scaled norms; this one only has to inform.)
 */
export class RunningDifference {
  // Closure-like state: the three sums of squares so far.
  private diff = 0;
  private analytic = 0;
  private numeric = 0;

  add(g: number, n: number): void {
    this.diff += (g - n) * (g - n);
    this.analytic += g * g;
    this.numeric += n * n;
  }

  value(): number {
    const denominator = Math.sqrt(this.analytic) + Math.sqrt(this.numeric);
    return denominator === 0 ? 0 : Math.sqrt(this.diff) / denominator;
  }
}
