/**
 * What a node check (check-op.ts) differentiates an input along: each of its elements, or, for
 * an input too large for its elements to fit the budget, a few seeded random directions.
 */
import { deriveSeed } from '../core/random.js';
import type { Method } from './methods.js';
import { directionSeeds, DIRECTIONS } from './directional.js';
import { RandomDirection } from './random-direction.js';

/** Ways to move an input: along each element, or along seeded random directions. */
export interface Coordinates {
  count: number;
  byDirections: boolean;
  /** The coordinate's value now (an element's value; 0 along a direction) and its step. */
  theta(i: number): number;
  step(i: number): number;
  /** Moves coordinate i of `x` (a copy of the input) by `offset`, and puts it back. */
  move(x: Float64Array, i: number, offset: number): void;
  restore(x: Float64Array, i: number): void;
  /** The analytic derivative along each coordinate, from the input's gradient (which it may share). */
  analytic(g: Float64Array): Float64Array;
}

export function elementsOf(original: Float64Array, method: Method): Coordinates {
  return {
    count: original.length,
    byDirections: false,
    theta: (i) => original[i],
    step: (i) => method.step(original[i]),
    move: (x, i, offset) => (x[i] = original[i] + offset),
    restore: (x, i) => (x[i] = original[i]),
    analytic: (g) => g,
  };
}

export function directionsOf(original: Float64Array, method: Method, seed: number): Coordinates {
  // One list of targets for the directions: they share its ‖v‖.
  const targets = [{ name: 'x', data: original, analytic: original }];
  const directions = directionSeeds(DIRECTIONS, deriveSeed(seed, 7)).map((s) => new RandomDirection(targets, s));
  return {
    count: directions.length,
    byDirections: true,
    theta: () => 0,
    step: () => method.step(0),
    move: (x, i, offset) => directions[i].move([x], [original], offset),
    restore: (x) => x.set(original),
    analytic: (g) => Float64Array.from(directions, (d) => d.dot([g])),
  };
}
