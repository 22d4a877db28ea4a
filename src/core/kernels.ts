/**
 * The dense loops the built-in ops share: products of row-major matrices and numpy-style
 * broadcasting. Plain Float64Array loops: these run once per forward evaluation, so they are
 * the hot path of every check.
 */
import { sizeOf, type Tensor } from './tensor.js';
import { NATIVE_MIN, nativeKernels } from './native.js';
import { f64, f64Copy } from './alloc.js';

/** C[m,n] = A[m,k] · B[k,n]; transA / transB read A or B as stored transposed. */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const [ar, ac] = a.shape;
  const [br, bc] = b.shape;
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const n = transB ? br : bc;
  const A = a.data;
  const B = b.data;
  const C = f64(m * n);
  const native = nativeKernels();
  if (native && !(transA && transB) && m * k * n >= NATIVE_MIN) {
    native.product(C, A, B, null, m, k, n, transA, transB);
    return { shape: [m, n], data: C };
  }
  if (transB && !transA) {
    // A·Bᵀ: each element is a dot product of two stored rows, both read in order (a strided
    // walk down B's columns would miss the cache on every step).
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += A[i * k + p] * B[j * k + p];
        C[i * n + j] = sum;
      }
    }
    return { shape: [m, n], data: C };
  }
  // Strides that read A (or B) as if transposed, so one loop serves the other products.
  const aRow = transA ? 1 : ac;
  const aCol = transA ? ac : 1;
  const bRow = transB ? 1 : bc;
  const bCol = transB ? bc : 1;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * aRow + p * aCol];
      const bp = p * bRow;
      for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j * bCol];
    }
  }
  return { shape: [m, n], data: C };
}

/** Sum over the columns: [r, c] -> [r, 1]. */
export function sumColumns(t: Tensor): Tensor {
  const [r, c] = t.shape;
  const out = f64(r);
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += t.data[i * c + j];
    out[i] = s;
  }
  return { shape: [r, 1], data: out };
}

/** The shape a and b broadcast to (numpy rules, aligned at the right), or null when they do not. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each element of `out`, the flat index of the element of `shape` that broadcasts to it. */
function broadcastIndices(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = sizeOf(out);
  const idx = new Int32Array(n);
  const offset = out.length - shape.length;
  // Stride of each output axis inside `shape`; 0 where `shape` is broadcast along that axis.
  const strides = out.map((_, axis) => {
    const d = shape[axis - offset];
    if (axis < offset || d === 1) return 0;
    return sizeOf(shape.slice(axis - offset + 1));
  });
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let src = 0;
    for (let axis = out.length - 1; axis >= 0; axis--) {
      src += (rest % out[axis]) * strides[axis];
      rest = Math.floor(rest / out[axis]);
    }
    idx[flat] = src;
  }
  return idx;
}

/** out[i] = f(a[i'], b[i'']) over the broadcast shape. */
export function zipBroadcast(a: Tensor, b: Tensor, out: number[], f: (x: number, y: number) => number): Tensor {
  const n = sizeOf(out);
  const data = f64(n);
  if (a.data.length === n && b.data.length === n) {
    for (let i = 0; i < n; i++) data[i] = f(a.data[i], b.data[i]);
  } else {
    const ia = broadcastIndices(a.shape, out);
    const ib = broadcastIndices(b.shape, out);
    for (let i = 0; i < n; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]]);
  }
  return { shape: out, data };
}

/** Sum a gradient of the broadcast shape back onto `shape`, the reverse of broadcasting. */
export function reduceTo(grad: Tensor, shape: readonly number[]): Tensor {
  const n = sizeOf(shape);
  if (n === grad.data.length) return { shape: [...shape], data: f64Copy(grad.data) };
  const idx = broadcastIndices(shape, grad.shape);
  const data = f64(n);
  for (let i = 0; i < grad.data.length; i++) data[idx[i]] += grad.data[i];
  return { shape: [...shape], data };
}

/** out[i] = f(x[i], y[i]) for tensors of one shape. */
export function map2(x: Tensor, y: Tensor, f: (a: number, b: number) => number): Tensor {
  const data = f64(x.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(x.data[i], y.data[i]);
  return { shape: [...x.shape], data };
}
