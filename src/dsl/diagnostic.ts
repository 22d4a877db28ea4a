/**
 * A GradproofError as a compiler-style diagnostic, no stack and no colour:
 *
 *   graphs/bad.graph:7:6: unknown op 'lineer' in node Z1
 *     7 | Z1 = lineer(X, W1, b1)
 *       |      ^^^^^^
 *     hint: did you mean 'linear'?
 *
 * The loader remembers the source of each error it throws, so the source argument may be left out.
 */
import type { GradproofError } from '../core/errors.js';

const sources = new WeakMap<GradproofError, string>();

/** Lets formatDiagnostic find the text `error` points into without being handed it. */
export function rememberSource(error: GradproofError, source: string): void {
  sources.set(error, source);
}

export function formatDiagnostic(error: GradproofError, source: string | undefined = sources.get(error)): string {
  const { file, line, col, length } = error.where;
  const place = [file, line, line !== undefined ? col : undefined].filter((p) => p !== undefined).join(':');
  const out = [place ? `${place}: ${error.message}` : error.message];
  const text = line !== undefined && source !== undefined ? source.split(/\r?\n/)[line - 1] : undefined;
  if (text !== undefined && col !== undefined) {
    const gutter = ' '.repeat(String(line).length);
    // Keep tabs under tabs, so the carets line up however the terminal shows them.
    const indent = [...text.slice(0, col - 1)].map((c) => (c === '\t' ? '\t' : ' ')).join('');
    const carets = '^'.repeat(Math.max(1, Math.min(length ?? 1, text.length - col + 1)));
    out.push(`  ${line} | ${text}`, `  ${gutter} | ${indent}${carets}`);
  }
  if (error.hint) out.push(`  hint: ${error.hint}`);
  return out.join('\n');
}
