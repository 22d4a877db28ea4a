/**
 * Tensors: a shape and a row-major Float64Array. Plain data, so a user's op module can build one
 * with an object literal and import nothing from gradproof.
 */
import { fail } from './errors.js';

export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** The number of elements a shape holds (1 for the scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data?: Float64Array | readonly number[]): Tensor {
  const n = sizeOf(shape);
  const values = data === undefined ? new Float64Array(n) : Float64Array.from(data);
  if (values.length !== n) {
    fail('tensor-size', `a tensor of shape ${formatShape(shape)} holds ${n} values, not ${values.length}`);
  }
  return { shape: [...shape], data: values };
}

export const zeros = (shape: readonly number[]): Tensor => tensor(shape);

export function filled(shape: readonly number[], value: number): Tensor {
  const t = tensor(shape);
  t.data.fill(value);
  return t;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Row-major flat index -> per-axis index. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    out[axis] = index % shape[axis];
    index = Math.floor(index / shape[axis]);
  }
  return out;
}

/** A tensor as nested arrays (a number for the scalar shape []), e.g. for JSON. */
export function toNested(t: Tensor): unknown {
  const build = (axis: number, offset: number): unknown => {
    if (axis === t.shape.length) return t.data[offset];
    const stride = sizeOf(t.shape.slice(axis + 1));
    return Array.from({ length: t.shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
  };
  return build(0, 0);
}

export const copyTensor = (t: Tensor): Tensor => ({ shape: [...t.shape], data: t.data.slice() });

/**
 * A tensor from nested arrays of numbers (JSON, a graph-file literal, the builder API). A bare
 * number is the scalar shape []. Ragged rows, non-numbers and NaN/Infinity are errors naming `what`.
 */
export function fromNested(value: unknown, what: string): Tensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    if (v.length === 0) fail('nested', `${what}: an empty array has no shape`);
    shape.push(v.length);
  }
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const walk = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        fail('nested', `${what}${path}: expected a finite number, got ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))}`);
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      fail('nested', `${what}${path}: expected an array of ${shape[axis]} (the shape so far is ${formatShape(shape)}), got ${Array.isArray(v) ? `${v.length} items` : JSON.stringify(v)}`);
    }
    v.forEach((item, i) => walk(item, axis + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return { shape, data };
}
