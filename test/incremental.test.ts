/**
 * Incremental replays against full recomputation: every op's update rule on random changes, and
 * whole replays of perturbed elements on the zoo's graphs and the seed's network.
 */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { builtinOps, createRandom, graph, OpRegistry, type Graph, type Op, type Tensor } from '../src/index.js';
import type { Region } from '../src/core/op.js';
import { compile } from '../src/engine/plan.js';
import { forwardGuarded } from '../src/engine/forward.js';
import { replay, type Perturbation } from '../src/engine/replay.js';
import { domains, randomFor } from './helpers/op-domains.js';
import { cases } from '../bench/zoo/cases.js';
import { logloss } from '../src/ops/logloss.js';

const maxGap = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const scale = (t: Float64Array) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 1);

describe('each op update rule agrees with its forward', () => {
  const withUpdate = builtinOps.filter((op) => op.update);

  it('covers the ops that have one', () => {
    expect(withUpdate.map((op) => op.name).sort()).toEqual(['add', 'linear', 'logloss', 'matmul', 'mul', 'relu', 'sigmoid', 'tanh']);
  });

  // A change in some rows of one input, in every column or in some (a region), as a node's value
  // (its before known) and as a param changed in place (before unknown).
  const shapesOfChange = ['rows', 'rows and columns', 'all rows, some columns'] as const;
  it.each(withUpdate.flatMap((op) => domains[op.name].flatMap((domain, row) => shapesOfChange.map((kind) => [op.name, row, kind, op, domain] as const))))('%s row %i: a change in %s', (_n, _r, kind, op, domain) => {
    let used = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const random = createRandom(seed);
      const before = domain.draw(randomFor(seed));
      const out = op.forward(before, domain.attrs);
      const k = Math.floor(random.uniform() * before.length);
      const changedInput = before[k];
      if (changedInput.shape.length !== 2) continue;
      const [m, n] = changedInput.shape;
      const pick = (size: number) => [...new Set([0, Math.floor(random.uniform() * size)])].sort((a, b) => a - b);
      const rows: readonly number[] | 'all' = kind === 'all rows, some columns' ? 'all' : pick(m);
      const cols = kind === 'rows' ? undefined : pick(n);
      const inChange = (e: number) => (rows === 'all' || rows.includes(Math.floor(e / n))) && (!cols || cols.includes(e % n));
      const move = domain.move ?? ((v: number) => v + random.normal());
      const after: Tensor[] = before.map((t, i) => (i === k ? { shape: t.shape, data: t.data.map((v, e) => (inChange(e) ? move(v, random) : v)) } : t));
      for (const known of [true, false]) {
        const changes = before.map((t, i) => (i === k ? { rows, ...(cols ? { cols } : {}), before: known ? t : null } : null));
        const output = { shape: out.shape, data: out.data.slice() };
        const written = op.update!(after, output, changes, domain.attrs);
        if (!written) {
          expect(output.data).toEqual(out.data);
          continue;
        }
        used++;
        const full = op.forward(after, domain.attrs);
        expect(maxGap(output.data, full.data)).toBeLessThanOrEqual(1e-13 * scale(full.data));
        // Outside what the rule says it wrote, the output is what it was, bit for bit.
        if (written !== 'all') {
          const [wRows, wCols] = Array.isArray(written) ? [written, undefined] : [(written as Region).rows, (written as Region).cols];
          const outCols = full.shape[1];
          const inside = (e: number) => (wRows === 'all' || wRows.includes(Math.floor(e / outCols))) && (!wCols || wCols.includes(e % outCols));
          output.data.forEach((v, e) => !inside(e) && expect(v).toBe(out.data[e]));
        }
      }
    }
    expect(used).toBeGreaterThan(0);
  });

  it.each(withUpdate.flatMap((op) => domains[op.name].map((domain, row) => [op.name, row, op, domain] as const)))('%s row %i: one element of a param moved by δ', (_n, _r, op, domain) => {
    let used = 0;
    for (const seed of [11, 12, 13, 14]) {
      const random = createRandom(seed);
      const inputs = domain.draw(randomFor(seed));
      const out = op.forward(inputs, domain.attrs);
      inputs.forEach((x, k) => {
        if (x.shape.length !== 2) return;
        const index = Math.floor(random.uniform() * x.data.length);
        const moved = { shape: x.shape, data: x.data.slice() };
        moved.data[index] += 1e-3;
        const delta = moved.data[index] - x.data[index];
        const after = inputs.map((t, i) => (i === k ? moved : t));
        const changes = inputs.map((_t, i) => (i === k ? { rows: [Math.floor(index / x.shape[1])], before: null, element: { index, delta } } : null));
        const output = { shape: out.shape, data: out.data.slice() };
        if (!op.update!(after, output, changes, domain.attrs)) return;
        used++;
        const full = op.forward(after, domain.attrs);
        expect(maxGap(output.data, full.data), `input ${k}`).toBeLessThanOrEqual(1e-13 * scale(full.data));
      });
    }
    expect(used).toBeGreaterThan(0);
  });
});

