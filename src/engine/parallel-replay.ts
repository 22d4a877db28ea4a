/**
 * Replays split across threads: the element perturbations go out in chunks to worker threads,
 * each of which rebuilds the graph and replays its chunks (replay-worker.ts), while this thread
 * replays chunks too; the values come back into the one Observable in the original order, so a
 * parallel check emits exactly what a single-threaded one does, bit for bit. Each worker perturbs
 * its own copies of the params; this thread perturbs the caller's in place and puts each element
 * back before anything else runs, as the single-threaded driver does.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Observable, type SchedulerLike } from 'rxjs';
import type { Attrs } from '../core/op.js';
import type { LeafKind } from '../core/graph.js';
import type { Plan } from './plan.js';
import type { Values } from './forward.js';
import { Replayer } from './replayer.js';
import type { ElementPerturbation, EvaluationBatch, PerturbationList } from './perturbation.js';
import { fromPlain, type Chunk } from './replay-worker.js';

/**
 * Below this many evaluations, starting threads costs about what it saves: each thread loads the
 * engine and runs the graph's forward pass first (about 0.5 s here), while a replay of the
 * 217,473-param MLP takes about 3 µs, and two busy threads slow each other down on this
 * machine's cores: its 435,009 evaluations (1.4 s on one thread) ran 1.07-1.11× faster on 2
 * threads, and in one run of four slower (bench/RESULTS.md). `workers: n` asks for n anyway.
 */
export const WORKER_MIN_EVALUATIONS = 1_000_000;

/** A graph as plain data a worker can receive: values are copied, ops named (and their modules). */
export interface GraphSpec {
  leaves: { name: string; kind: LeafKind; shape: number[]; data: Float64Array }[];
  nodes: { id: string; op: string; args: string[]; attrs: Attrs }[];
  objective: string;
  modules: string[];
  incremental: boolean;
}

/** Whether a worker can rebuild the plan: every op is built in or was loaded from a module. */
export const portable = (plan: Plan): boolean => plan.nodes.every((n) => n.builtin || n.module);

/** Threads for `total` evaluations, this one included: one per core when asked for (`auto`) and worth it, else 1. */
export function workersFor(plan: Plan, total: number, requested: number | 'auto', asynchronous: boolean): number {
  const wanted = requested === 'auto' ? (total >= WORKER_MIN_EVALUATIONS ? availableParallelism() : 1) : requested;
  return wanted > 1 && asynchronous && portable(plan) ? Math.min(wanted, availableParallelism()) : 1;
}

function specOf(plan: Plan, incremental: boolean): GraphSpec {
  const { graph } = plan;
  return {
    leaves: graph.leaves.map((l) => ({ name: l.name, kind: l.kind, shape: [...l.value.shape], data: l.value.data })),
    nodes: graph.nodes.map((n) => ({ id: n.id, op: n.op, args: [...n.args], attrs: { ...n.attrs } })),
    objective: graph.objective,
    modules: [...new Set(plan.nodes.flatMap((n) => (n.module ? [n.module] : [])))],
    incremental,
  };
}

// The thread's script: load replay-worker through jiti (TypeScript from src/, or the built .js).
const BOOT = `const { parentPort, workerData } = require('node:worker_threads');
const { createJiti } = require(workerData.jiti);
createJiti(workerData.entry, { interopDefault: false }).import(workerData.entry).then(
  (m) => m.serve(parentPort, workerData.spec),
  (e) => parentPort.postMessage({ id: -1, error: { code: 'worker', message: String((e && e.message) || e), where: {} } }));`;

function spawn(spec: GraphSpec): Worker {
  const here = import.meta.url;
  const entry = fileURLToPath(new URL(here.endsWith('.ts') ? './replay-worker.ts' : './replay-worker.js', here));
  const jiti = createRequire(here).resolve('jiti');
  return new Worker(BOOT, { eval: true, workerData: { jiti, entry, spec } });
}

/**
 * The replays split between `threads` − 1 worker threads and this one. The workers take chunks
 * from the front; this thread takes them from the back, in slices of `sliceMs` on `scheduler`
 * (so the event loop still turns: the workers' answers, a stop), and starts at once, while the
 * workers load. Values are emitted in order, each chunk when all before it are in.
 */
