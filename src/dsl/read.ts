/**
 * Reading files for the loader: a graph file must be UTF-8 text (a NUL byte or an invalid
 * sequence is reported at its line and column); any file that cannot be read is an error
 * naming it, at the statement that asked for it when there is one.
 */
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dsl, readProblem, type At } from './messages.js';

/** The bytes of a file, or an error: cannot read WHAT "PATH": no such file. */
export async function readOrFail(absPath: string, at: At, what: string, path: string): Promise<Buffer> {
  try {
    return await readFile(absPath);
  } catch (e) {
    return dsl.unreadable(at, what, path, readProblem(e));
  }
}

export async function checkReadable(absPath: string, at: At, what: string, path: string): Promise<void> {
  try {
    await access(absPath, constants.R_OK);
  } catch (e) {
    dsl.unreadable(at, what, path, readProblem(e));
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1) {
      try {
        strict.decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return -1;
}

/** Graph-file bytes as text; invalid UTF-8 is an error at its place (a NUL is the lexer's). */
export function decodeText(bytes: Uint8Array, file: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return strict.decode(bytes);
  const before = strict.decode(bytes.subarray(0, bad));
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.slice(0, lineStart).split('\n').length;
  return dsl.binary({ file, span: { line, col: before.length - lineStart + 1, length: 1 } }, `invalid UTF-8 at byte ${bad}`);
}
