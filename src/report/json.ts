/**
 * The JSON report: a stable schema other tools read (documented in the README). Numbers that are
 * not finite (a NaN difference) become null, as JSON has no NaN.
 */
import type { CheckReport } from '../check/report.js';

export interface JsonReport {
  file: string | null;
  method: string;
  mode: string;
  verdict: 'pass' | 'fail';
  complete: boolean;
  difference: number | null;
  threshold: number;
  objective: number | null;
  evaluations: number;
  seconds: number;
  params: {
    name: string;
    shape: number[];
    verdict: 'pass' | 'fail';
    checked: number;
    difference: number | null;
    worst: { index: number[]; analytic: number | null; numeric: number | null } | null;
  }[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function toJsonReport(report: CheckReport, file: string | null = null): JsonReport {
  return {
    file,
    method: report.method,
    mode: report.mode,
    verdict: report.verdict,
    complete: report.complete,
    difference: finite(report.difference),
    threshold: report.threshold,
    objective: finite(report.objective),
    evaluations: report.evaluations,
    seconds: report.seconds,
    params: report.params.map((p) => ({
      name: p.name,
      shape: p.shape,
      verdict: p.verdict,
      checked: p.checked,
      difference: finite(p.difference),
      worst: p.worst && { index: p.worst.index, analytic: finite(p.worst.analytic), numeric: finite(p.worst.numeric) },
    })),
  };
}
