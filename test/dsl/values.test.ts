import { describe, expect, it } from 'vitest';
import { randn } from '../../src/dsl/index.js';
import type { Graph } from '../../src/core/graph.js';
import { load } from './helpers.js';

/** A scalar objective over a [2, 2] param W: the sum of its elements. */
const SUM_W = '\ninput r[1, 2] = ones\ninput c[2, 1] = ones\nRW = matmul(r, W)\nJ = matmul(RW, c)';

const valueOf = (graph: Graph, name: string) => {
  const leaf = graph.leaves.find((l) => l.name === name)!;
  return { kind: leaf.kind, shape: leaf.value.shape, data: Array.from(leaf.value.data) };
};

describe('leaf values', () => {
  it('come from every initialiser and from literals', async () => {
    const { graph } = await load(`input x[] = 2
input y = [[1, 2, 3]]
param z[2, 2] = zeros
param o[1, 2] = ones
param r[2, 2] = randn(7)
param s[3] = randn(7, 0.5)
J = mul(x, x)`);
    expect(valueOf(graph, 'x')).toEqual({ kind: 'input', shape: [], data: [2] });
    expect(valueOf(graph, 'y')).toEqual({ kind: 'input', shape: [1, 3], data: [1, 2, 3] });
    expect(valueOf(graph, 'z')).toEqual({ kind: 'param', shape: [2, 2], data: [0, 0, 0, 0] });
    expect(valueOf(graph, 'o')).toEqual({ kind: 'param', shape: [1, 2], data: [1, 1] });
    expect(valueOf(graph, 'r').data).toEqual([-1.5370383110628956, -0.2949978339025397, 2.7798852822589497, 0.5592582996313386]);
    expect(valueOf(graph, 's').data).toEqual([-0.7685191555314478, -0.14749891695126985, 1.3899426411294749]);
  });

  it('randn is deterministic, row-major and scaled', () => {
    expect(Array.from(randn([2, 2], 7).data)).toEqual(Array.from(randn([4], 7).data));
    expect(Array.from(randn([3], 7, 0.5).data)).toEqual(Array.from(randn([3], 7).data).map((v) => v * 0.5));
    expect(Array.from(randn([2], 8).data)).not.toEqual(Array.from(randn([2], 7).data));
  });

  it('come from data files, the later file winning', async () => {
    const { graph } = await load('data "values-a.json"\ndata "values-b.json"\nparam W[2, 2]\nparam b[2, 1]\ninput r[1, 2] = ones\nZ = linear(b, W, b)\nJ = matmul(r, Z)');
    expect(valueOf(graph, 'W').data).toEqual([10, 20, 30, 40]); // values-b.json, the later one
    expect(valueOf(graph, 'b').data).toEqual([0.5, 0.25]); // only values-a.json has b
  });

  it('an explicit = ... beats the file\'s data files', async () => {
    const { graph } = await load('data "values-b.json"\nparam W[2, 2] = ones' + SUM_W);
    expect(valueOf(graph, 'W').data).toEqual([1, 1, 1, 1]);
  });

  it('--data files beat everything, the last of them winning', async () => {
    const source = 'data "values-a.json"\nparam W[2, 2] = zeros' + SUM_W;
    const one = await load(source, { data: ['test/dsl/fixtures/values-a.json'] });
    expect(valueOf(one.graph, 'W').data).toEqual([1, 2, 3, 4]);
    const two = await load(source, { data: ['test/dsl/fixtures/values-a.json', 'test/dsl/fixtures/values-b.json'] });
    expect(valueOf(two.graph, 'W').data).toEqual([10, 20, 30, 40]);
  });

  it('a leaf without a declared shape takes its value\'s shape', async () => {
    const { graph } = await load('data "values-a.json"\nparam W' + SUM_W);
    expect(valueOf(graph, 'W').shape).toEqual([2, 2]);
  });

  it('numeric arguments become scalar constant inputs that cannot clash with names', async () => {
    const { graph } = await load('param a[] = 3\nJ = mul(a, 0.5)');
    expect(valueOf(graph, 'J#arg2')).toEqual({ kind: 'input', shape: [], data: [0.5] });
    expect(graph.nodes[0]).toMatchObject({ id: 'J', op: 'mul', args: ['a', 'J#arg2'] });
  });

  it('keyword arguments reach the op as attrs; the last assignment is the objective', async () => {
    const { graph } = await load('param a[] = 3\nD = dropout(a, rate=0.5, seed=3)\nJ = mul(D, D)\nK = mul(J, 2)');
    expect(graph.nodes[0].attrs).toEqual({ rate: 0.5, seed: 3 });
    expect(graph.objective).toBe('K');
  });
});
