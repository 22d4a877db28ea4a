/**
 * The NumPy reference (../shared/reference/seed_gradcheck.py) as an oracle: runs it and parses
 * its one JSON object. GRADPROOF_SHARED overrides where shared/ is.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MlpCase } from '../../src/index.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env.GRADPROOF_SHARED ?? resolve(projectRoot, '../shared');
export const referenceScript = join(sharedDir, 'reference/seed_gradcheck.py');

export interface ReferenceResult {
  difference: number;
  verdict: string;
  cost: number;
  parameters: number;
  gradient: number[];
  approximation: number[];
}

export function runReference(args: string[]): unknown {
  return JSON.parse(execFileSync('python3', [referenceScript, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

export const reference = (args: string[]) => runReference(args) as ReferenceResult;

/** A random MLP case from the reference (`--mlp … --dump`), and a file holding it for `--params`. */
export function referenceMlp(sizes: number[], batch: number, seed: number): { values: MlpCase; file: string } {
  const values = runReference(['--mlp', sizes.join(','), '--batch', String(batch), '--seed', String(seed), '--dump']) as MlpCase;
  const file = join(mkdtempSync(join(tmpdir(), 'gradproof-ref-')), 'case.json');
  writeFileSync(file, JSON.stringify(values));
  return { values, file };
}

/** The reference's parameter order: W1, b1, W2, b2, … each row-major. */
export const seedOrder = (layers: number) => Array.from({ length: layers }, (_, i) => [`W${i + 1}`, `b${i + 1}`]).flat();
