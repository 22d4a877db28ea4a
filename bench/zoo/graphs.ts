/**
 * The zoo's graphs. `hosts` are the graphs mutants are planted in (each is also checked as it is,
 * a correct graph); `hard` are correct graphs chosen to be hard for a gradient check: saturated
 * sigmoids and tanh, ReLUs at exactly 0, deep tanh nets, params from 1e-4 to 1e3, wide and
 * one-unit layers, dropout, broadcasting, matmul chains. Every value is seeded.
 */
import { graph, type GraphBuilder, type Graph } from '../../src/core/graph.js';
import type { Tensor } from '../../src/core/tensor.js';
import * as v from './values.js';

/** Appends layers linear → act for each [W, b]; returns the last activation's id. */
function layers(g: GraphBuilder, from: string, acts: string[], params: [Tensor, Tensor][], tag = ''): string {
  let prev = from;
  params.forEach(([W, b], i) => {
    const k = `${tag}${i + 1}`;
    g.param(`W${k}`, W).param(`b${k}`, b).node(`Z${k}`, 'linear', [prev, `W${k}`, `b${k}`]).node(`A${k}`, acts[i], [`Z${k}`]);
    prev = `A${k}`;
  });
  return prev;
}

/** X → layers (sizes[0] features … sizes[last] = 1) → sigmoid → logloss against Y. */
function net(seed: number, sizes: number[], m: number, hidden: string, gain = 1): Graph {
  const g = graph().input('X', v.normals(seed, [sizes[0], m])).input('Y', v.coinLabels(seed + 1, m));
  const params = sizes.slice(1).map((units, i): [Tensor, Tensor] => [
    v.normals(seed + 10 + i, [units, sizes[i]], gain / Math.sqrt(sizes[i])),
    v.normals(seed + 50 + i, [units, 1], 0.1),
  ]);
  const acts = params.map((_, i) => (i === params.length - 1 ? 'sigmoid' : hidden));
  return g.node('cost', 'logloss', [layers(g, 'X', acts, params), 'Y']).build();
}

