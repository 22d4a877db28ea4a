/** The small-array allocator (src/core/alloc.ts): zeroed, separate arrays of the size asked, whatever their number. */
import { describe, expect, it } from 'vitest';
import { f64, f64Copy, f64Views, hiddenF64, i32, own, ownAll } from '../src/core/alloc.js';
import { checkGraph, evaluate, mlpGraph } from '../src/index.js';

describe('f64, the small-array allocator', () => {
  it('gives zeroed arrays of the size asked that share no element, across many slabs', () => {
    const sizes = Array.from({ length: 3000 }, (_v, i) => [0, 1, 8, 9, 17, 256, 257, 1000][i % 8]);
    const arrays = sizes.map((n) => f64(n));
    expect(arrays.map((a) => a.length)).toEqual(sizes);
    expect(arrays.every((a) => a.every((v) => v === 0))).toBe(true);
    arrays.forEach((a, k) => a.fill(k + 1));
    // Had two arrays overlapped, the later fill would show in the earlier one.
    expect(arrays.every((a, k) => a.every((v) => v === k + 1))).toBe(true);
  });

  it('gives Int32Arrays from the same slabs, sharing no byte with the Float64Arrays', () => {
    const made = Array.from({ length: 2000 }, (_v, k) => (k % 2 ? f64(1 + (k % 13)) : i32(1 + (k % 7))));
    expect(made.every((a) => a.every((v) => v === 0))).toBe(true);
    made.forEach((a, k) => a.fill(k + 1));
    expect(made.every((a, k) => a.every((v) => v === k + 1))).toBe(true);
    expect(i32(5).length).toBe(5);
  });

  it('hiddenF64: slabs of their own, never one an f64 array is in', () => {
    const made = Array.from({ length: 300 }, (_v, k) => (k % 2 ? f64(1 + (k % 40)) : hiddenF64(1 + (k % 40))));
    const hidden = new Set(made.filter((_a, k) => k % 2 === 0).map((a) => a.buffer));
    expect(made.filter((_a, k) => k % 2 === 1).some((a) => hidden.has(a.buffer))).toBe(false);
    expect(made.every((a) => a.every((v) => v === 0))).toBe(true);
  });

  it('takes a size that is not a whole number as the constructor does, and goes on handing out separate arrays', () => {
    expect([f64(NaN).length, f64(2.5).length, i32(NaN).length]).toEqual([new Float64Array(NaN).length, new Float64Array(2.5).length, 0]);
    const [a, b] = [f64(3), f64(3)];
    a.fill(1);
    expect(b.every((v) => v === 0) && a.buffer === b.buffer && a.byteOffset !== b.byteOffset).toBe(true);
  });

  it('goes on with a fresh slab when someone transfers the one in use', () => {
    const a = f64(10);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(a.length).toBe(0);
    const b = f64(10);
    expect(b.length).toBe(10);
    b.fill(3);
    expect(b.every((v) => v === 3)).toBe(true);
  });

  it('own: a view of a slab copied, an array with a buffer of its own as it is', () => {
    const view = f64(12);
    view[3] = 7;
    const owned = own(view);
    expect(owned).not.toBe(view);
    expect(owned.byteOffset === 0 && owned.buffer.byteLength === owned.byteLength).toBe(true);
    expect(Array.from(owned)).toEqual(Array.from(view));
    const alone = new Float64Array(12);
    expect(own(alone)).toBe(alone);
  });

  it('ownAll: the slab views copied into one buffer of their own, the other arrays as they are', () => {
    const [a, b] = [f64(12), f64(3)];
    a.fill(2), b.fill(5);
    const alone = new Float64Array(9);
    const [ca, calone, cb] = ownAll([a, alone, b]);
    expect(calone).toBe(alone);
    expect([Array.from(ca), Array.from(cb)]).toEqual([Array.from(a), Array.from(b)]);
    // One buffer for the copies, none of it a slab's: 15 numbers.
    expect(ca.buffer).toBe(cb.buffer);
    expect(ca.buffer.byteLength).toBe(15 * 8);
    ca.fill(0);
    expect(a.every((v) => v === 2) && cb.every((v) => v === 5)).toBe(true);
  });

  it('f64Views: zeroed arrays of the sizes asked, views of one buffer that share no element', () => {
    const views = f64Views([4, 0, 20, 1]);
    expect(views.map((v) => v.length)).toEqual([4, 0, 20, 1]);
    expect(views[0].buffer.byteLength).toBe(25 * 8);
    views.forEach((v, k) => v.fill(k + 1));
    expect(views.every((v, k) => v.every((x) => x === k + 1))).toBe(true);
  });

  it("a check's report holds no slab", () => {
    const c = { X: [[1, 2], [3, 4]], Y: [[1, 0]], layers: [{ W: [[0.1, -0.2], [0.3, 0.4]], b: [[0], [0.1]] }, { W: [[0.5, -0.6]], b: [[0.2]] }] };
    const { params } = checkGraph(mlpGraph(c), { mode: 'graph', full: true });
    // Each array is a view of a buffer that holds the report's numbers and nothing else.
    const sizes = params.reduce((n, p) => n + p.analytic.length, 0);
    for (const p of params) for (const a of [p.analytic, p.numeric]) expect(a.buffer.byteLength === a.byteLength || a.buffer.byteLength === 8 * sizes).toBe(true);
  });

  it("evaluate's values and gradients hold no slab", () => {
    const c = { X: [[1, 2], [3, 4]], Y: [[1, 0]], layers: [{ W: [[0.1, -0.2], [0.3, 0.4]], b: [[0], [0.1]] }, { W: [[0.5, -0.6]], b: [[0.2]] }] };
    const { values, gradients } = evaluate(mlpGraph(c));
    for (const t of [...values.values(), ...gradients.values()]) expect(t.data.byteOffset === 0 && t.data.buffer.byteLength === t.data.byteLength).toBe(true);
  });

  it('copies', () => {
    const source = Float64Array.from({ length: 40 }, (_v, i) => i / 7);
    const copy = f64Copy(source);
    expect(Array.from(copy)).toEqual(Array.from(source));
    copy[0] = 99;
    expect(source[0]).toBe(0);
  });
});
