/**
 * The benchmark's buggy variant's two ops (the seed's bug: layer 1's rule returns 4 × db, layer
 * 2's 2 × dW), as a module, so that worker threads can load them again by path. They are the
 * zoo's mutants of the built-in linear: its forward and incremental rules, a scaled backward.
 */
import { linear } from '../../src/ops/index.js';
import { mutants } from '../zoo/mutants.js';

export default [mutants.scale(linear, 1, 2), mutants.scale(linear, 2, 4)];
