/**
 * A big element-wise check (mode graph) timed on a sample: each param checked alone
 * (`params: [name]`) on its first elements, stopped through `until`, its time extrapolated to
 * every element. (Only element-wise checks scale with the elements; mode auto's directional
 * verdict does not, and is always run whole.)
 */
import { Subject } from 'rxjs';
import { checkGraph$, relativeDifference, type CheckReport, type Graph, type OpRegistry } from '../../src/index.js';

export interface SampleOptions {
  /** Seconds of checking per param (about), and a cap on the elements. */
  seconds: number;
  maxElements: number;
}

export interface ParamSample {
  name: string;
  size: number;
  checked: number;
  secondsPerElement: number;
  /** Share of the sampled elements that method auto's second pass would take again (extrapolated). */
  refineShare: number;
  /** The difference over this param's sampled elements. */
  difference: number;
}

export interface SampledRun {
  seconds: number;
  params: ParamSample[];
  evaluations: number;
  /** The part of a whole run spent outside its elements. */
  fixed: number;
  difference: number;
  verdict: 'pass' | 'fail';
}

/**
 * One check run, sampled. Stopping cuts method auto's second pass
 * (h/2, for elements the first could not settle), so the sampled verdict is: fail when the judge
 * already failed an element, else the difference over the sampled elements against the method's
 * threshold; and the second pass's cost is extrapolated from the share of sampled elements whose
 * estimate is off by more than that threshold (the ones it would refine).
 */
export function sampledRun(graph: Graph, registry: OpRegistry, { seconds: budget, maxElements }: SampleOptions): SampledRun {
  const names = graph.leaves.filter((l) => l.kind === 'param').map((l) => l.name);
  const params: ParamSample[] = [];
  const analytic: number[] = [];
  const numeric: number[] = [];
  let threshold = NaN;
  let judgedFail = false;
  // What a whole run spends outside its elements (forward, backward, perturbation list, the
  // difference): taken from the run of the largest param, which builds most of that list.
  let fixed = 0;
  for (const name of names) {
    const stop = new Subject<void>();
    // Progress comes in batches (of growing size): the time and elements at the first and the last.
    let first = 0;
    let last = 0;
    let firstChecked = 0;
    let checked = 0;
    let report: CheckReport | undefined;
    checkGraph$(graph, { method: 'auto', mode: 'graph', full: true, registry, params: [name], until: stop }).subscribe({
      next: (event) => {
        if (event.type === 'report') return void (report = event.report);
        last = performance.now();
        checked = event.done / 2;
        if (first === 0) [first, firstChecked] = [last, checked];
        if (checked >= maxElements || last - first >= budget * 1000) stop.next();
      },
      error: (e) => {
        throw e;
      },
    });
    const p = report!.params[0];
    const size = p.analytic.length;
    // Per element: the time between the first progress event (which also carries the setup) and
    // the last, over the elements in between. A param checked in one batch takes the rate of the
    // param before it (its layer's W: the same downstream).
    const rate = checked > firstChecked ? (last - first) / 1000 / (checked - firstChecked) : (params[params.length - 1]?.secondsPerElement ?? 0);
    if (params.every((q) => q.size <= size)) fixed = Math.max(0, report!.seconds - rate * checked);
    threshold = report!.threshold;
    judgedFail ||= (p.failing ?? 0) > 0;
    let unsure = 0;
    for (let i = 0; i < p.checked; i++) {
      analytic.push(p.analytic[i]);
      numeric.push(p.numeric[i]);
      if (Math.abs(p.analytic[i] - p.numeric[i]) > threshold * (Math.abs(p.analytic[i]) + Math.abs(p.numeric[i]))) unsure++;
    }
    params.push({ name, size, checked: p.checked, secondsPerElement: rate, refineShare: unsure / Math.max(1, p.checked), difference: p.difference });
  }
  const difference = relativeDifference(analytic, numeric);
  const perElement = (q: ParamSample) => q.secondsPerElement * q.size * (1 + q.refineShare);
  return {
    seconds: fixed + params.reduce((s, q) => s + perElement(q), 0),
    params,
    evaluations: 1 + params.reduce((n, q) => n + 2 * q.size * (1 + q.refineShare), 0),
    fixed,
    difference,
    verdict: judgedFail || !(difference < threshold) ? 'fail' : 'pass',
  };
}
