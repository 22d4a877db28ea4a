/**
 * The plain-function form, as the seed checks its network: a cost function J(θ) and a
 * hand-written full gradient, with no graph to write. It is run as a one-node graph whose op is
 * J with the given gradient as its backward rule, so it gets the same driver, restore guarantee
 * and report.
 */
import { graph } from '../core/graph.js';
import type { Op } from '../core/op.js';
import { fail } from '../core/errors.js';
import { formatShape, type Tensor } from '../core/tensor.js';
import { OpRegistry } from '../ops/registry.js';
import { checkGraph, type CheckOptions } from './check-graph.js';
import type { CheckReport } from './report.js';

export type CostFunction = (theta: Float64Array) => number;
/** The gradient at θ, or a function computing it from θ. */
export type GradientLike = ArrayLike<number> | ((theta: Float64Array) => ArrayLike<number>);

export function checkGradient(
  f: CostFunction,
  grad: GradientLike,
  theta: Float64Array | readonly number[] | number,
  options: Omit<CheckOptions, 'registry' | 'ops' | 'params'> = {},
): CheckReport {
  // θ given as a Float64Array is checked in place (and restored); anything else is copied in.
  const data = theta instanceof Float64Array ? theta : Float64Array.from(typeof theta === 'number' ? [theta] : theta);
  const shape = [data.length];
  const cost: Op = {
    name: 'cost',
    inputs: ['theta'],
    forward: ([t]) => ({ shape: [], data: Float64Array.of(f(t.data)) }),
    backward([t], _J, dJ) {
      const g = typeof grad === 'function' ? grad(t.data) : grad;
      if (g.length !== t.data.length) fail('gradient-size', `the gradient has ${g.length} elements but theta has ${t.data.length} (shape ${formatShape(shape)})`);
      const scaled: Tensor = { shape: [...shape], data: Float64Array.from(g, (v) => v * dJ.data[0]) };
      return [scaled];
    },
  };
  const g = graph().param('theta', { shape, data }).node('J', 'cost', ['theta']).build();
  // The caller's function is a user's op: its first pass is watched for writes into θ.
  const registry = new OpRegistry([]);
  registry.register(cost, 'checkGradient');
  return checkGraph(g, { ...options, registry });
}
