/**
 * Errors as a user sees them: a graph-file mistake or an op's failure as `file:line:col:` with
 * the line and a caret; anything unexpected as one line. Never a stack trace (set
 * GRADPROOF_DEBUG=1 to get one).
 */
import { GradproofError, isGradproofError } from '../core/errors.js';
import { formatDiagnostic, type LoadedGraph } from '../dsl/index.js';
import { rememberSource } from '../dsl/diagnostic.js';

/** An engine error (naming a node, op, input or leaf) placed at its span in the graph file. */
export function locatedError(e: unknown, loaded: LoadedGraph): unknown {
  if (!isGradproofError(e) || e.where.line !== undefined) return e;
  const where = loaded.locate(e.where);
  if (!where) return e;
  const located = new GradproofError(e.code, e.message, { ...e.where, ...where }, e.hint);
  rememberSource(located, loaded.source);
  return located;
}

export function describeError(e: unknown, env: Readonly<Record<string, string | undefined>>): string {
  if (isGradproofError(e)) return formatDiagnostic(e);
  const text = e instanceof Error ? e.message : String(e);
  const debug = env.GRADPROOF_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
  return `gradproof: internal error: ${text}${debug}`;
}
