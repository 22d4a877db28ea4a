/** What a check returns: the verdict, per-param figures, and the vectors behind them. */
import type { MethodName } from './methods.js';
import type { NodeResult } from './check-nodes.js';
import type { DirectionResult } from './directional.js';

export type CheckMode = 'graph' | 'nodes' | 'auto';

export type Verdict = 'pass' | 'fail';

/** A param's verdict: `unchecked` when a check stopped before all its elements were settled. */
export type ParamVerdict = Verdict | 'unchecked';

/** The whole check's: `incomplete` when it stopped early and had found nothing wrong so far. */
export type CheckVerdict = Verdict | 'incomplete';

export interface WorstElement {
  /** Per-axis index of the element with the largest |analytic − numeric|. */
  index: number[];
  analytic: number;
  numeric: number;
}

export interface ParamResult {
  name: string;
  shape: number[];
  verdict: ParamVerdict;
  difference: number;
  /** Elements estimated (all of them unless the check was stopped early). */
  checked: number;
  worst: WorstElement | null;
  /** Method auto: elements that fail their error bound, and elements at a kink (not failures). */
  failing?: number;
  nondifferentiable?: number;
  /** Method auto: the largest |analytic − numeric| / error bound among accepted elements (≤ 1). */
  margin?: number;
  /** Method auto, a check stopped early: elements estimated once but not yet settled. */
  undecided?: number;
  /** How the param was checked: element by element (default), or along random directions only. */
  by?: 'elements' | 'directions';
  /** For `by: 'directions'`: how many directions, and how the gradient is wrong if it is. */
  directions?: number;
  diagnosis?: string;
  /**
   * The backward pass's gradient and the finite-difference estimate, element by element (the
   * first `checked` elements of `numeric` hold estimates; it is empty for a param checked along
   * directions only). The arrays of one report may be views of one buffer, the report's own.
   */
  analytic: Float64Array;
  numeric: Float64Array;
}

export interface CheckReport {
  method: MethodName;
  mode: CheckMode;
  verdict: CheckVerdict;
  /** False when the check was stopped early (`until`): figures cover the elements checked. */
  complete: boolean;
  /** The seed's difference over all params together. */
  difference: number;
  threshold: number;
  /** The objective's value at the unperturbed params. */
  objective: number;
  /** Forward evaluations used: the replays, plus the one unperturbed pass. */
  evaluations: number;
  /** Time spent checking, compile and start-up excluded. */
  seconds: number;
  /** The check's cost in forward passes: seconds ÷ the time of one plain forward pass. */
  forwardEquivalents: number;
  params: ParamResult[];
  /** The directional checks made (mode auto, method auto): gᵀv against J along v. */
  directions?: DirectionResult[];
  /** Each node's rule checked on its own: present whenever nodes were checked. */
  nodes?: NodeResult[];
}

export interface CheckProgress {
  type: 'progress';
  done: number;
  total: number;
  /** The param being perturbed. */
  param: string;
  /** The difference over the elements estimated so far. */
  difference: number;
  /** Seconds left at the rate so far; null until there is a rate. */
  eta: number | null;
}

export type CheckEvent = CheckProgress | { type: 'report'; report: CheckReport };
