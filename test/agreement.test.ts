/**
 * The ways of checking agree: on every case of the bug zoo, the default verdict (directions
 * first), the full element-wise check through incremental replays, and the full check replaying
 * every node in full reach the same verdict and blame the same nodes; worker threads give the
 * one-thread numbers; and every param comes back bit for bit after each.
 */
import { describe, expect, it } from 'vitest';
import { checkGraph, checkGraphAsync, type CheckOptions, type CheckReport } from '../src/index.js';
import { cases } from '../bench/zoo/cases.js';
import { loadGraphFile } from '../src/dsl/index.js';

const blamed = (r: CheckReport) => (r.nodes ?? []).filter((n) => n.verdict === 'fail').map((n) => n.id).sort();
const bits = (a: Float64Array) => [...a].map((v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('default, full incremental and full non-incremental checks agree on the bug zoo', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const g = c.build();
    const before = g.leaves.map((l) => l.value.data.slice());
    const ways: Record<string, CheckOptions> = {
      default: {},
      'full, incremental': { full: true },
      'full, every node replayed in full': { full: true, incremental: false },
    };
    const expected = c.blame.length > 0 ? 'fail' : 'pass';
    const diagnoses = new Set<string>();
    for (const [way, options] of Object.entries(ways)) {
      const report = checkGraph(g, { ops: c.ops, ...options });
      expect(report.verdict, way).toBe(expected);
      expect(blamed(report), way).toEqual([...c.blame].sort());
      // The node inputs the directions screened and found wrong were then checked element by
      // element: the same diagnosis as where every element was checked.
      diagnoses.add(JSON.stringify(wrongInputs(report)));
      g.leaves.forEach((l, i) => expect(l.value.data, `${way}: ${l.name} restored`).toEqual(before[i]));
    }
    expect(diagnoses.size).toBe(1);
  });

  it('the default screens node inputs along directions (so the agreement above covers it); `full` never does', () => {
    const screened = (options: CheckOptions) =>
      cases.reduce((n, c) => n + (checkGraph(c.build(), { ops: c.ops, mode: 'nodes', ...options }).nodes ?? []).flatMap((node) => node.inputs).filter((i) => i.directions).length, 0);
    expect(screened({})).toBeGreaterThan(50);
    expect(screened({ full: true })).toBe(0);
  });
});

/** Each failing node input, with how its diagnosis says it is wrong. */
const wrongInputs = (r: CheckReport) => (r.nodes ?? []).flatMap((n) => n.inputs.filter((i) => i.verdict === 'fail').map((i) => [n.id, i.name, i.diagnosis?.kind, i.directions ?? 0]));

describe('worker threads agree with one thread', () => {
  const portable = cases.filter((c) => c.ops.length === 0).slice(0, 3);
  it.each(portable.map((c) => [c.name, c] as const))('%s, full element-wise', async (_name, c) => {
    const g = c.build();
    const one = checkGraph(g, { mode: 'graph' });
    const threads = await checkGraphAsync(g, { mode: 'graph', workers: 2 });
    expect(threads.verdict).toBe(one.verdict);
    threads.params.forEach((p, k) => expect(bits(p.numeric)).toEqual(bits(one.params[k].numeric)));
  });

  it("the seed's bug from its graph file: the same verdict and blame as one thread", async () => {
    const { graph: g, registry } = await loadGraphFile('graphs/fraud-buggy.graph');
    const one = checkGraph(g, { registry, full: true });
    const threads = await checkGraphAsync(g, { registry, full: true, workers: 2 });
    expect([threads.verdict, blamed(threads)]).toEqual(['fail', ['Z1', 'Z2']]);
    expect([one.verdict, blamed(one)]).toEqual(['fail', ['Z1', 'Z2']]);
  });
});
