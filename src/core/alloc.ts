/**
 * Float64Arrays for the many small tensors of a check (a forward pass's outputs, gradients, a
 * replayer's buffers), made as views of shared 4 KB slabs: in Node 20 a Float64Array of more
 * than 8 elements gets its own off-heap buffer, which costs 1-3 µs to make (scratch timings; a
 * view of an existing buffer: 15-45 ns), most of a tiny network's forward pass. A slab is
 * handed out once, front to back (fresh memory, so zeros, as `new Float64Array(n)` gives), and
 * goes when no view of it is left. Even arrays of 8 elements or fewer, which V8 keeps in its
 * heap, cheap to make, come from a slab: the native chain would have V8 move each of them off its
 * heap (about 1 µs apiece) when it takes their address (the fraud net's full check 82-92 ->
 * 77-81 µs, three runs each on one CPU). Past 256 elements an array gets a buffer of its own
 * (its making is then small beside its use): a slab kept alive by one small view holds at most
 * 4 KB that nothing else uses (16 KB slabs were no faster, in scratch runs).
 */
const SLAB_BYTES = 1 << 12;
const MIN = 1;
const MAX = 256;

/** Slabs handed out front to back; the next one is made when the current is full (or detached). */
class Slabs {
  // Closure-like state: the slab being handed out (none yet: an empty buffer) and the bytes of it handed out so far.
  slab = new ArrayBuffer(0);
  private used = 0;

  /** Where `bytes` (a multiple of 8) more start in `slab`, a fresh one when the current is full. */
  room(bytes: number): number {
    // A slab whose buffer someone transferred (detached: byteLength 0) is dropped, not written to.
    if (this.used + bytes > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.used = 0;
    }
    this.used += bytes;
    return this.used - bytes;
  }

  f64(n: number): Float64Array {
    // (Anything but a whole n in [MIN, MAX] is the constructor's to take: NaN must not reach `used`.)
    if (!(n >= MIN && n <= MAX && Number.isInteger(n))) return new Float64Array(n);
    const at = this.room(8 * n);
    return new Float64Array(this.slab, at, n);
  }
}

// Module state: the slabs of the engine's tensors, and the slabs of memory no op ever sees.
const shared = new Slabs();
const hidden = new Slabs();

/** A zeroed Float64Array of n elements. */
export function f64(n: number): Float64Array {
  return shared.f64(n);
}

/**
 * f64 for memory that must stay out of every op's reach: a native chain's block holds pointers,
 * and an op that wrote through its argument's buffer (`new Float64Array(x.data.buffer)`, a slab)
 * could change them; these slabs hold nothing an op is given.
 */
export function hiddenF64(n: number): Float64Array {
  return hidden.f64(n);
}

/** A zeroed Int32Array of n elements (as f64: for arrays the native chain keeps, off V8's heap). */
export function i32(n: number): Int32Array {
  const bytes = 8 * Math.ceil(n / 2);
  if (!(n >= MIN && bytes <= 8 * MAX && Number.isInteger(n))) return new Int32Array(n);
  const at = shared.room(bytes);
  return new Int32Array(shared.slab, at, n);
}

/** A copy of `source` (f64's). */
export function f64Copy(source: Float64Array): Float64Array {
  const copy = f64(source.length);
  copy.set(source);
  return copy;
}

/**
 * `a` as an array of its own: a slab's view is copied. What gradproof hands its callers (a
 * report's gradients, evaluate's values) goes through this, so that no caller holds a slab (a
 * slab kept by one small array holds 4 KB) or can transfer one from under the engine.
 */
export function own(a: Float64Array): Float64Array {
  return isOwn(a) ? a : a.slice();
}

const isOwn = (a: Float64Array): boolean => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;

/**
 * `own` for several arrays at once: the copies are views of one new buffer, theirs alone (a
 * check's report hands out a gradient per param: one allocation, where each of more than 8
 * elements took one of 1-3 µs). Like any view, one copy's buffer is its siblings'.
 */
export function ownAll(arrays: readonly Float64Array[]): Float64Array[] {
  let size = 0;
  for (const a of arrays) if (!isOwn(a)) size += a.length;
  const room = new Float64Array(size);
  let at = 0;
  return arrays.map((a) => {
    if (isOwn(a)) return a;
    const copy = room.subarray(at, at + a.length);
    copy.set(a);
    at += a.length;
    return copy;
  });
}

/** Zeroed arrays of the given sizes, views of one new buffer (for arrays handed out together, as ownAll's). */
export function f64Views(sizes: readonly number[]): Float64Array[] {
  const room = new Float64Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  return sizes.map((n) => room.subarray(at, (at += n)));
}
