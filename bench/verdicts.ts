/**
 * The bug-zoo benchmark: every zoo case (bench/zoo/cases.ts) checked with method `seed` and with
 * the default method `auto`, both in mode `auto` (the graph, then the nodes when it fails), and
 * one table of what each got wrong. A benchmark, not a test: it always exits 0.
 *
 *   node bin/run-ts.mjs bench/verdicts.ts [--verbose] [--only TEXT]
 *
 * A case's mistakes: a correct graph that fails is a false alarm; a mutant that passes is a missed
 * bug; where nodes were checked, a mutated node not blamed or a correct node blamed (verdict
 * 'fail' in report.nodes) is a wrong localisation. With mode auto, nodes are checked only when
 * the graph fails, so a missed bug has no localisation to judge.
 */
import { checkGraph } from '../src/check/check-graph.js';
import { evaluate } from '../src/check/evaluate.js';
import type { CheckReport } from '../src/check/report.js';
import type { MethodName } from '../src/check/methods.js';
import { hosts, type HostName } from './zoo/graphs.js';
import { cases as allCases, type ZooCase } from './zoo/cases.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const cases = only ? allCases.filter((c) => c.name.includes(only) || c.kind === only) : allCases;
const methods: MethodName[] = ['seed', 'auto'];

interface Outcome {
  report: CheckReport;
  falseAlarm: boolean;
  missed: boolean;
  /** Mutated nodes not blamed, and correct nodes blamed (only where nodes were checked). */
  unblamed: string[];
  wronglyBlamed: string[];
}

function judge(c: ZooCase, report: CheckReport): Outcome {
  const mutant = c.blame.length > 0;
  const blamed = (report.nodes ?? []).filter((n) => n.verdict === 'fail').map((n) => n.id);
  const checkedNodes = report.nodes !== undefined;
  return {
    report,
    falseAlarm: !mutant && report.verdict === 'fail',
    missed: mutant && report.verdict === 'pass',
    unblamed: checkedNodes ? c.blame.filter((id) => !blamed.includes(id)) : [],
    wronglyBlamed: blamed.filter((id) => !c.blame.includes(id)),
  };
}

/** Whether a mutant changes any param's gradient at all (a graph check can only see it then). */
function visibleToGraphCheck(c: ZooCase): boolean {
  if (c.blame.length === 0) return true;
  const mine = evaluate(c.build(), { ops: c.ops }).gradients;
  const theirs = evaluate(hosts[c.graph as HostName]()).gradients;
  return [...mine].some(([name, g]) => g.data.some((x, i) => x !== theirs.get(name)!.data[i]));
}

const started = performance.now();
const results = cases.map((c) => {
  const graph = c.build();
  const outcomes = methods.map((method) => judge(c, checkGraph(graph, { method, mode: 'auto', ops: c.ops })));
  return { c, outcomes, visible: visibleToGraphCheck(c) };
});
const total = (performance.now() - started) / 1000;

const fmt = (x: number | null) => (x === null ? '–' : x.toExponential(2));

function detail({ c, outcomes, visible }: (typeof results)[number]): void {
  const mark = (o: Outcome) => (o.falseAlarm || o.missed || o.unblamed.length || o.wronglyBlamed.length ? '✗' : '✓');
  console.log(`\n${c.kind === 'correct' ? 'correct' : c.kind} ${c.name}: ${c.note}${visible ? '' : ' [no param gradient changes: invisible to a graph check]'}`);
  if (c.blame.length) console.log(`  expected blame: ${c.blame.join(', ')}`);
  outcomes.forEach((o, k) => {
    const r = o.report;
    const blamed = r.nodes ? (r.nodes.filter((n) => n.verdict === 'fail').map((n) => n.id).join(', ') || 'none') : 'nodes not checked';
    console.log(`  ${mark(o)} ${methods[k].padEnd(4)} ${r.verdict.padEnd(4)} difference ${fmt(r.difference)}  blamed: ${blamed}  (${r.evaluations} evaluations, ${(r.seconds * 1000).toFixed(0)} ms)`);
    for (const n of r.nodes ?? []) {
      if (!c.blame.includes(n.id) && n.verdict !== 'fail') continue;
      const role = c.blame.includes(n.id) ? 'mutated' : 'correct';
      for (const i of n.inputs) {
        if (i.verdict === 'none' && role === 'correct') continue;
        const text = i.diagnosis ? `${i.diagnosis.kind}: ${i.diagnosis.text}` : i.verdict === 'none' ? 'no gradient returned, not checked' : 'pass';
        console.log(`      ${role} ${n.id}.${i.name} (from ${i.from}) ${i.verdict} ${fmt(i.difference)}  ${text}`);
      }
    }
  });
}

if (verbose) results.forEach(detail);

const correctCount = results.filter((r) => r.c.blame.length === 0).length;
const mutantCount = results.length - correctCount;
const mutatedNodes = results.reduce((n, r) => n + r.c.blame.length, 0);
const graphsUsed = new Set(results.filter((r) => r.c.blame.length > 0).map((r) => r.c.graph)).size;
const invisible = results.filter((r) => !r.visible).length;
const column = (f: (o: Outcome) => number) => methods.map((_m, k) => results.reduce((n, r) => n + f(r.outcomes[k]), 0));
const rows: [string, number[]][] = [
  [`false alarms (of ${correctCount} correct graphs)`, column((o) => +o.falseAlarm)],
  [`missed bugs (of ${mutantCount} mutant cases)`, column((o) => +o.missed)],
  ['wrong localisations (nodes)', column((o) => o.unblamed.length + o.wronglyBlamed.length)],
  ['  mutated node not blamed', column((o) => o.unblamed.length)],
  ['  correct node blamed', column((o) => o.wronglyBlamed.length)],
  ['cases with any mistake', column((o) => +(o.falseAlarm || o.missed || o.unblamed.length + o.wronglyBlamed.length > 0))],
  ['forward evaluations', column((o) => o.report.evaluations)],
];
const width = Math.max(...rows.map(([label]) => label.length)) + 2;
console.log(`\nbug zoo: ${results.length} cases, ${correctCount} correct graphs, ${mutantCount} mutant cases (${mutatedNodes} mutated nodes in ${graphsUsed} graphs, ${invisible} invisible to a graph check), mode auto, ${total.toFixed(1)} s`);
console.log(`${'method'.padEnd(width)}${methods.map((m) => m.padStart(12)).join('')}`);
for (const [label, values] of rows) console.log(`${label.padEnd(width)}${values.map((x) => String(x).padStart(12)).join('')}`);
const wrong = methods.map((_m, k) => results.filter((r) => { const o = r.outcomes[k]; return o.falseAlarm || o.missed || o.unblamed.length + o.wronglyBlamed.length > 0; }).map((r) => r.c.name));
methods.forEach((m, k) => console.log(`${m} gets wrong: ${wrong[k].join(', ') || 'nothing'}`));
console.log('goal for auto: 0 false alarms, 0 missed bugs, 0 wrong localisations');
process.exitCode = 0;
