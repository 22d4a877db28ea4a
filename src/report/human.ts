/**
 * The report for a person: a table per param (and per wrong node input once nodes are checked)
 * and a last line that says PASS or FAIL and why. Colour only where the caller says the terminal
 * has it (the CLI honours NO_COLOR).
 */
import { createColors } from 'picocolors';
import type { CheckReport } from '../check/report.js';
import type { NodeResult } from '../check/check-nodes.js';
import { formatShape } from '../core/tensor.js';
import { renderTable, type Align } from './table.js';
import { indexOf, sci, seconds, value } from './format.js';

export interface HumanOptions {
  file?: string;
  color?: boolean;
}

type Colors = ReturnType<typeof createColors>;

export function renderHuman(report: CheckReport, options: HumanOptions = {}): string {
  const c = createColors(options.color ?? false);
  const heading = `${options.file ? `${options.file}: ` : ''}method ${report.method}, mode ${report.mode}, objective ${value(report.objective)}`;
  const parts = [c.bold(heading)];
  if (report.params.length > 0) parts.push('', paramTable(report, c));
  if (report.nodes) parts.push('', nodeTable(report.nodes, c));
  parts.push('', summary(report, c));
  return parts.join('\n');
}

const verdictCell = (v: string, c: Colors) => (v === 'pass' ? c.green('pass') : v === 'fail' ? c.red(c.bold('FAIL')) : c.dim(v));

function paramTable(report: CheckReport, c: Colors): string {
  const judged = report.params.some((p) => p.failing !== undefined || p.by === 'directions');
  const rows = report.params.map((p) => [
    p.name,
    formatShape(p.shape),
    sci(p.difference),
    p.worst ? indexOf(p.worst.index) : '-',
    p.worst ? value(p.worst.analytic) : '-',
    p.worst ? value(p.worst.numeric) : '-',
    p.by === 'directions' ? `${p.directions} directions` : p.checked < p.analytic.length ? `${p.checked}/${p.analytic.length}` : String(p.checked),
    ...(judged ? [p.by === 'directions' ? '-' : String(p.failing ?? 0), p.by === 'directions' ? '-' : String(p.nondifferentiable ?? 0)] : []),
    verdictCell(p.verdict, c),
  ]);
  const header = ['param', 'shape', 'difference', 'worst at', 'analytic', 'numeric', 'checked', ...(judged ? ['failing', 'kinks'] : []), 'verdict'];
  const align = header.map((h): Align => (['difference', 'analytic', 'numeric', 'checked', 'failing', 'kinks'].includes(h) ? 'right' : 'left'));
  return renderTable(header, rows, align);
}

/** The node inputs whose rules are wrong, with their diagnoses; passing nodes are counted. */
function nodeTable(nodes: NodeResult[], c: Colors): string {
  const rows = nodes.flatMap((n) =>
    n.inputs.filter((i) => i.verdict === 'fail').map((i) => [n.id, n.op, `${i.name} <- ${i.from}`, sci(i.difference ?? 0), verdictCell('fail', c), i.diagnosis?.text ?? '']),
  );
  const passing = nodes.filter((n) => n.verdict !== 'fail').length;
  const note = `${passing} of ${nodes.length} nodes' rules pass on their own`;
  if (rows.length === 0) return `  ${note}`;
  return `${renderTable(['node', 'op', 'input', 'difference', 'verdict', 'diagnosis'], rows, ['left', 'left', 'left', 'right', 'left', 'left'])}\n  ${note}`;
}

function summary(report: CheckReport, c: Colors): string {
  const cost = `${report.evaluations} forward evaluations, ${seconds(report.seconds)}`;
  const judged = report.params.some((p) => p.failing !== undefined);
  const against = report.directions && !judged ? directionSummary(report) : judged ? judgedSummary(report) : `difference ${sci(report.difference)} ${report.verdict === 'pass' ? '<' : '>='} threshold ${sci(report.threshold)}`;
  if (!report.complete) {
    const checked = report.params.reduce((n, p) => n + p.checked, 0);
    const total = report.params.reduce((n, p) => n + p.analytic.length, 0);
    const sum = (key: 'failing' | 'undecided') => report.params.reduce((n, p) => n + (p[key] ?? 0), 0);
    const sofar = judged ? `${sum('failing')} outside their error bound, ${sum('undecided')} not yet settled (difference ${sci(report.difference)})` : against;
    return `${c.yellow(c.bold('INTERRUPTED'))}: ${checked} of ${total} elements checked; so far ${sofar} (${cost})`;
  }
  if (report.verdict === 'pass') return `${c.green(c.bold('PASS'))}: ${against} (${cost})`;
  return `${c.red(c.bold('FAIL'))}: ${failureReasons(report).join('; ')} (${cost})`;
}

function directionSummary(report: CheckReport): string {
  const all = report.directions!.filter((d) => d.params.length === report.params.length);
  const elements = report.params.reduce((n, p) => n + p.analytic.length, 0);
  return `gᵀv agrees with finite differences along ${all.length} random directions over all ${elements} elements, each within its error bound (difference ${sci(report.difference)})`;
}

function judgedSummary(report: CheckReport): string {
  const sum = (key: 'failing' | 'nondifferentiable') => report.params.reduce((n, p) => n + (p[key] ?? 0), 0);
  const margin = Math.max(0, ...report.params.map((p) => p.margin ?? 0));
  const kinks = sum('nondifferentiable') > 0 ? `, ${sum('nondifferentiable')} at a kink (not failures)` : '';
  return `every element within its error bound (closest: ${margin.toFixed(2)} of it; difference ${sci(report.difference)})${kinks}`;
}

/** Why the check failed: the wrong node inputs when nodes were checked, else the params. */
function failureReasons(report: CheckReport): string[] {
  const wrong = (report.nodes ?? []).flatMap((n) => n.inputs.filter((i) => i.verdict === 'fail').map((i) => `node ${n.id}, input ${i.name}: ${i.diagnosis?.text ?? 'wrong'}`));
  // Method seed's verdict is its difference against its threshold: say so first.
  const judgedByDifference = report.method === 'seed' && report.params.length > 0 ? [`difference ${sci(report.difference)} >= threshold ${sci(report.threshold)}`] : [];
  if (wrong.length > 0) return [...judgedByDifference, ...wrong];
  const failing = report.params.filter((p) => p.verdict === 'fail').map((p) => `${p.name} (difference ${sci(p.difference)}${p.diagnosis ? `; ${p.diagnosis}` : ''})`);
  const graph = failing.length > 0 ? `the gradient of ${failing.join(', ')} disagrees with finite differences` : `difference ${sci(report.difference)} >= threshold ${sci(report.threshold)}`;
  return report.nodes ? [`${graph}, though every node's rule passes on its own (how the nodes are wired?)`] : [graph];
}