export function replayInWorkers(plan: Plan, baseline: Values, perturbations: PerturbationList<ElementPerturbation>, threads: number, options: { incremental: boolean; scheduler: SchedulerLike; sliceMs: number }): Observable<EvaluationBatch> {
  return new Observable<EvaluationBatch>((subscriber) => {
    const total = perturbations.length;
    // Chunks of whole pairs (+h and −h of one element travel together), 32 per thread: small
    // enough that the threads finish close together, each still thousands of evaluations.
    const size = Math.max(512, 2 * Math.ceil(total / (2 * threads * 32)));
    const starts = Array.from({ length: Math.ceil(total / size) }, (_v, i) => i * size);
    if (starts.length === 0) return subscriber.complete();
    const lengthOf = (id: number) => Math.min(size, total - starts[id]);
    // Closure state: the chunks not yet taken are front..back − 1; chunks back early wait their
    // turn in `waiting`; nextToEmit is the next to go out; this thread's chunk under way.
    let front = 0;
    let back = starts.length;
    let nextToEmit = 0;
    const waiting = new Map<number, Float64Array>();
    let mine: { id: number; values: Float64Array; done: number } | null = null;
    const replayer = new Replayer(plan, baseline, options.incremental);
    const spec = specOf(plan, options.incremental);
    const pool = Array.from({ length: Math.min(threads - 1, starts.length - 1) }, () => spawn(spec));

    const send = (worker: Worker) => {
      if (front >= back) return;
      const id = front++;
      const part = Array.from({ length: lengthOf(id) }, (_v, i) => perturbations.at(starts[id] + i)!);
      const chunk: Chunk = { id, params: part.map((p) => p.param), indices: Int32Array.from(part, (p) => p.index), steps: Float64Array.from(part, (p) => p.step) };
      worker.postMessage(chunk, [chunk.indices.buffer as ArrayBuffer, chunk.steps.buffer as ArrayBuffer]);
    };
    const flush = () => {
      while (waiting.has(nextToEmit) && !subscriber.closed) {
        const values = waiting.get(nextToEmit)!;
        waiting.delete(nextToEmit);
        subscriber.next({ start: starts[nextToEmit++], values, total });
      }
      if (nextToEmit === starts.length) subscriber.complete();
    };
    /** This thread's share for one slice; false when it has no chunk left to take. */
    const slice = (): boolean => {
      const ends = performance.now() + options.sliceMs;
      while (!subscriber.closed && performance.now() < ends) {
        if (!mine) {
          if (front >= back) return false;
          const id = --back;
          mine = { id, values: new Float64Array(lengthOf(id)), done: 0 };
        }
        // The clock is read every 16 evaluations.
        for (let c = 0; c < 16 && mine.done < mine.values.length; c++) {
          const p = perturbations.at(starts[mine.id] + mine.done)!;
          mine.values[mine.done++] = replayer.element(plan.slotOf.get(p.param)!, p.index, p.step);
        }
        if (mine.done === mine.values.length) {
          waiting.set(mine.id, mine.values);
          mine = null;
          flush();
        }
      }
      return !subscriber.closed;
    };
    for (const worker of pool) {
      worker.on('message', (m: { ready?: true; id?: number; values?: Float64Array; error?: Parameters<typeof fromPlain>[0] }) => {
        if (m.error) return subscriber.error(fromPlain(m.error));
        if (m.values) waiting.set(m.id!, m.values);
        send(worker);
        flush();
      });
      worker.on('error', (e) => subscriber.error(fromPlain({ code: 'worker', message: e.message, where: {} })));
      // A thread that ends on its own (a user op calling process.exit, say) must not leave the check waiting.
      worker.on('exit', (code) => subscriber.error(fromPlain({ code: 'worker', message: `a worker thread exited (code ${code}) before the check ended`, where: {} })));
    }
    const own = options.scheduler.schedule(function () {
      try {
        if (slice()) this.schedule();
      } catch (e) {
        subscriber.error(e);
      }
    });
    return () => {
      own.unsubscribe();
      for (const worker of pool) void worker.terminate();
    };
  });
}
