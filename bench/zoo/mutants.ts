/**
 * The zoo's mutants: user ops that keep a built-in op's forward rule and get its backward rule
 * wrong in one of the ways hand-written gradients go wrong. Each factory in `mutants` makes one
 * kind; the ops it returns are named after the base op and the bug (`linear_dW_x2`), so a
 * report's node table says what was planted. A mutant reuses the built-in's correct rule and
 * then damages its output, so the bug is exactly the one its name says.
 */
import { linear, logloss, relu, sigmoid, tanh } from '../../src/ops/index.js';
import type { Attrs, Op } from '../../src/core/op.js';
import type { Tensor } from '../../src/core/tensor.js';

type Grads = (Tensor | null)[];
interface RuleArgs {
  inputs: Tensor[];
  output: Tensor;
  gradOutput: Tensor;
  attrs?: Attrs;
}

/** The op `base` under another name, its correct gradients passed through `damage`. */
function damaged(base: Op, name: string, damage: (grads: Grads, args: RuleArgs) => Grads): Op {
  return {
    name,
    inputs: [...base.inputs],
    forward: base.forward,
    ...(base.shape ? { shape: base.shape } : {}),
    ...(base.update ? { update: base.update } : {}),
    doc: `mutant of ${base.name}`,
    backward: (inputs, output, gradOutput, attrs) => damage(base.backward(inputs, output, gradOutput, attrs), { inputs, output, gradOutput, attrs }),
  };
}

/** The op `base` under another name with a rule written from scratch (a wrong derivative). */
function rewritten(base: Op, name: string, backward: Op['backward']): Op {
  return { name, inputs: [...base.inputs], forward: base.forward, ...(base.shape ? { shape: base.shape } : {}), ...(base.update ? { update: base.update } : {}), doc: `mutant of ${base.name}`, backward };
}

const mapped = (t: Tensor, f: (v: number, i: number) => number): Tensor => ({ shape: [...t.shape], data: t.data.map(f) });

/** Replaces gradient `k` (which the base rule must return) by `f` of it. */
const at = (grads: Grads, k: number, f: (g: Tensor) => Tensor | null): Grads =>
  grads.map((g, i) => {
    if (i !== k) return g;
    if (!g) throw new Error(`mutant: the base rule gives input ${k} no gradient`);
    return f(g);
  });

const inputLabel = (base: Op, k: number) => base.inputs[k].replace('?', '');
const factorLabel = (c: number) => `x${c < 0 ? 'neg' : ''}${String(Math.abs(c)).replace('.', '_')}`;

/** Every kind of planted bug, one factory each. `k` is the index of the damaged input. */
export const mutants = {
  /** d(input k) × c: ×2, ×0.5, ×−1 (a sign), ×1.01 (a slightly wrong constant). */
  scale: (base: Op, k: number, c: number): Op =>
    damaged(base, `${base.name}_d${inputLabel(base, k)}_${factorLabel(c)}`, (g) => at(g, k, (t) => mapped(t, (v) => v * c))),

  /** d(input k) transposed; input k must be square (W of a layer with as many units as features). */
  transpose: (base: Op, k: number): Op =>
    damaged(base, `${base.name}_d${inputLabel(base, k)}_T`, (g) =>
      at(g, k, (t) => {
        const [r, c] = t.shape;
        if (r !== c) throw new Error(`mutant: transpose needs a square gradient, got [${t.shape}]`);
        return mapped(t, (_v, i) => t.data[(i % r) * r + Math.floor(i / r)]);
      }),
    ),

  /** logloss without its 1/m: the gradient of the summed cost for the mean cost. */
  lossWithoutMean: (): Op => damaged(logloss, 'logloss_no_1_over_m', (g, { inputs: [A] }) => at(g, 0, (t) => mapped(t, (v) => v * A.shape[1]))),

  /**
   * A reduction's rule that averages where it should sum: d(input k) divided by the number of
   * elements reduced over, the ratio of the larger of input k and the output to the smaller
   * (sum → mean of n; a bias's Σ over the m examples → a mean; a broadcast add's Σ → a mean).
   */
  meanForSum: (base: Op, k: number): Op =>
    damaged(base, `${base.name}_d${inputLabel(base, k)}_mean`, (g, { gradOutput }) =>
      at(g, k, (t) => {
        const [a, b] = [t.data.length, gradOutput.data.length];
        return mapped(t, (v) => v / (Math.max(a, b) / Math.min(a, b)));
      }),
    ),

  /** sigmoid's derivative written s(1 + s). */
  sigmoidPlus: (): Op => rewritten(sigmoid, 'sigmoid_s_1_plus_s', (_x, s, dy) => [mapped(dy, (g, i) => g * s.data[i] * (1 + s.data[i]))]),

  /** tanh's derivative written 1 − t (not 1 − t²). */
  tanhLinear: (): Op => rewritten(tanh, 'tanh_1_minus_t', (_x, t, dy) => [mapped(dy, (g, i) => g * (1 - t.data[i]))]),

  /** relu passing the gradient on the wrong side: where x < 0 instead of x > 0. */
  reluWrongSide: (): Op => rewritten(relu, 'relu_wrong_side', ([x], _y, dy) => [mapped(dy, (g, i) => (x.data[i] < 0 ? g : 0))]),

  /** d(input k) wrong in one element only: element `index` (flat) multiplied by c. */
  oneElement: (base: Op, k: number, index: number, c = 3): Op =>
    damaged(base, `${base.name}_d${inputLabel(base, k)}_elem${index}_${factorLabel(c)}`, (g) => at(g, k, (t) => mapped(t, (v, i) => (i === index ? v * c : v)))),

  /** d(input k) with elements i and j (flat) swapped: an index bug, wrong in two elements by one amount. */
  swap: (base: Op, k: number, i: number, j: number): Op =>
    damaged(base, `${base.name}_d${inputLabel(base, k)}_swap${i}_${j}`, (g) => at(g, k, (t) => mapped(t, (v, n) => (n === i ? t.data[j] : n === j ? t.data[i] : v)))),

  /**
   * A dropped accumulation: a two-input op used as f(T, T) whose rule gives only the first
   * argument its gradient and null (`null`) or zeros (`zeros`) for the second.
   */
  dropSecond: (base: Op, how: 'null' | 'zeros'): Op =>
    damaged(base, `${base.name}_drop_second_${how}`, (g) => at(g, 1, (t) => (how === 'null' ? null : mapped(t, () => 0)))),
} as const;

export type MutantKind = keyof typeof mutants;

/** Built-ins the cases damage, re-exported so cases.ts needs one import. */
export { linear, logloss, relu, sigmoid, tanh };
export { add, mul, matmul, sum, dropout } from '../../src/ops/index.js';
