/**
 * The zoo's case list: every correct graph (the hard ones and each host as it is), and every
 * mutant placed in a host with the node(s) it was placed in, which a check should blame.
 */
import { withOp } from '../../src/core/edit.js';
import type { Graph } from '../../src/core/graph.js';
import type { Op } from '../../src/core/op.js';
import { hard, hosts, type HostName } from './graphs.js';
import { add, dropout, linear, matmul, mul, mutants as m, sigmoid, sum, tanh } from './mutants.js';

export type CaseKind =
  | 'correct'
  | 'scale'
  | 'transpose'
  | 'missing-mean'
  | 'wrong-derivative'
  | 'one-element'
  | 'swap'
  | 'zero-upstream'
  | 'two-consumers'
  | 'dropped-accumulation'
  | 'two-bugs';

export interface ZooCase {
  name: string;
  kind: CaseKind;
  /** The graph the case starts from (a host's or a hard graph's name). */
  graph: string;
  build: () => Graph;
  /** The user ops the graph needs (its mutants). */
  ops: Op[];
  /** The mutated nodes: what a check should blame (none for a correct graph). */
  blame: string[];
  note: string;
}

type Placement = [node: string, op: Op];

/** A mutant case: `host` with each placement's node switched to its mutant op. */
function planted(kind: CaseKind, host: HostName, placements: Placement[], note: string): ZooCase {
  const ops = [...new Map(placements.map(([, op]) => [op.name, op])).values()];
  const name = `${host}:${placements.map(([node, op]) => `${node}=${op.name}`).join('+')}`;
  const build = () => placements.reduce((g, [node, op]) => withOp(g, node, op.name), hosts[host]());
  return { name, kind, graph: host, build, ops, blame: placements.map(([node]) => node), note };
}

const correct = (graph: string, build: () => Graph, note: string): ZooCase => ({ name: graph, kind: 'correct', graph, build, ops: [], blame: [], note });

export const correctCases: ZooCase[] = [
  ...Object.entries(hard).map(([name, build]) => correct(name, build, 'hard correct graph')),
  ...Object.entries(hosts).map(([name, build]) => correct(`host:${name}`, build, 'a host, unmutated')),
];

