/**
 * Node-by-node checks: each node's backward rule on its own, at the values it saw in the forward
 * pass, so a failure names the node, the input and the element. Each node is checked with two
 * cotangents in one pass: its actual upstream gradient, and a seeded random one, so a wrong rule
 * behind a zero upstream gradient (a layer behind dead ReLUs) is still caught. A large input is
 * screened along random directions first, and checked element by element only if they flag it
 * (op-inputs.ts), unless `full` asks for every element.
 */
import type { Tensor } from '../core/tensor.js';
import { deriveSeed } from '../core/random.js';
import type { Plan, PlanNode } from '../engine/plan.js';
import type { Gradients } from '../engine/backward.js';
import { callRule } from '../engine/call-op.js';
import { randomLike, type OpInputResult } from './check-op.js';
import { checkOpInputs } from './op-inputs.js';
import { diagnose, type Diagnosis } from './diagnose.js';
import type { Method } from './methods.js';
import { norm2 } from './norms.js';
import type { CheckProgress, WorstElement } from './report.js';
import { from, map, scheduled, type Observable, type SchedulerLike } from 'rxjs';
import { worstOf } from './worst.js';
import { directionalDiagnosis } from './directional.js';
import { fits, type Budget } from './budget.js';

export interface NodeInputResult {
  /** The op's name for the input, e.g. "W". */
  name: string;
  /** The leaf or node that feeds it, e.g. "W2". */
  from: string;
  verdict: 'pass' | 'fail' | 'none';
  /** The larger difference of the two cotangents; null when the rule gives this input no gradient. */
  difference: number | null;
  diagnosis: Diagnosis | null;
  worst: WorstElement | null;
  /** Method auto: elements outside their error bound, and elements at a kink (not failures). */
  failing?: number;
  nondifferentiable?: number;
  /** Set when the input was checked along this many random directions, not element by element. */
  directions?: number;
}

export interface NodeResult {
  id: string;
  op: string;
  verdict: 'pass' | 'fail' | 'skipped';
  inputs: NodeInputResult[];
}

export interface NodeChecks {
  results: NodeResult[];
  /** The largest difference over all nodes' inputs. */
  difference: number;
  /** Evaluations of single ops used (each a partial replay). */
  evaluations: number;
  /** Whether every selected node was checked (a stop can come between two). */
  complete: boolean;
}

/**
 * Checks the nodes `which` selects (all by default), one node per emission (and, with a
 * scheduler, one per turn of the event loop), so a stop or an unsubscription takes effect between
 * two nodes. `finish` reports on the nodes checked, in topological order.
 *
 * The stage is the check's last use of the forward pass's values and the nodes' gradients, and it
 * lets each node's go from `values` and `grads` as soon as no check still to come reads them: it
 * checks the nodes in reverse topological order, so that every check that reads a node's value
 * (its consumers') comes before the node's own. (On MLP 100-32-16-1, when the check of its first
 * layer, the largest, comes, only that layer's gradient is left of them.) The leaves' values, the
 * caller's, are never touched.
 */
