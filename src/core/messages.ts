/**
 * Every graph and op error gradproof raises, in one place, so wording stays consistent and each
 * can be tested. Each function throws a GradproofError whose `where` names the node, op and input.
 */
import { fail } from './errors.js';
import { formatShape } from './tensor.js';

const shape = formatShape;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const didYouMean = (s?: string) => (s ? `did you mean '${s}'?` : undefined);

export const errors = {
  shape(op: string, input: string, actual: readonly number[], expected: string): never {
    return fail('shape', `${op}: input ${input} has shape ${shape(actual)}, expected ${expected}`, { op, input });
  },
  unknownOp(node: string, op: string, suggestion?: string): never {
    return fail('unknown-op', `unknown op '${op}' in node ${node}`, { node, op }, didYouMean(suggestion));
  },
  unknownName(node: string, name: string, arg: number, suggestion?: string): never {
    return fail('unknown-name', `node ${node} uses '${name}', which is not defined`, { node, arg }, didYouMean(suggestion));
  },
  usedBeforeDefined(node: string, name: string, arg: number): never {
    return fail('order', `node ${node} uses '${name}' before it is defined`, { node, arg });
  },
  duplicate(name: string, first: string): never {
    return fail('duplicate', `'${name}' is defined twice (first as ${first})`, { node: name, leaf: name });
  },
  cycle(path: readonly string[]): never {
    return fail('cycle', `the graph has a cycle: ${path.join(' -> ')}`, { node: path[0] });
  },
  unknownAttr(node: string, op: string, attr: string, known: readonly string[], suggestion?: string): never {
    const takes = known.length === 0 ? 'takes no keyword arguments' : `takes ${known.join(', ')}`;
    return fail('attr', `node ${node}: ${op} has no keyword argument '${attr}' (it ${takes})`, { node, op }, didYouMean(suggestion));
  },
  arity(node: string, op: string, min: number, max: number, got: number): never {
    const want = min === max ? plural(min, 'argument') : `${min} to ${max} arguments`;
    return fail('arity', `node ${node}: ${op} takes ${want}, got ${got}`, { node, op });
  },
  nodeShape(node: string, op: string, message: string, input?: string, arg?: number): never {
    return fail('shape', `node ${node}: ${message}`, { node, op, input, arg });
  },
  nonScalarObjective(node: string, actual: readonly number[]): never {
    return fail('objective', `the objective ${node} must be a scalar, but its shape is ${shape(actual)}`, { node });
  },
  noObjective(): never {
    return fail('objective', 'the graph has no op nodes, so there is no objective to check');
  },
  unknownObjective(name: string): never {
    return fail('objective', `the objective '${name}' is not a node of the graph`, { node: name });
  },
  opThrew(node: string, op: string, phase: 'forward' | 'backward' | 'shape', message: string): never {
    return fail('op-threw', `node ${node}: ${op}.${phase} threw: ${message}`, { node, op });
  },
  outputNotTensor(node: string, op: string): never {
    return fail('op-output', `node ${node}: ${op}.forward must return a tensor { shape, data: Float64Array }`, { node, op });
  },
  outputShape(node: string, op: string, actual: readonly number[], expected: readonly number[]): never {
    return fail('op-output', `node ${node}: ${op}.forward returned shape ${shape(actual)}, but ${op}.shape says ${shape(expected)}`, { node, op });
  },
  gradientCount(node: string, op: string, got: unknown, want: number): never {
    const what = Array.isArray(got) ? plural(got.length, 'gradient') : 'no array';
    return fail('op-gradient', `node ${node}: ${op}.backward returned ${what}; it must return an array of ${want} (one per input, null where none)`, { node, op });
  },
  gradientShape(node: string, op: string, input: string, arg: number, actual: unknown, expected: readonly number[]): never {
    const got = Array.isArray(actual) ? `shape ${shape(actual as number[])}` : 'something that is not a tensor';
    return fail('op-gradient', `node ${node}: ${op}.backward returned ${got} for input ${input}, whose shape is ${shape(expected)}`, { node, op, input, arg });
  },
  gradientNotFinite(node: string, op: string, input: string, arg: number, index: number, value: number,
    firstInForward: { node: string; index: number; value: number } | null): never {
    const origin = firstInForward
      ? ` (the forward pass first produced ${firstInForward.value} at node ${firstInForward.node}, element ${firstInForward.index})`
      : '';
    return fail('op-gradient', `node ${node}: ${op}.backward returned ${value} at element ${index} of the gradient for input ${input}${origin}`, { node, op, input, arg });
  },
  mutatedInput(node: string, op: string, input: string, arg: number, phase: 'forward' | 'backward'): never {
    return fail('op-mutates', `node ${node}: ${op}.${phase} changed its input ${input}; an op must not write into its inputs`, { node, op, input, arg });
  },
  opClash(name: string, first: string, second: string): never {
    return fail('op-clash', `op '${name}' from ${second} clashes with op '${name}' from ${first}`, { op: name });
  },
  malformedOp(source: string, detail: string): never {
    return fail('op-malformed', `${source}: not a valid op: ${detail}`);
  },
  nonFiniteLeaf(kind: string, leaf: string, index: readonly number[], value: number): never {
    return fail('leaf-value', `${kind} ${leaf} holds ${value} at [${index.join(', ')}]: a check needs finite values`, { leaf });
  },
  leafValue(leaf: string, detail: string): never {
    return fail('leaf-value', `${leaf}: ${detail}`, { leaf });
  },
  unknownParam(name: string): never {
    return fail('unknown-param', `'${name}' is not a param of the graph`, { leaf: name });
  },
  // The perturbations a replay is given (engine/replay.ts, check/element-steps.ts).
  noElement(param: string, size: number, index: number): never {
    return fail('perturbation', `${param} has ${size} elements; there is no element ${index}`, { leaf: param });
  },
  noPosition(position: number, length: number): never {
    return fail('perturbation', `there is no position ${position} among ${length}`);
  },
  runCount(param: string, position: number, wrote: number, asked: number): never {
    return fail('perturbation', `the list wrote ${wrote} perturbations at position ${position}, where 1 to ${asked} were asked for`, { leaf: param });
  },
};
