/**
 * dropout(x, rate=0.5, seed=0): inverted dropout with a frozen mask. The mask is drawn from `seed`
 * alone, so every replay of the check sees the same mask: the network is checked exactly as one
 * training step with that mask runs (the seed notes that a fresh mask per pass defeats a check).
 */
import type { Attrs, Op } from '../core/op.js';
import { fail } from '../core/errors.js';
import { createRandom } from '../core/random.js';
import { sameAsInput } from './shape-rules.js';

function settings(attrs: Attrs = {}): { rate: number; seed: number } {
  const rate = attrs.rate ?? 0.5;
  const seed = attrs.seed ?? 0;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail('attr', `dropout: rate must be a number in [0, 1), not ${rate}`, { op: 'dropout' });
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) fail('attr', `dropout: seed must be an integer, not ${seed}`, { op: 'dropout' });
  return { rate, seed };
}

/** The kept elements' scale 1/(1 − rate), 0 where dropped. */
function maskOf(n: number, attrs?: Attrs): Float64Array {
  const { rate, seed } = settings(attrs);
  const random = createRandom(seed);
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = random.uniform() < rate ? 0 : 1 / (1 - rate);
  return mask;
}

function scaled(t: { shape: number[]; data: Float64Array }, mask: Float64Array) {
  const data = new Float64Array(mask.length);
  for (let i = 0; i < data.length; i++) data[i] = t.data[i] * mask[i];
  return { shape: [...t.shape], data };
}

export const dropout: Op = {
  name: 'dropout',
  attrs: ['rate', 'seed'],
  inputs: ['x'],
  doc: 'inverted dropout with a mask frozen by seed (attrs rate, seed)',
  shape: (shapes, attrs) => (settings(attrs), sameAsInput(shapes)),
  forward: ([x], attrs) => scaled(x, maskOf(x.data.length, attrs)),
  backward: ([x], _y, dy, attrs) => [scaled(dy, maskOf(x.data.length, attrs))],
};
