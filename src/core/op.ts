/**
 * The op contract: the same for built-in ops and the user's own layers. It is plain data and
 * functions, so a user op module needs nothing from gradproof to satisfy it.
 */
import type { Tensor } from './tensor.js';

/** Keyword arguments from a graph file (`dropout(A1, rate=0.5)`) or the builder API. */
export type Attrs = Readonly<Record<string, number | string | boolean>>;

export interface Op {
  /** The name a graph refers to the op by. */
  name: string;
  /** One name per input, in argument order. A trailing `?` marks an optional input (linear's b). */
  inputs: string[];
  /** The output from the inputs. Must not write into its inputs. */
  forward(inputs: Tensor[], attrs?: Attrs): Tensor;
  /**
   * The local backward rule: given dL/d(output), one dL/d(input) per input, each of that input's
   * shape, or null where an input takes no gradient (labels). Must not write into its arguments.
   * `needs[k]` is false where nothing uses input k's gradient (a constant such as X): a rule may
   * then return null there and skip the work.
   */
  backward(inputs: Tensor[], output: Tensor, gradOutput: Tensor, attrs?: Attrs, needs?: readonly boolean[]): (Tensor | null)[];
  /**
   * Optional: the output shape from the input shapes, throwing when they do not fit. With it a
   * graph's shapes are checked before anything runs; without it, the first forward pass tells.
   */
  shape?(shapes: number[][], attrs?: Attrs): number[];
  /** Optional: a short description. */
  doc?: string;
  /** Optional: the keyword arguments the op takes; when given, any other is an error (a typo). */
  attrs?: string[];
  /**
   * Optional, for speed: after a change in some rows of some inputs, bring `output` (which holds
   * the output from before the change) up to date by writing only the rows that change, and
   * return which rows those are (and, optionally, which columns within them: a `Region`). Return
   * null, having written nothing, to ask for a full forward. The engine puts what was written
   * back afterwards (see ops/row-updates.ts). The arrays of inputs and changes are the engine's,
   * refilled for each replay: read them during the call, do not keep them.
   * Checks replay through the built-in ops' rules only (and a user op's that reuses a built-in's
   * forward and update): a user's own rule would stand between a check and the forward it
   * differentiates, so a user op is replayed through its forward.
   */
  update?(inputs: Tensor[], output: Tensor, changes: (RowChange | null)[], attrs?: Attrs): Rows | Region | null;
}

/** Which rows of a 2-D tensor changed ('all' for every row, or any other rank); [] for none. */
export type Rows = readonly number[] | 'all';

/** Rows of a 2-D tensor, and the columns within them: what changed is every (row, column) pair. */
export interface Region {
  rows: Rows;
  cols: readonly number[];
}

/** A change in one input: the rows that changed and, for a node's value, the tensor before it. */
export interface RowChange {
  rows: Rows;
  /**
   * Within `rows`, only these columns changed (ascending); absent, whole rows did. A rule may
   * ignore it and treat whole rows as changed: that only costs time.
   */
  cols?: readonly number[];
  /** The input as it was (a node's cached value); null for a param perturbed in place. */
  before: Tensor | null;
  /** For a param perturbed in place: the one element changed, and by how much (new − old, exact). */
  element?: { index: number; delta: number };
}

/** An input's display name: `b?` -> `b`. */
export const inputName = (spec: string): string => (spec.endsWith('?') ? spec.slice(0, -1) : spec);

export const isOptionalInput = (spec: string): boolean => spec.endsWith('?');

/** How many arguments an op takes at least and at most. */
export function arity(op: Op): { min: number; max: number } {
  return { min: op.inputs.filter((s) => !isOptionalInput(s)).length, max: op.inputs.length };
}
