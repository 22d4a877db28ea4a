/**
 * The JSON report: a stable schema other tools read (documented in the README). Numbers that are
 * not finite (a NaN difference) become null, as JSON has no NaN.
 */
import type { CheckReport, CheckVerdict, ParamVerdict } from '../check/report.js';
import type { NodeResult } from '../check/check-nodes.js';
import type { Diagnosis } from '../check/diagnose.js';

export interface JsonReport {
  file: string | null;
  method: string;
  mode: string;
  verdict: CheckVerdict;
  complete: boolean;
  difference: number | null;
  threshold: number;
  objective: number | null;
  evaluations: number;
  seconds: number;
  forwardEquivalents: number;
  params: {
    name: string;
    shape: number[];
    verdict: ParamVerdict;
    checked: number;
    difference: number | null;
    worst: { index: number[]; analytic: number | null; numeric: number | null } | null;
    failing?: number;
    nondifferentiable?: number;
    margin?: number;
    by?: 'elements' | 'directions';
    diagnosis?: string;
  }[];
  directions?: { params: string[]; analytic: number | null; numeric: number | null; status: string }[];
  nodes?: {
    id: string;
    op: string;
    verdict: NodeResult['verdict'];
    inputs: {
      name: string;
      from: string;
      verdict: 'pass' | 'fail' | 'none';
      difference: number | null;
      /** How the rule is wrong, in words ("analytic = 2.000 × numeric"); null when it is not. */
      diagnosis: string | null;
      /** The same as data: { kind: "scaled", factor: 2 }, { kind: "some-elements", indices }, …. */
      detail: Omit<Diagnosis, 'text'> | null;
      failing?: number;
      nondifferentiable?: number;
      /** Set when the input was checked along this many random directions, not element by element. */
      directions?: number;
    }[];
  }[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const orNull = (v: number | null): number | null => (v === null ? null : finite(v));
const detailOf = (d: Diagnosis | null): Omit<Diagnosis, 'text'> | null => {
  if (!d) return null;
  const { text: _text, ...rest } = d;
  return rest;
};

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
    forwardEquivalents: report.forwardEquivalents,
    params: report.params.map((p) => ({
      name: p.name,
      shape: p.shape,
      verdict: p.verdict,
      checked: p.checked,
      difference: finite(p.difference),
      worst: p.worst && { index: p.worst.index, analytic: finite(p.worst.analytic), numeric: finite(p.worst.numeric) },
      ...(p.failing === undefined ? {} : { failing: p.failing, nondifferentiable: p.nondifferentiable, margin: p.margin }),
      ...(p.by ? { by: p.by } : {}),
      ...(p.diagnosis ? { diagnosis: p.diagnosis } : {}),
    })),
    ...(report.directions ? { directions: report.directions.map((d) => ({ params: d.params, analytic: finite(d.analytic), numeric: finite(d.numeric), status: d.status })) } : {}),
    ...(report.nodes
      ? {
          nodes: report.nodes.map((n) => ({
            id: n.id,
            op: n.op,
            verdict: n.verdict,
            inputs: n.inputs.map((i) => ({
              name: i.name,
              from: i.from,
              verdict: i.verdict,
              difference: orNull(i.difference),
              diagnosis: i.diagnosis?.text ?? null,
              detail: detailOf(i.diagnosis),
              ...(i.failing === undefined ? {} : { failing: i.failing, nondifferentiable: i.nondifferentiable }),
              ...(i.directions ? { directions: i.directions } : {}),
            })),
          })),
        }
      : {}),
  };
}
