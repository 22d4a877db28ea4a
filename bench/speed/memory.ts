/**
 * A check's peak live memory, against the goal of at most 3 × (the model's values + one forward
 * pass's activations). One untimed run of the check that reads what is live, after collecting
 * garbage (node --expose-gc), at each progress event and the report, and right after each large
 * Float64Array is made (an eighth of the model or more: memory peaks where a large array is made,
 * since between such moments the check makes only small objects, which die young). What is live
 * is the V8 heap plus array buffers (the tensors); the peak less the same reading before the
 * check is the check's own memory: gradients, estimates, verdicts, replay buffers, directions,
 * report. It runs in a process of its own without V8's JIT, after one check has given every
 * function its bytecode (bench/run.ts, memoryOf): with the JIT, compiled code and what
 * deoptimisations leave (the hook below replaces Float64Array) came and went by tens of
 * kilobytes, up to 200 of code, between readings of the same check, and a process's first
 * reading of MLP 100's full check was about 100 KB below the next ones. V8's code spaces are
 * left out all the same: the engine's program, not data the check holds.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { checkGraph$, type CheckOptions, type CheckReport, type Graph } from '../../src/index.js';
import type { Plan } from '../../src/engine/plan.js';
import type { Values } from '../../src/engine/forward.js';

export interface MemoryFigures {
  /** The params' and inputs' values, and one forward pass's node outputs, in MB. */
  modelMb: number;
  activationsMb: number;
  /** The check's peak live memory beyond what was live before it, in MB. */
  checkMb: number;
  /** checkMb / (modelMb + activationsMb): the goal is at most 3. */
  ratio: number;
  /** Readings taken. */
  readings: number;
  /** The evaluations of the check read (to tell whether it took the timed runs' path). */
  evaluations: number;
  /** The stages the check went through (stagesOf), to tell whether two checks took the same way. */
  stages: string;
  /**
   * The same check of the case's shrunk copy (cases.ts, shrunkCase): the check's fixed part,
   * with a model of a kilobyte or two.
   */
  fixed?: MemoryFigures;
}

/** The directions, the params checked element by element, and the nodes checked, of a report. */
export const stagesOf = (report: CheckReport): string =>
  `${report.directions?.length ?? 0} directions, ${report.params.filter((p) => p.by !== 'directions').length} params by elements, ${report.nodes?.length ?? 0} nodes`;

const MB = 2 ** 20;

/**
 * Runs `during` with a hook called right after each Float64Array of `large` elements or more
 * is made: by `new`, `from` or `of`, or by `slice` or `map` of another. Put back afterwards.
 */
function onLargeArrays<T>(large: number, hook: () => void, during: () => T): T {
  const Native = Float64Array;
  const { slice, map } = Native.prototype;
  const watch = (a: Float64Array) => (a.length >= large && hook(), a);
  const global = globalThis as { Float64Array: Float64ArrayConstructor };
  global.Float64Array = new Proxy(Native, { construct: (target, args, newTarget) => watch(Reflect.construct(target, args, newTarget)) });
  Native.prototype.slice = function (this: Float64Array, ...args: Parameters<typeof slice>) {
    return watch(slice.apply(this, args));
  } as typeof slice;
  Native.prototype.map = function (this: Float64Array, ...args: Parameters<typeof map>) {
    return watch(map.apply(this, args));
  } as typeof map;
  try {
    return during();
  } finally {
    global.Float64Array = Native;
    Native.prototype.slice = slice;
    Native.prototype.map = map;
  }
}

/** Bytes of V8's heap that hold compiled code. */
const codeBytes = (): number => {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name.startsWith('code_')) bytes += space.space_used_size;
  return bytes;
};

export function liveMemory(graph: Graph, plan: Plan, forward: Values, options: CheckOptions): MemoryFigures | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  // Some garbage takes more than one collection to go: collect until the reading stops falling.
  const live = () => {
    let last = Infinity;
    for (let i = 0; i < 8; i++) {
      gc();
      const m = process.memoryUsage();
      const now = m.heapUsed - codeBytes() + m.arrayBuffers;
      if (now >= last) return last;
      last = now;
    }
    return last;
  };
  const modelDoubles = plan.leaves.reduce((n, l) => n + l.value.data.length, 0);
  const modelMb = (8 * modelDoubles) / MB;
  const activationsMb = (8 * plan.nodes.reduce((n, node) => n + forward[node.slot].data.length, 0)) / MB;
  const before = live();
  let peak = before;
  let readings = 0;
  // Closure state: whether a reading is under way (the collector's own arrays must not recurse).
  let reading = false;
  const read = () => {
    if (reading) return;
    reading = true;
    peak = Math.max(peak, live());
    readings++;
    reading = false;
  };
  let evaluations = NaN;
  let stages = '';
  onLargeArrays(Math.max(64, modelDoubles / 8), read, () =>
    checkGraph$(graph, { ...options, scheduler: undefined }).subscribe({
      next: (event) => {
        read();
        if (event.type === 'report') [evaluations, stages] = [event.report.evaluations, stagesOf(event.report)];
      },
      error: (e) => {
        throw e;
      },
    }),
  );
  const checkMb = (peak - before) / MB;
  return { modelMb, activationsMb, checkMb, ratio: checkMb / (modelMb + activationsMb), readings, evaluations, stages };
}