export const mutantCases: ZooCase[] = [
  planted('scale', 'mlp', [['Z2', m.scale(linear, 1, 2)]], "dW2 × 2 (the seed's bug)"),
  planted('scale', 'mlp', [['Z1', m.scale(linear, 2, 0.5)]], 'db1 × 0.5'),
  planted('scale', 'mlp', [['Z3', m.scale(linear, 0, -1)]], 'dX of the readout with a flipped sign'),
  planted('scale', 'tanhSquare', [['Z2', m.scale(linear, 1, 1.01)]], 'dW2 × 1.01'),
  planted('scale', 'broadcast', [['D', m.scale(mul, 1, 2)]], 'the scalar s gets 2 × its gradient'),
  planted('scale', 'dropoutNet', [['Dp', m.scale(dropout, 0, 0.5)]], 'dropout rule forgetting 1/(1 − rate): × 0.5 at rate 0.5'),
  planted('scale', 'tanhSquare', [['A3', m.scale(sigmoid, 0, 1.01)]], 'sigmoid × 1.01'),
  planted('scale', 'gated', [['J', m.scale(sum, 0, -1)]], 'sum with a flipped sign'),
  planted('transpose', 'tanhSquare', [['Z1', m.transpose(linear, 1)]], 'dW1 [4, 4] transposed'),
  planted('transpose', 'tanhSquare', [['Z2', m.transpose(linear, 1)]], 'dW2 [4, 4] transposed'),
  planted('transpose', 'residual', [['Z', m.transpose(linear, 1)]], 'dW1 [3, 3] transposed (Z feeds two consumers)'),
  planted('transpose', 'matmulChain', [['M1', m.transpose(matmul, 1)]], 'dB [4, 4] transposed'),
  planted('missing-mean', 'mlp', [['cost', m.lossWithoutMean()]], 'logloss without 1/m (m = 8)'),
  planted('missing-mean', 'dropoutNet', [['cost', m.lossWithoutMean()]], 'logloss without 1/m (m = 10)'),
  planted('missing-mean', 'gated', [['J', m.meanForSum(sum, 0)]], 'sum returning the mean'),
  planted('missing-mean', 'broadcast', [['B', m.meanForSum(add, 1)]], "the column bias's gradient averaged over the columns"),
  planted('missing-mean', 'mlp', [['Z1', m.meanForSum(linear, 2)]], 'db1 as a mean over the examples'),
  planted('wrong-derivative', 'mlp', [['A3', m.sigmoidPlus()]], 'sigmoid s(1 + s)'),
  planted('wrong-derivative', 'gated', [['S', m.sigmoidPlus()]], 'sigmoid s(1 + s) in the gate'),
  planted('wrong-derivative', 'tanhSquare', [['A1', m.tanhLinear()]], 'tanh 1 − t'),
  planted('wrong-derivative', 'mlp', [['A1', m.reluWrongSide()]], 'relu passing the gradient where x < 0'),
  planted('wrong-derivative', 'dropoutNet', [['A1', m.reluWrongSide()]], 'relu passing the gradient where x < 0, before dropout'),
  planted('one-element', 'mlp', [['Z2', m.oneElement(linear, 1, 4)]], 'dW2[0, 4] × 3'),
  planted('one-element', 'broadcast', [['C', m.oneElement(mul, 1, 2)]], 'dr[0, 2] × 3 (a broadcast row)'),
  planted('one-element', 'matmulChain', [['M2', m.oneElement(matmul, 0, 5)]], 'dM1[1, 1] × 3'),
  planted('swap', 'mlp', [['Z1', m.swap(linear, 1, 0, 7)]], 'dW1[0, 0] and dW1[1, 3] swapped'),
  planted('swap', 'mlp', [['Z2', m.swap(linear, 0, 3, 17)]], 'dA1[0, 3] and dA1[2, 1] swapped'),
  planted('swap', 'matmulChain', [['M1', m.swap(matmul, 1, 2, 9)]], 'dB[0, 2] and dB[2, 1] swapped'),
  planted('swap', 'broadcast', [['M', m.swap(matmul, 0, 0, 11)]], 'dW[0, 0] and dW[3, 2] swapped'),
  planted('zero-upstream', 'deadBranch', [['Z1', m.scale(linear, 1, 2)]], 'dW1 × 2 behind ReLUs that are all dead'),
  planted('zero-upstream', 'deadBranch', [['P', m.scale(linear, 1, -1)]], 'dW3 sign flipped in a branch multiplied by 0'),
  planted('zero-upstream', 'deadBranch', [['Z1', m.oneElement(linear, 2, 1)]], 'db1[1] × 3 behind dead ReLUs'),
  planted('two-consumers', 'residual', [['Z', m.scale(linear, 2, 2)]], 'db1 × 2; Z feeds tanh and the skip add'),
  planted('two-consumers', 'residual', [['H', m.tanhLinear()]], 'tanh 1 − t on one of the two paths from Z'),
  planted('two-consumers', 'gated', [['Z', m.scale(matmul, 0, 2)]], 'dW × 2; Z feeds tanh and sigmoid'),
  planted('two-consumers', 'gated', [['T', m.scale(tanh, 0, -1)]], 'tanh with a flipped sign on one of the two paths from Z'),
  planted('dropped-accumulation', 'gated', [['Q', m.dropSecond(mul, 'null')]], 'mul(O, O) giving the second O null'),
  planted('dropped-accumulation', 'gated', [['Q', m.dropSecond(mul, 'zeros')]], 'mul(O, O) giving the second O zeros'),
  planted('dropped-accumulation', 'matmulChain', [['Q', m.dropSecond(mul, 'null')]], 'mul(M3, M3) giving the second M3 null'),
  planted('dropped-accumulation', 'broadcast', [['U', m.dropSecond(add, 'zeros')]], 'add(T, T) giving the second T zeros'),
  planted('two-bugs', 'deadBranch', [['Z1', m.scale(linear, 1, 2)], ['Z4', m.scale(linear, 1, 2)]], 'one bug behind dead ReLUs, one in the readout'),
  planted('two-bugs', 'mlp', [['Z1', m.scale(linear, 2, 4)], ['Z2', m.scale(linear, 1, 2)]], "the seed's two bugs: db1 × 4, dW2 × 2"),
];

export const cases: ZooCase[] = [...correctCases, ...mutantCases];
