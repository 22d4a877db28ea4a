/**
 * The NumPy peer (../shared/reference/seed_gradcheck.py): run as a child process whose
 * environment drops OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE together (set on some processors for
 * older OpenBLAS builds; they pin a current numpy to a slower kernel). The parent's environment
 * is never changed. A tiny wrapper runs the script in-process (runpy) and reports its peak RSS
 * on stderr, so stdout stays the peer's one JSON object. GRADPROOF_SHARED overrides shared/.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from './pin.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.GRADPROOF_SHARED ?? resolve(projectRoot, '../shared');
export const peerScript = join(sharedDir, 'reference/seed_gradcheck.py');

/** The variables dropped for the peer's runs only. */
export const DROPPED_ENV = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

/**
 * BLAS threads for the peer: a number pins OPENBLAS_NUM_THREADS (gradproof is single-threaded,
 * and OpenBLAS's spinning threads collapse on a shared, loaded 2-core machine); 'default' leaves
 * the choice to OpenBLAS (or to the caller's OPENBLAS_NUM_THREADS).
 */
let peerThreads: number | 'default' = 1;
export const setPeerThreads = (threads: number | 'default'): void => void (peerThreads = threads);

export function peerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of DROPPED_ENV) delete env[name];
  if (peerThreads !== 'default') env.OPENBLAS_NUM_THREADS = String(peerThreads);
  return env;
}

/** What the peer prints (the fields the benchmark uses), plus the process's peak RSS. */
export interface PeerResult {
  verdict: 'pass' | 'fail' | null;
  difference: number | null;
  parameters: number;
  forward_evaluations: number;
  seconds_forward: number;
  seconds_check: number;
  seconds_per_forward: number;
  sampled_elements?: number;
  extrapolated?: boolean;
  peakRssMb: number;
}

const WRAPPER = [
  'import resource, runpy, sys',
  'script = sys.argv[1]',
  'sys.argv = sys.argv[1:]',
  'try:',
  '    runpy.run_path(script, run_name="__main__")',
  'finally:',
  '    sys.stdout.flush()',
  '    print("PEAK_RSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)',
].join('\n');

function python(args: readonly string[], env: NodeJS.ProcessEnv = peerEnv()): { stdout: string; stderr: string } {
  // On the pinned CPU (pin.ts) when the peer has one BLAS thread, like gradproof's one-thread rows.
  const [command, argv] = pinned('python3', args, peerThreads === 1 ? 1 : 2);
  const child = spawnSync(command, argv, { env, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.error || child.status !== 0) {
    throw new Error(`python3 ${args.filter((a) => !a.includes('\n')).join(' ')} failed (${child.error?.message ?? `status ${child.status}`}): ${child.stderr}`);
  }
  return { stdout: child.stdout, stderr: child.stderr };
}

/** One run of the peer on `args` (e.g. ['--case', 'fraud', '--buggy']), gradient vectors left out. */
export function runPeer(args: readonly string[]): PeerResult {
  const { stdout, stderr } = python(['-c', WRAPPER, peerScript, ...args, '--no-vectors']);
  const parsed = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<PeerResult, 'peakRssMb'>;
  const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { ...parsed, peakRssMb: kb / 1024 };
}

// The peer's script loaded as a module, its gradient_check wrapped in tracemalloc (which numpy
// reports its arrays' memory to), then its main run: the check's peak of traced memory.
const MEMORY_WRAPPER = [
  'import importlib.util, sys, tracemalloc',
  'spec = importlib.util.spec_from_file_location("seed_gradcheck", sys.argv[1])',
  'seed = importlib.util.module_from_spec(spec)',
  'spec.loader.exec_module(seed)',
  'check = seed.gradient_check',
  'def traced(*args, **kwargs):',
  '    tracemalloc.start()',
  '    base = tracemalloc.get_traced_memory()[0]',
  '    try:',
  '        return check(*args, **kwargs)',
  '    finally:',
  '        print("PEAK_TRACED_B", tracemalloc.get_traced_memory()[1] - base, file=sys.stderr)',
  '        tracemalloc.stop()',
  'seed.gradient_check = traced',
  'sys.argv = sys.argv[1:]',
  'seed.main()',
].join('\n');

/**
 * The peer's check's peak memory in bytes, as Python's tracemalloc sees it (the arrays and
 * objects the seed's loop makes, above what was traced when it began), from one untimed run.
 */
export function peerCheckBytes(args: readonly string[]): number {
  const { stderr } = python(['-c', MEMORY_WRAPPER, peerScript, ...args, '--no-vectors']);
  return Number(/PEAK_TRACED_B (\d+)/.exec(stderr)?.[1] ?? NaN);
}

/** The case's values as the peer prints them with --dump. */
export function dumpCase(args: readonly string[]): string {
  return python([peerScript, ...args, '--dump']).stdout;
}

export interface PeerInfo {
  python: string;
  numpy: string;
  /** The OpenBLAS kernel numpy uses in the peer's environment (and in the parent's, for contrast). */
  blasCore: string;
  blasCoreWithParentEnv: string | null;
  /** BLAS threads in the peer's runs, as OpenBLAS reports them, and how they were set. */
  blasThreads: number | null;
  threadsSetting: string;
  blas: string;
  dropped: Record<string, string | undefined>;
  /** Peak RSS of python3 with numpy imported and nothing run: the floor under the peer's figures. */
  baselineRssMb: number;
}

const INFO = `
import sys, json, glob, os, ctypes, resource, numpy
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
core = None
threads = None
cfg = numpy.show_config(mode="dicts") if hasattr(numpy, "show_config") else {}
blas = cfg.get("Build Dependencies", {}).get("blas", {})
for lib in glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*")):
    d = ctypes.CDLL(lib)
    for prefix in ("scipy_openblas_", "openblas_"):
        f = getattr(d, prefix + "get_corename64_", None) or getattr(d, prefix + "get_corename", None)
        n = getattr(d, prefix + "get_num_threads64_", None) or getattr(d, prefix + "get_num_threads", None)
        if f is not None:
            f.restype = ctypes.c_char_p
            core = f().decode()
            threads = n() if n is not None else None
            break
print(json.dumps({"python": sys.version.split()[0], "numpy": numpy.__version__, "core": core, "threads": threads,
                  "blas": "%s %s" % (blas.get("name", "?"), blas.get("version", "")), "rss": rss}))
`;

export function peerInfo(): PeerInfo {
  const read = (env: NodeJS.ProcessEnv) =>
    JSON.parse(python(['-c', INFO], env).stdout) as { python: string; numpy: string; core: string | null; threads: number | null; blas: string; rss: number };
  const peer = read(peerEnv());
  const dropped = Object.fromEntries(DROPPED_ENV.map((n) => [n, process.env[n]]));
  const anySet = DROPPED_ENV.some((n) => process.env[n] !== undefined);
  return {
    python: peer.python,
    numpy: peer.numpy,
    blasCore: peer.core ?? 'unknown',
    blasThreads: peer.threads,
    threadsSetting: peerThreads === 'default' ? `OpenBLAS's choice (OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? 'unset'})` : `OPENBLAS_NUM_THREADS=${peerThreads}`,
    blasCoreWithParentEnv: anySet ? (read(process.env).core ?? 'unknown') : null,
    blas: peer.blas,
    dropped,
    baselineRssMb: peer.rss / 1024,
  };
}
