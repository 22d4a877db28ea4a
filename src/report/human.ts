/**
 * The report for a person: a table per param and a last line that says PASS or FAIL and why.
 * Colour only where the caller says the terminal has it (the CLI honours NO_COLOR).
 */
import { createColors } from 'picocolors';
import type { CheckReport, ParamResult } from '../check/report.js';
import { formatShape } from '../core/tensor.js';
import { renderTable } from './table.js';
import { indexOf, sci, seconds, value } from './format.js';

export interface HumanOptions {
  file?: string;
  color?: boolean;
}

export function renderHuman(report: CheckReport, options: HumanOptions = {}): string {
  const c = createColors(options.color ?? false);
  const verdictCell = (v: 'pass' | 'fail') => (v === 'pass' ? c.green('pass') : c.red(c.bold('FAIL')));
  const rows = report.params.map((p) => [
    p.name,
    formatShape(p.shape),
    sci(p.difference),
    p.worst ? indexOf(p.worst.index) : '-',
    p.worst ? value(p.worst.analytic) : '-',
    p.worst ? value(p.worst.numeric) : '-',
    p.checked < p.analytic.length ? `${p.checked}/${p.analytic.length}` : String(p.checked),
    verdictCell(p.verdict),
  ]);
  const heading = `${options.file ? `${options.file}: ` : ''}method ${report.method}, ${report.mode} check, objective ${value(report.objective)}`;
  const table = renderTable(
    ['param', 'shape', 'difference', 'worst at', 'analytic', 'numeric', 'checked', 'verdict'],
    rows,
    ['left', 'left', 'right', 'left', 'right', 'right', 'right', 'left'],
  );
  return [c.bold(heading), '', table, '', summary(report, c)].join('\n');
}

type Colors = ReturnType<typeof createColors>;

function summary(report: CheckReport, c: Colors): string {
  const cost = `${report.evaluations} forward evaluations, ${seconds(report.seconds)}`;
  const against = `difference ${sci(report.difference)} ${report.verdict === 'pass' ? '<' : '>='} threshold ${sci(report.threshold)}`;
  if (!report.complete) {
    const checked = report.params.reduce((n, p) => n + p.checked, 0);
    const total = report.params.reduce((n, p) => n + p.analytic.length, 0);
    return `${c.yellow(c.bold('INTERRUPTED'))}: ${checked} of ${total} elements checked; so far ${against} (${cost})`;
  }
  if (report.verdict === 'pass') return `${c.green(c.bold('PASS'))}: ${against} (${cost})`;
  const failing = report.params.filter((p) => p.verdict === 'fail');
  return `${c.red(c.bold('FAIL'))}: ${against}; ${describeFailing(failing)} (${cost})`;
}

function describeFailing(failing: ParamResult[]): string {
  if (failing.length === 0) return 'no single param fails on its own';
  const names = failing.map((p) => `${p.name} (${sci(p.difference)})`).join(', ');
  return `the gradient of ${names} disagrees with central differences`;
}