export const hosts = {
  /** The seed's family: LINEAR→RELU→LINEAR→RELU→LINEAR→SIGMOID, logistic cost. */
  mlp: () => net(100, [4, 5, 3, 1], 8, 'relu', 1.5),
  /** Two tanh layers with square W1, W2 [4, 4] (for transposed dW), then a logistic unit. */
  tanhSquare: () => net(200, [4, 4, 4, 1], 6, 'tanh', 1.2),
  /** A residual block: Z feeds tanh and the skip add (two consumers). */
  residual: () =>
    graph().input('X', v.normals(300, [3, 5])).input('Y', v.coinLabels(301, 5))
      .param('W1', v.normals(302, [3, 3], 0.6)).param('b1', v.normals(303, [3, 1], 0.1))
      .param('W2', v.normals(304, [1, 3], 0.8)).param('b2', v.filledWith([1, 1], 0))
      .node('Z', 'linear', ['X', 'W1', 'b1']).node('H', 'tanh', ['Z']).node('R', 'add', ['H', 'Z'])
      .node('Z2', 'linear', ['R', 'W2', 'b2']).node('A', 'sigmoid', ['Z2']).node('cost', 'logloss', ['A', 'Y']).build(),
  /** A gated unit tanh(Z) ⊙ sigmoid(Z), read out and squared with mul(O, O), summed. */
  gated: () =>
    graph().input('X', v.normals(400, [4, 5])).param('W', v.normals(401, [3, 4], 0.5)).param('v', v.normals(402, [1, 3], 0.7))
      .node('Z', 'matmul', ['W', 'X']).node('T', 'tanh', ['Z']).node('S', 'sigmoid', ['Z']).node('H', 'mul', ['T', 'S'])
      .node('O', 'matmul', ['v', 'H']).node('Q', 'mul', ['O', 'O']).node('J', 'sum', ['Q']).build(),
  /** Two branches with zero upstream gradient: Z1 behind all-dead ReLUs (b1 = −40), P times 0. */
  deadBranch: () =>
    graph().input('X', v.normals(500, [3, 6])).input('Y', v.coinLabels(501, 6)).input('zero', 0)
      .param('W1', v.normals(502, [4, 3])).param('b1', v.filledWith([4, 1], -40))
      .param('W2', v.normals(503, [4, 3], 0.6)).param('b2', v.normals(504, [4, 1], 0.1))
      .param('W3', v.normals(505, [4, 3], 0.6)).param('b3', v.normals(506, [4, 1], 0.1))
      .param('W4', v.normals(507, [1, 4], 0.8)).param('b4', v.filledWith([1, 1], 0.1))
      .node('Z1', 'linear', ['X', 'W1', 'b1']).node('A1', 'relu', ['Z1'])
      .node('P', 'linear', ['X', 'W3', 'b3']).node('Pz', 'mul', ['P', 'zero'])
      .node('Z2', 'linear', ['X', 'W2', 'b2']).node('S1', 'add', ['Z2', 'A1']).node('S', 'add', ['S1', 'Pz'])
      .node('T', 'tanh', ['S']).node('Z4', 'linear', ['T', 'W4', 'b4']).node('A', 'sigmoid', ['Z4']).node('cost', 'logloss', ['A', 'Y']).build(),
  /** Broadcasting: a column bias c, a row scale r, a scalar s; add(T, T) repeats an input. */
  broadcast: () =>
    graph().input('X', v.normals(600, [3, 6])).param('W', v.normals(601, [4, 3], 0.5)).param('c', v.normals(602, [4, 1], 0.3))
      .param('r', v.normals(603, [1, 6])).param('s', 0.8)
      .node('M', 'matmul', ['W', 'X']).node('B', 'add', ['M', 'c']).node('C', 'mul', ['B', 'r']).node('D', 'mul', ['C', 's'])
      .node('T', 'tanh', ['D']).node('U', 'add', ['T', 'T']).node('J', 'sum', ['U']).build(),
  /** A matmul chain A·B·C with a square B [4, 4], read out by D·tanh(·), squared by mul(M3, M3). */
  matmulChain: () =>
    graph().input('D', v.normals(700, [2, 3])).param('A', v.normals(701, [3, 4], 0.6)).param('B', v.normals(702, [4, 4], 0.6))
      .param('C', v.normals(703, [4, 2], 0.6))
      .node('M1', 'matmul', ['A', 'B']).node('M2', 'matmul', ['M1', 'C']).node('T', 'tanh', ['M2'])
      .node('M3', 'matmul', ['D', 'T']).node('Q', 'mul', ['M3', 'M3']).node('J', 'sum', ['Q']).build(),
  /** LINEAR→RELU→DROPOUT(0.5)→LINEAR→SIGMOID with a frozen mask. */
  dropoutNet: () =>
    graph().input('X', v.normals(800, [5, 10])).input('Y', v.coinLabels(801, 10))
      .param('W1', v.normals(802, [8, 5], 0.6)).param('b1', v.normals(803, [8, 1], 0.1))
      .param('W2', v.normals(804, [1, 8], 0.6)).param('b2', v.filledWith([1, 1], 0))
      .node('Z1', 'linear', ['X', 'W1', 'b1']).node('A1', 'relu', ['Z1']).node('Dp', 'dropout', ['A1'], { rate: 0.5, seed: 3 })
      .node('Z2', 'linear', ['Dp', 'W2', 'b2']).node('A2', 'sigmoid', ['Z2']).node('cost', 'logloss', ['A2', 'Y']).build(),
} satisfies Record<string, () => Graph>;

export type HostName = keyof typeof hosts;

/** One logistic unit whose inputs z = w·x + b are ±15..30 (each column scaled to its target). */
function saturatedUnit(seed: number, lo: number, hi: number): Graph {
  const w = v.normals(seed, [1, 3]);
  const target = v.saturatedTargets(seed + 1, 8, lo, hi);
  const X = v.scaleColumnsTo(v.normals(seed + 2, [3, 8]), w, target);
  return graph().input('X', X).input('Y', v.labelsMatching(v.dense(X, w))).param('W', w).param('b', v.filledWith([1, 1], 0))
    .node('Z', 'linear', ['X', 'W', 'b']).node('A', 'sigmoid', ['Z']).node('cost', 'logloss', ['A', 'Y']).build();
}

