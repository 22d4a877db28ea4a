/**
 * The default verdict of mode auto (method auto, without `full`): directions first, elements
 * only inside what fails.
 *  1. k directions over all params jointly: 2k evaluations whatever the parameter count.
 *  2. If one fails: k directions per param, to find the params that are wrong.
 *  3. For those params whose replays fit the budget (budget.ts): the element-wise check, to say
 *     which elements are wrong and by how much.
 */
import { concat, defer, EMPTY, map, type Observable } from 'rxjs';
import type { Plan } from '../engine/plan.js';
import type { Values } from '../engine/forward.js';
import type { ReplayOptions } from '../engine/replay.js';
import { checkDirections, directionalDiagnosis, DIRECTIONS, type DirectionResult } from './directional.js';
import type { Method } from './methods.js';
import { relativeDifference } from './norms.js';
import { estimateParams, paramEvaluations, paramResults, type Target } from './param-check.js';
import type { CheckProgress, ParamResult } from './report.js';
import { fits, replaySeconds, type Budget } from './budget.js';

export interface StageOutcome {
  params: ParamResult[];
  directions: DirectionResult[];
  graphFails: boolean;
  complete: boolean;
  evaluations: number;
}

export function directionalStage(plan: Plan, baseline: Values, targets: Target[], method: Method, seed: number, j0: number, options: ReplayOptions, budget: Budget) {
  // Closure state: every direction checked so far, the params checked element by element, counts.
  const directions: DirectionResult[] = [];
  const elementwise: Target[] = [];
  const counts = { refined: 0, pairs: 0, planned: 0 };
  const whole = (r: DirectionResult) => r.params.length === targets.length && targets.length > 1;
  const ownDirections = (t: Target) => directions.filter((r) => r.params.length === 1 && r.params[0] === t.name);
  // A direction at a kink proves nothing either way (an error smaller than the jump hides in it),
  // nor does one too little resolved to see an error (directional.ts, UNRESOLVED): it is
  // followed up like a failure, and only a failure found there counts.
  const unsettled = (rs: DirectionResult[]) => rs.some((r) => r.status === 'fail' || r.status === 'nondifferentiable' || r.status === 'unresolved');
  const started = performance.now();
  const progress = (param: string) => (): CheckProgress => {
    counts.pairs++;
    const total = Math.max(counts.planned, 2 * counts.pairs);
    const eta = ((performance.now() - started) / 1000 / (2 * counts.pairs)) * (total - 2 * counts.pairs);
    return { type: 'progress', done: 2 * counts.pairs, total, param, difference: NaN, eta };
  };
  const along = (groups: Target[][], label: string, groupSeed: number) => {
    counts.planned += 2 * DIRECTIONS * groups.length;
    return checkDirections(plan, baseline, groups, method, groupSeed, j0, options, directions).pipe(map(progress(label)));
  };

  const first = defer(() => along([targets], 'all params, along directions', seed));
  const perParam = defer(() => (targets.length > 1 && unsettled(directions) ? along(targets.map((t) => [t]), 'each param, along directions', seed + 1) : EMPTY));
  // Elements settle what directions flag: a direction can cross many kinks at once, or be swamped
  // by rounding where J is tiny, and the element-wise check handles both one element at a time.
  const elements = defer(() => {
    const flagged = targets.filter((t) => unsettled(ownDirections(t)));
    for (const t of flagged.length > 0 || !unsettled(directions) ? flagged : targets) {
      if (fits(budget, t.data.length, replaySeconds(plan, budget, plan.slotOf.get(t.name)!))) elementwise.push(t);
    }
    if (elementwise.length === 0) return EMPTY;
    // Progress goes on from the directions' evaluations.
    const base = 2 * counts.pairs;
    return estimateParams(plan, baseline, elementwise, method, options, counts).pipe(map((e) => ({ ...e, done: base + e.done, total: base + e.total })));
  });
  // Closure state: whether every stage ran to its end (a stop from `until` cuts them short).
  let ended = false;
  const end = defer(() => {
    ended = true;
    return EMPTY;
  });
  const events: Observable<CheckProgress> = concat(first, perParam, elements, end);

  const finish = (): StageOutcome => {
    const byElements = new Map(paramResults(elementwise, method).params.map((p) => [p.name, p]));
    const params = targets.map((t): ParamResult => byElements.get(t.name) ?? directionalResult(t, ownDirections(t), directions.filter(whole)));
    // A failing direction is confirmed by the params: by their elements where they were checked
    // one by one, else by their own directions.
    const graphFails = unsettled(directions) && params.some((p) => p.verdict === 'fail');
    const complete = ended && directions.every((r) => r.status !== 'pending') && elementwise.every((t) => t.checked === t.data.length && !t.judge?.toRefine().length);
    const evaluations = 2 * counts.pairs + paramEvaluations(elementwise, counts.refined);
    return { params, directions, graphFails, complete, evaluations };
  };
  return { events, finish };
}

/** A param judged along directions only: its own when it has them, else the whole graph's. */
function directionalResult(t: Target, own: DirectionResult[], whole: DirectionResult[]): ParamResult {
  // The param's own directions once any has run; until then, those over all params.
  const rs = own.some((r) => r.status !== 'pending') ? own : whole;
  const done = rs.filter((r) => r.status !== 'pending');
  const difference = relativeDifference(done.map((r) => r.analytic), done.map((r) => r.numeric));
  const settled = rs.filter((r) => r.status !== 'pending');
  const verdict = rs.some((r) => r.status === 'fail') ? 'fail' : settled.length === 0 ? 'unchecked' : 'pass';
  const diagnosis = rs === own ? directionalDiagnosis(own.filter((r) => r.status !== 'pending'))?.text : undefined;
  return { name: t.name, shape: t.shape, verdict, difference, checked: 0, worst: null, analytic: t.analytic, numeric: t.numeric, by: 'directions', directions: rs.length, ...(diagnosis ? { diagnosis } : {}) };
}
