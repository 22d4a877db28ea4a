/** Random networks of the seed's kind, for the native chain's tests (test/native-chain*.test.ts). */
import { createRandom, graph, type Graph, type Random, type Tensor } from '../../src/index.js';

// Leaves must be finite (compile checks); −MAX_VALUE in a weight makes −Infinity in its layer (which
// relu turns into 0, and a move of the weight leaves as it is), and −0, 0 and the least subnormal.
const odd = [-Number.MAX_VALUE, -0, 0, 5e-324];
export const matrix = (random: Random, rows: number, cols: number, oddOnes = false): Tensor => ({
  shape: [rows, cols],
  data: Float64Array.from({ length: rows * cols }, () => (oddOnes && random.uniform() < 0.04 ? odd[Math.floor(random.uniform() * odd.length)] : random.normal() / Math.sqrt(cols))),
});
export const labels = (m: number, rows = 1) => ({ shape: [rows, m], data: Float64Array.from({ length: rows * m }, (_v, i) => i % 2) });

/**
 * The seed's kind of network: layers of `sizes`, relu between, sigmoid and the logistic cost; some
 * layers without b. With `oddOnes`, X is over 1 and W1 holds odd values.
 */
export function mlp(seed: number, sizes: number[], m: number, oddOnes = false): Graph {
  const random = createRandom(seed);
  const X = matrix(random, sizes[0], m);
  if (oddOnes) X.data.forEach((v, i) => (X.data[i] = 1 + Math.abs(v)));
  let g = graph().input('X', X).input('Y', labels(m, sizes.at(-1)));
  let prev = 'X';
  for (let l = 1; l < sizes.length; l++) {
    const withBias = (seed + l) % 3 !== 0;
    const W = matrix(random, sizes[l], sizes[l - 1], oddOnes && l === 1);
    if (oddOnes && l === 1) W.data[1] = -Number.MAX_VALUE;
    g = g.param(`W${l}`, W);
    if (withBias) g = g.param(`b${l}`, matrix(random, sizes[l], 1));
    g = g.node(`Z${l}`, 'linear', [prev, `W${l}`, ...(withBias ? [`b${l}`] : [])]);
    prev = l < sizes.length - 1 ? `A${l}` : 'S';
    g = g.node(prev, l < sizes.length - 1 ? 'relu' : 'sigmoid', [`Z${l}`]);
  }
  return g.node('cost', 'logloss', ['S', 'Y']).build();
}

/** A number's bits, as hex (NaN as one value). */
export const bitsOf = (v: number) => (Number.isNaN(v) ? 'NaN' : new BigUint64Array(Float64Array.of(v).buffer)[0].toString(16));