/** tanh hidden layer, then a readout W2 scaled by `gain` so the sigmoid saturates; labels match. */
function saturatedNet(seed: number, gain: number, preGain = 1): Graph {
  const X = v.normals(seed, [4, 8]);
  const [W1, b1] = [v.normals(seed + 1, [5, 4], preGain), v.normals(seed + 2, [5, 1], 0.1)];
  const W2 = v.normals(seed + 3, [1, 5], gain);
  const Y = v.labelsMatching(v.dense(v.tanhOf(v.dense(X, W1, b1)), W2));
  const g = graph().input('X', X).input('Y', Y);
  const last = layers(g, 'X', ['tanh', 'sigmoid'], [[W1, b1], [W2, v.filledWith([1, 1], 0)]]);
  return g.node('cost', 'logloss', [last, 'Y']).build();
}

/** Integer X and W1 with b1 = −W1·X[:, col]: Z1 has exact zeros, a ReLU kink at each of them. */
function reluZeros(seed: number, rows?: number[], second = false): Graph {
  const X = v.integers(seed, [3, 6], -2, 2);
  const W1 = v.integers(seed + 1, [4, 3], -2, 2);
  const b1 = v.biasZeroingColumn(W1, X, 0, rows);
  const g = graph().input('X', X).input('Y', v.coinLabels(seed + 2, 6));
  const params: [Tensor, Tensor][] = [[W1, b1]];
  if (second) {
    const A1 = v.dense(X, W1, b1).data.map((z) => Math.max(0, z));
    const W2 = v.integers(seed + 3, [3, 4], -1, 2);
    params.push([W2, v.biasZeroingColumn(W2, { shape: [4, 6], data: A1 }, 1)]);
  }
  params.push([v.normals(seed + 4, [1, params.length === 1 ? 4 : 3], 0.5), v.filledWith([1, 1], 0)]);
  const acts = params.map((_, i) => (i === params.length - 1 ? 'sigmoid' : 'relu'));
  return g.node('cost', 'logloss', [layers(g, 'X', acts, params), 'Y']).build();
}

/**
 * As reluZeros, but each Z1 of the first example sits 0.22 of a step above 0 (the step method
 * auto takes for |θ| ≤ 1): the kink falls between θ and θ − h for b1, and inside h for W1, which
 * D(h) and D(h/2) alone misjudged (a false alarm, and a bound loose enough to pass a wrong value).
 */
function reluNearZeros(seed: number): Graph {
  const X = v.integers(seed, [3, 6], -2, 2);
  const W1 = v.integers(seed + 1, [4, 3], -2, 2);
  const b1 = v.tensorOf([4, 1], (i) => v.biasZeroingColumn(W1, X, 0).data[i] + 0.22 * 2 ** -15);
  const g = graph().input('X', X).input('Y', v.coinLabels(seed + 2, 6));
  const last = layers(g, 'X', ['relu', 'sigmoid'], [[W1, b1], [v.normals(seed + 4, [1, 4], 0.5), v.filledWith([1, 1], 0)]]);
  return g.node('cost', 'logloss', [last, 'Y']).build();
}

/** Params from 1e-4 to 1e3: W's column j scaled by 10^k_j and X's row j by 10^−k_j. */
function mixedScales(seed: number): Graph {
  const scales = [1e-4, 1e-2, 1, 1e2, 1e3];
  const [W0, X0] = [v.normals(seed, [4, 5]), v.normals(seed + 1, [5, 7], 0.5)];
  const W = v.tensorOf([4, 5], (i, _r, c) => W0.data[i] * scales[c]);
  const X = v.tensorOf([5, 7], (i, r) => X0.data[i] / scales[r]);
  const g = graph().input('X', X).input('Y', v.coinLabels(seed + 2, 7));
  const last = layers(g, 'X', ['tanh', 'sigmoid'], [[W, v.normals(seed + 3, [4, 1], 0.1)], [v.normals(seed + 4, [1, 4]), v.filledWith([1, 1], 0)]]);
  return g.node('cost', 'logloss', [last, 'Y']).build();
}

