/**
 * How much checking one element at a time may cost, so that localising a failure in a large
 * model stays within a few seconds: the elements of a param or a node input are checked one by
 * one when their replays fit the budget, and along a few random directions when they do not.
 * `full` lifts the budget.
 */
import type { Plan } from '../engine/plan.js';
import type { ForwardResult } from '../engine/forward.js';

export interface Budget {
  /** Seconds one element-wise check (a param's, or a node input's) may take. */
  seconds: number;
  /** What replaying each node costs, by slot, as the guarded forward pass measured it. */
  nodeSeconds: Float64Array;
  /** Every element checked, never along directions (CheckOptions.full). */
  full: boolean;
}

/** At least 1 s, or 20 forward passes on a slow model; `seconds` overrides it. */
export function budgetOf(forward: ForwardResult, full = false, seconds?: number): Budget {
  const pass = forward.seconds.reduce((a, b) => a + b, 0);
  return { seconds: full ? Infinity : (seconds ?? Math.max(1, 20 * pass)), nodeSeconds: forward.seconds, full };
}

/** Whether `count` central differences at `perEvaluation` seconds each fit the budget. */
export const fits = (budget: Budget, count: number, perEvaluation: number): boolean => 2 * count * perEvaluation <= budget.seconds;

/** A full replay's cost after a change in the param at `slot` (incremental rules only make it cheaper). */
export const replaySeconds = (plan: Plan, budget: Budget, slot: number): number =>
  plan.downstream.get(slot)!.reduce((s, n) => s + budget.nodeSeconds[n.slot], 0);
