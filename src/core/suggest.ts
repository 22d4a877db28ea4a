/** "Did you mean" for unknown names: the closest candidate by edit distance, if it is close. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The nearest candidate within a third of the name's length (at least 1 edit; case counts half). */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = Math.min(editDistance(name, c), editDistance(name.toLowerCase(), c.toLowerCase()) + 0.5);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return bestScore <= Math.max(1, Math.ceil(name.length / 3)) ? best : undefined;
}
