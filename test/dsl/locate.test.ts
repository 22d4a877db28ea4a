/** Engine errors (compile, forward, backward) mapped back to the graph file's spans. */
import { describe, expect, it } from 'vitest';
import { checkGraph } from '../../src/check/check-graph.js';
import { methodOf } from '../../src/check/methods.js';
import { GradproofError } from '../../src/core/errors.js';
import { formatDiagnostic, loadGraphFile } from '../../src/dsl/index.js';
import { load, ROOT } from './helpers.js';

const runtime = () => loadGraphFile('test/dsl/fixtures/runtime.graph', { cwd: ROOT });

function thrown(f: () => unknown): GradproofError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GradproofError);
    return e as GradproofError;
  }
  throw new Error('expected a throw');
}

describe('LoadedGraph.locate', () => {
  it('places a forward error at the op name', async () => {
    const loaded = await runtime();
    const e = thrown(() => checkGraph(loaded.graph, { registry: loaded.registry, mode: 'graph' }));
    expect(e.where).toEqual({ node: 'F', op: 'fragile' });
    const where = loaded.locate(e.where)!;
    expect(where).toEqual({ node: 'F', op: 'fragile', file: 'test/dsl/fixtures/runtime.graph', line: 9, col: 5, length: 7 });
    const expected =
      `test/dsl/fixtures/runtime.graph:9:5: node F: fragile.forward threw: input moved to ${0.5 + methodOf('auto').step(0.5)}\n` +
      '  9 | F = fragile(p)\n' +
      '    |     ^^^^^^^';
    expect(formatDiagnostic(new GradproofError(e.code, e.message, where), loaded.source)).toBe(expected);
    expect(loaded.explain(e)).toBe(expected);
  });

  it('places a wrong gradient shape at the argument', async () => {
    const loaded = await load('use "./runtime-ops.ts"\nparam p[1, 1] = [[2]]\nG = wrong_grad(p)\nJ = mul(G, G)');
    const e = thrown(() => checkGraph(loaded.graph, { registry: loaded.registry }));
    expect(e.message).toBe('node G: wrong_grad.backward returned shape [7] for input x, whose shape is [1, 1]');
    expect(loaded.locate(e.where)).toMatchObject({ line: 3, col: 16, length: 1 });
  });

  it('places leaves, constants, nodes and inputs named without an index', async () => {
    const loaded = await load('param W[2, 2] = ones\ninput x[2, 1] = ones\nZ = linear(x, W)\nS = mul(Z, 0.25)\ninput r[1, 2] = ones\nJ = matmul(r, S)');
    expect(loaded.locate({ leaf: 'W' })).toMatchObject({ line: 1, col: 7, length: 1 });
    expect(loaded.locate({ node: 'S#arg2' })).toMatchObject({ line: 4, col: 12, length: 4 });
    expect(loaded.locate({ node: 'Z' })).toMatchObject({ line: 3, col: 1, length: 1 });
    expect(loaded.locate({ node: 'Z', op: 'linear', input: 'W' })).toMatchObject({ line: 3, col: 15, length: 1 });
    expect(loaded.locate({ node: 'Z', arg: 0 })).toMatchObject({ line: 3, col: 12, length: 1 });
  });

  it('returns null for what the file does not hold, and a placed where as it is', async () => {
    const loaded = await load('param W[] = 1\nJ = mul(W, W)');
    expect(loaded.locate({ node: 'nowhere' })).toBeNull();
    expect(loaded.locate({})).toBeNull();
    const placed = { file: 'x.graph', line: 3, col: 4, length: 2 };
    expect(loaded.locate(placed)).toBe(placed);
  });
});
