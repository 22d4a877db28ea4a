/** Fingerprints of arrays (op-inputs.ts: whether a user's rule wrote into the check's own arrays). */
/**
 * A number that changes when any bit of `a` does: two multiplicative hashes over its 32-bit
 * words, 53 bits kept (a write that leaves both as they were is vanishingly unlikely). For
 * telling whether a rule wrote into an array without keeping a copy of it.
 */
export function fingerprint(a: Float64Array): number {
  const words = new Uint32Array(a.buffer, a.byteOffset, 2 * a.length);
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    h1 = Math.imul(h1 ^ words[i], 0x01000193);
    h2 = Math.imul((h2 ^ words[i]) + i, 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 11) * 2 ** 32 + (h2 >>> 0);
}
