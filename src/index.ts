/**
 * gradproof's public API: everything a user imports comes through this one door.
 * Internal modules (the plan, the scheduler's slots) are not exported.
 */
// The op contract and tensors.
export type { Op, Attrs, RowChange, Rows, Region } from './core/op.js';
export type { Tensor } from './core/tensor.js';
export { tensor, zeros, filled, fromNested, toNested, sizeOf, formatShape } from './core/tensor.js';

// Graphs: the builder, immutable edits, the seed's MLP family.
export type { Graph, GraphNode, Leaf, LeafKind, TensorLike } from './core/graph.js';
export { graph, GraphBuilder } from './core/graph.js';
export { withOp, withValue, withObjective } from './core/edit.js';
export { mlpGraph, type MlpCase } from './models/mlp.js';

// Ops.
export { builtinOps } from './ops/index.js';
export { OpRegistry, validateOp } from './ops/registry.js';

// Passes and checks.
export { evaluate, type Evaluated } from './check/evaluate.js';
export { checkGraph, checkGraph$, checkGraphAsync, type CheckOptions } from './check/check-graph.js';
export { checkGradient, type CostFunction, type GradientLike } from './check/check-function.js';
export { checkOp, type OpCheckOptions, type OpInputResult } from './check/check-op.js';
export { methodOf, type Method, type MethodName } from './check/methods.js';
export { relativeDifference, norm2 } from './check/norms.js';
export type { CheckReport, CheckEvent, CheckProgress, ParamResult, WorstElement, Verdict } from './check/report.js';

// Errors and randomness.
export { GradproofError, type Where } from './core/errors.js';
export { createRandom, type Random } from './core/random.js';