/** Elementwise params P of magnitude 1e-4..1e3 against inputs 1/|P|, and a 1e3 offset taken off again. */
function elementScales(seed: number): Graph {
  const P = v.logUniform(seed, [3, 5], -4, 3);
  const [X0, B0] = [v.normals(seed + 1, [3, 5]), v.normals(seed + 2, [3, 1], 0.1)];
  const X = v.tensorOf([3, 5], (i) => X0.data[i] / Math.abs(P.data[i]));
  const beta = v.tensorOf([3, 1], (i) => 1e3 * (1 + B0.data[i]));
  return graph().input('X', X).param('P', P).param('beta', beta).input('minusBeta', v.tensorOf([3, 1], (i) => -beta.data[i]))
    .param('q', v.normals(seed + 3, [3, 5])).node('M', 'mul', ['X', 'P']).node('Mb', 'add', ['M', 'beta']).node('Mc', 'add', ['Mb', 'minusBeta'])
    .node('T', 'tanh', ['Mc']).node('Tq', 'mul', ['T', 'q']).node('J', 'sum', ['Tq']).build();
}

export const hard = {
  saturatedUnit15to30: () => saturatedUnit(1000, 15, 30),
  saturatedUnit15to20: () => saturatedUnit(1010, 15, 20),
  saturatedNet: () => saturatedNet(1020, 12),
  saturatedTanhNet: () => saturatedNet(1030, 3, 8),
  reluZerosAllUnits: () => reluZeros(1040),
  reluZerosSomeUnits: () => reluZeros(1050, [0, 2]),
  reluZerosTwoLayers: () => reluZeros(1060, undefined, true),
  reluNearZeros: () => reluNearZeros(1065),
  tanh6Layers: () => net(1070, [4, 5, 5, 5, 5, 5, 5, 1], 6, 'tanh', 1.3),
  tanh6LayersHighGain: () => net(1080, [3, 8, 8, 8, 8, 8, 8, 1], 5, 'tanh', 2.5),
  mixedScales: () => mixedScales(1090),
  elementScales: () => elementScales(1100),
  wide64Relu: () => net(1110, [6, 64, 1], 10, 'relu', 1.5),
  wide64Tanh: () => net(1120, [4, 64, 16, 1], 12, 'tanh', 1.5),
  narrow1Unit: () => net(1130, [4, 1, 3, 1, 1], 6, 'tanh', 1.5),
  deepReluBottleneck: () => net(1140, [5, 6, 1, 6, 4, 1], 9, 'relu', 1.5),
  dropoutTwice: () => {
    const g = graph().input('X', v.normals(1150, [5, 12])).input('Y', v.coinLabels(1151, 12));
    const ps: [Tensor, Tensor][] = [[v.normals(1152, [10, 5], 0.6), v.normals(1153, [10, 1], 0.1)], [v.normals(1154, [6, 10], 0.4), v.normals(1155, [6, 1], 0.1)]];
    const h = layers(g, 'X', ['relu', 'tanh'], ps);
    g.node('D1', 'dropout', [h], { rate: 0.2, seed: 11 }).param('W3', v.normals(1156, [1, 6])).param('b3', v.filledWith([1, 1], 0));
    return g.node('Z3', 'linear', ['D1', 'W3', 'b3']).node('A3', 'sigmoid', ['Z3']).node('cost', 'logloss', ['A3', 'Y']).build();
  },
  broadcastOuter: () =>
    graph().param('row', v.normals(1160, [1, 6])).param('col', v.normals(1161, [4, 1])).param('k', -1.7).param('G', v.normals(1162, [4, 6], 0.5))
      .node('S', 'add', ['row', 'col']).node('P', 'mul', ['col', 'row']).node('Pk', 'mul', ['k', 'P']).node('U', 'add', ['S', 'Pk'])
      .node('V', 'mul', ['U', 'G']).node('T', 'tanh', ['V']).node('J', 'sum', ['T']).build(),
  matmulChain4: () =>
    graph().param('A', v.normals(1170, [2, 3])).param('B', v.normals(1171, [3, 4], 0.6)).param('C', v.normals(1172, [4, 4], 0.5))
      .param('D', v.normals(1173, [4, 2], 0.5)).input('R', v.normals(1174, [2, 2]))
      .node('AB', 'matmul', ['A', 'B']).node('ABC', 'matmul', ['AB', 'C']).node('ABCD', 'matmul', ['ABC', 'D'])
      .node('T', 'tanh', ['ABCD']).node('TR', 'mul', ['T', 'R']).node('J', 'sum', ['TR']).build(),
} satisfies Record<string, () => Graph>;