describe("logloss's rule: the logs of what changed, the forward's bits", () => {
  it.each([
    ['rows', 'some'],
    ['all', 'some'],
    ['rows', undefined],
    ['all', undefined],
  ] as const)('a change in %s rows, %s columns', (rowKind, colKind) => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const random = createRandom(seed);
      const [m, n] = [1 + (seed % 3), 3 + seed];
      const unit = () => 0.01 + 0.98 * random.uniform();
      const A: Tensor = { shape: [m, n], data: Float64Array.from({ length: m * n }, unit) };
      // Labels 0 and 1 (a term skipped) and fractions (both terms).
      const Y: Tensor = { shape: [m, n], data: Float64Array.from({ length: m * n }, (_v, i) => (i % 3 === 2 ? unit() : i % 3)) };
      const rows = rowKind === 'all' ? ('all' as const) : [...new Set([0, m - 1])];
      const cols = colKind === 'some' ? [1, n - 2] : undefined;
      const moved: Tensor = { shape: A.shape, data: A.data.map((v, e) => ((rows === 'all' || rows.includes(Math.floor(e / n))) && (!cols || cols.includes(e % n)) ? unit() : v)) };
      const cost = logloss.forward([A, Y]);
      expect(logloss.update!([moved, Y], cost, [{ rows, ...(cols ? { cols } : {}), before: A }, null])).toBe('all');
      expect(Object.is(cost.data[0], logloss.forward([moved, Y]).data[0])).toBe(true);
    }
  });
});

describe('incremental replays agree with full ones', () => {
  const graphs = ['host:mlp', 'host:residual', 'host:gated', 'host:broadcast', 'host:matmulChain', 'deepReluBottleneck', 'mixedScales'];

  // Besides the zoo: the examples themselves as a param, 400 columns wide, so that a change is one
  // column of many rows (put back element by element, not as whole rows).
  const random = createRandom(5);
  const matrix = (rows: number, cols: number) => ({ shape: [rows, cols], data: Float64Array.from({ length: rows * cols }, () => random.normal()) });
  const wide = () => graph().param('X', matrix(4, 400)).param('W', matrix(8, 4)).node('Z', 'linear', ['X', 'W']).node('A', 'relu', ['Z'])
    .param('V', matrix(5, 8)).node('Z2', 'linear', ['A', 'V']).node('T', 'tanh', ['Z2']).node('c', 'sum', ['T']).build();
  const built: Record<string, { build: () => Graph; ops: Op[] }> = { 'examples as a param, 400 wide': { build: wide, ops: [] } };

  it.each([...graphs, ...Object.keys(built)])('%s: every element perturbed', async (name) => {
    const c = built[name] ?? cases.find((x) => x.name === name)!;
    const registry = new OpRegistry();
    c.ops.forEach((op) => registry.register(op, 'zoo'));
    const plan = compile(c.build(), registry);
    const { values } = forwardGuarded(plan);
    const perturbations: Perturbation[] = plan.leaves
      .filter((l) => l.kind === 'param')
      .flatMap((l) => [...l.value.data.keys()].map((index) => ({ param: l.name, index, step: 1e-3 * (1 + (index % 3)) })));
    const run = (incremental: boolean) => lastValueFrom(replay(plan, values, perturbations, { incremental }).pipe(toArray()));
    const [fast, full] = [await run(true), await run(false)];
    const j = Math.abs(values[plan.objective].data[0]);
    fast.forEach((e, i) => expect(Math.abs(e.value - full[i].value)).toBeLessThanOrEqual(1e-13 * Math.max(1, j)));
    expect(fast.length).toBe(perturbations.length);
  });
});