export function nodeStage(plan: Plan, values: (Tensor | undefined)[], grads: Gradients, method: Method, seed: number, budget: Budget, which: (node: PlanNode) => boolean = () => true, scheduler?: SchedulerLike, doneBefore = 0) {
  const nameOf = new Map([...plan.slotOf].map(([name, slot]) => [slot, name]));
  // Closure state: the results so far (by the node's place in the plan) and the evaluations they used.
  let evaluations = 0;
  const results: { n: number; result: NodeResult }[] = [];
  const selected = plan.nodes.map((node, n) => [node, n] as const).filter(([node]) => which(node));
  const checkNode = ([node, n]: readonly [PlanNode, number]): NodeResult => {
    const inputs = node.args.map((s) => values[s]!);
    const upstream = grads[node.slot];
    const random = randomLike(values[node.slot]!, deriveSeed(seed, n));
    // Its consumers' checks are done, and its own computes the output afresh: its value goes now.
    values[node.slot] = undefined;
    const cotangents = upstream && norm2(upstream.data) > 0 ? [upstream, random] : [random];
    const run = <T>(phase: 'forward' | 'backward', f: () => T) => callRule(node, phase, f);
    // Inputs whose element-wise check would not fit the budget are checked along directions; an
    // input that depends on a param must get a gradient (a null there is checked as zeros).
    // (What one evaluation costs is as checkOpInputs timed two of them.)
    const byElements = (size: number, perEvaluation: number) => fits(budget, size, perEvaluation);
    // Each input summed up as its check ends, its gradients and estimates let go.
    const checked: NodeInputResult[] = [];
    // Inputs are screened along directions first unless every element is asked for (`full`).
    const context = { attrs: node.attrs, run, required: node.needs, byElements, name: node.id, trusted: node.builtin, screen: !budget.full, seed: deriveSeed(seed, n, 1) };
    evaluations += checkOpInputs(node.op, inputs, cotangents, method, context, (k, byCotangent) => (checked[k] = combine(byCotangent, inputs[k], nameOf.get(node.args[k])!, method)));
    return { id: node.id, op: node.op.name, verdict: verdictOf(checked), inputs: checked };
  };
  const order = [...selected].reverse();
  const events: Observable<CheckProgress> = (scheduler ? scheduled(order, scheduler) : from(order)).pipe(
    map((entry, i) => {
      const [node, n] = entry;
      results.push({ n, result: checkNode(entry) });
      grads[node.slot] = undefined;
      // Progress goes on in evaluations from where the params' check left it; what the nodes
      // still to check will take is estimated from those checked so far.
      const done = doneBefore + evaluations;
      const total = done + Math.round((evaluations / (i + 1)) * (selected.length - i - 1));
      return { type: 'progress', done, total, param: `node ${entry[0].id}`, difference: NaN, eta: null };
    }),
  );
  const finish = (): NodeChecks => {
    const checked = [...results].sort((a, b) => a.n - b.n).map((r) => r.result);
    const differences = checked.flatMap((r) => r.inputs.map((i) => i.difference ?? 0));
    return { results: checked, difference: Math.max(0, ...differences), evaluations, complete: results.length === selected.length };
  };
  return { events, finish };
}

function combine(results: OpInputResult[], input: Tensor, from: string, method: Method): NodeInputResult {
  const name = results[0].name;
  const checked = results.filter((r) => r.verdict !== 'none');
  if (checked.length === 0) return { name, from, verdict: 'none', difference: null, diagnosis: null, worst: null };
  const failing = checked.find((r) => r.verdict === 'fail');
  const difference = Math.max(...checked.map((r) => r.difference!));
  const shown = failing ?? checked[0];
  return {
    name,
    from,
    verdict: failing ? 'fail' : 'pass',
    difference,
    diagnosis: failing ? diagnosisOf(failing, input, method) : null,
    worst: shown.directions ? null : worstOf(shown.analytic!, shown.numeric!, input.shape),
    ...(shown.failing === undefined ? {} : { failing: Math.max(...checked.map((r) => r.failing!)), nondifferentiable: Math.max(...checked.map((r) => r.nondifferentiable!)) }),
    ...(shown.directions ? { directions: shown.directions } : {}),
  };
}

function diagnosisOf(failing: OpInputResult, input: Tensor, method: Method): Diagnosis {
  if (failing.returnedNull) return nullDiagnosis;
  if (!failing.directions) return diagnose(failing.analytic!, failing.numeric!, input.shape, method.threshold);
  const scaled = directionalDiagnosis([...failing.analytic!].map((analytic, i) => ({ analytic, numeric: failing.numeric![i] })));
  if (scaled) return { kind: 'scaled', ...scaled };
  return { kind: 'wrong', text: `wrong along random directions (${input.data.length} elements: too many to check one by one)` };
}

const nullDiagnosis: Diagnosis = { kind: 'zero', text: 'the rule returns null (no gradient) for an input that depends on a param' };

function verdictOf(inputs: NodeInputResult[]): NodeResult['verdict'] {
  if (inputs.some((i) => i.verdict === 'fail')) return 'fail';
  return inputs.every((i) => i.verdict === 'none') ? 'skipped' : 'pass';
}
