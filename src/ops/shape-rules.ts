/** Shape rules the built-in ops share; each error names the op and the input. */
import { errors } from '../core/messages.js';
import { broadcastShape } from '../core/kernels.js';
import { formatShape } from '../core/tensor.js';

export function matrix(op: string, input: string, shape: number[]): [number, number] {
  if (shape.length !== 2) errors.shape(op, input, shape, 'a matrix [rows, columns]');
  return [shape[0], shape[1]];
}

export function broadcast(op: string, [a, b]: number[][], names: [string, string] = ['a', 'b']): number[] {
  const out = broadcastShape(a, b);
  return out ?? errors.shape(op, names[1], b, `a shape that broadcasts with ${names[0]}'s ${formatShape(a)}`);
}

export const sameAsInput = (shapes: number[][]): number[] => [...shapes[0]];
