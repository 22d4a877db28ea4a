/** The example graphs under graphs/: the seed's figures, the extra models, and params left intact. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../src/check/check-graph.js';
import type { Graph } from '../../src/core/graph.js';
import { loadGraphFile } from '../../src/dsl/index.js';
import { ROOT } from './helpers.js';

const loadExample = (name: string) => loadGraphFile(`graphs/${name}`, { cwd: ROOT });

/** Every param's values, copied. */
const snapshot = (graph: Graph) => Object.fromEntries(graph.leaves.filter((l) => l.kind === 'param').map((l) => [l.name, Array.from(l.value.data)]));

describe('example graphs', () => {
  it('linear1d: the seed\'s J = θx reproduces its difference', async () => {
    const { graph, registry } = await loadExample('linear1d.graph');
    const report = checkGraph(graph, { registry, method: 'seed' });
    expect(report.objective).toBe(8);
    expect(report.difference).toBe(2.919335883291695e-10);
  });

  it('fraud: the seed\'s network gives its cost and passes the auto check', async () => {
    const { graph, registry } = await loadExample('fraud.graph');
    expect(graph.leaves.map((l) => `${l.kind} ${l.name}`)).toEqual(['input X', 'input Y', ...['W1', 'b1', 'W2', 'b2', 'W3', 'b3'].map((n) => `param ${n}`)]);
    expect(graph.objective).toBe('cost');
    expect(checkGraph(graph, { registry, method: 'seed' }).objective).toBe(2.407833389834357);
    expect(checkGraph(graph, { registry }).verdict).toBe('pass');
  });

  it('fraud: values are fraud.json\'s, bit for bit', async () => {
    const { graph } = await loadExample('fraud.graph');
    const json = JSON.parse(readFileSync(join(ROOT, 'graphs/fraud.json'), 'utf8')) as Record<string, number[][]>;
    for (const leaf of graph.leaves) expect(Array.from(leaf.value.data)).toEqual(json[leaf.name].flat());
  });

  it('fraud-buggy: loads the seed\'s bugs and fails with the seed\'s difference', async () => {
    const { graph, registry } = await loadExample('fraud-buggy.graph');
    expect(registry.sourceOf('linear_dW_x2')).toBe('./ops/seed-bugs.ts');
    const report = checkGraph(graph, { registry, method: 'seed' });
    expect(report.verdict).toBe('fail');
    expect(report.difference).toBeCloseTo(0.2850931567761623, 9);
    expect(report.params.find((p) => p.name === 'W2')!.verdict).toBe('fail');
    expect(report.params.find((p) => p.name === 'b1')!.verdict).toBe('fail');
    expect(report.params.find((p) => p.name === 'W3')!.verdict).toBe('pass');
  });

  it.each(['residual-tanh.graph', 'gated.graph'])('%s passes the default check', async (name) => {
    const { graph, registry } = await loadExample(name);
    const report = checkGraph(graph, { registry });
    expect(report.verdict).toBe('pass');
    expect(report.difference).toBeLessThan(1e-6);
  });

  it('residual-tanh uses Z twice and gated feeds O to both arguments of one mul', async () => {
    const residual = (await loadExample('residual-tanh.graph')).graph;
    expect(residual.nodes.filter((n) => n.args.includes('Z')).map((n) => n.id)).toEqual(['H', 'R']);
    const gated = (await loadExample('gated.graph')).graph;
    expect(gated.nodes.find((n) => n.id === 'Q')!.args).toEqual(['O', 'O']);
  });

  it('--ops adds modules to the registry, like use', async () => {
    const { registry } = await loadGraphFile('graphs/fraud.graph', { cwd: ROOT, ops: ['graphs/ops/seed-bugs.ts'] });
    expect(registry.sourceOf('linear_db_x4')).toBe('graphs/ops/seed-bugs.ts');
  });
});

describe('params are left as they were', () => {
  it('after a failing check', async () => {
    const { graph, registry } = await loadExample('fraud-buggy.graph');
    const before = snapshot(graph);
    expect(checkGraph(graph, { registry, method: 'seed' }).verdict).toBe('fail');
    expect(snapshot(graph)).toEqual(before);
  });

  it('after a check that throws mid-way (an op that fails once its input is perturbed)', async () => {
    const { graph, registry } = await loadGraphFile('test/dsl/fixtures/runtime.graph', { cwd: ROOT });
    const before = snapshot(graph);
    expect(() => checkGraph(graph, { registry })).toThrow(/fragile.forward threw: input moved to 0\.(5000|4999)/);
    expect(snapshot(graph)).toEqual(before);
    expect(before.p).toEqual([0.5]);
  });

  it('after a failing load: loading again reads the same values', async () => {
    const runtime = () => loadGraphFile('test/dsl/fixtures/runtime.graph', { cwd: ROOT });
    const first = snapshot((await runtime()).graph);
    const failing = loadGraphFile('test/dsl/fixtures/runtime.graph', { cwd: ROOT, data: ['test/dsl/fixtures/wrong-shape.json'] });
    await expect(failing).rejects.toThrow('W is declared [2, 2], but "test/dsl/fixtures/wrong-shape.json" gives it shape [2, 3]');
    expect(snapshot((await runtime()).graph)).toEqual(first);
  });
});
