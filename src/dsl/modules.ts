/**
 * Op modules (`use "./ops/extra.ts"`, or --ops on the command line), loaded in-process with
 * jiti so TypeScript needs no build step. The default export is one op or an array of ops;
 * each is registered with the path as written as its source, so a clash names both modules.
 */
import { createJiti } from 'jiti';
import { describeThrown, GradproofError, isGradproofError } from '../core/errors.js';
import type { OpRegistry } from '../ops/registry.js';
import { dsl, placed, type At } from './messages.js';
import { checkReadable } from './read.js';

const jiti = createJiti(import.meta.url, { moduleCache: false, interopDefault: false });
const MODULE = /\.(ts|mts|js|mjs)$/;

export async function loadOpModule(path: string, absPath: string, at: At, registry: OpRegistry): Promise<void> {
  if (!MODULE.test(path)) dsl.moduleKind(at, path);
  await checkReadable(absPath, at, 'module', path);
  let mod: unknown;
  try {
    mod = await jiti.import(absPath);
  } catch (e) {
    dsl.moduleThrew(at, path, describeThrown(e));
  }
  const exported = typeof mod === 'object' && mod !== null ? (mod as { default?: unknown }).default : undefined;
  if (exported === undefined) dsl.noDefault(at, path);
  const ops = Array.isArray(exported) ? exported : [exported];
  if (ops.length === 0) dsl.noOps(at, path);
  for (const op of ops) {
    try {
      placed(at, () => registry.register(op, path, absPath));
    } catch (e) {
      // A malformed op's message starts with the module's path: a module named on the command
      // line (no line to point at) need not be named twice.
      if (!at.span && isGradproofError(e) && e.code === 'op-malformed') throw new GradproofError(e.code, e.message, {}, e.hint);
      throw e;
    }
  }
}
