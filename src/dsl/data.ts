/**
 * Data files: a JSON object of name -> nested array (or number). A file that cannot be read,
 * is not JSON, or is not an object is an error at the `data` line that named it (or naming the
 * file alone, for one given on the command line). Values are checked when a leaf takes one.
 */
import { dsl, type At } from './messages.js';
import { readOrFail } from './read.js';

export interface DataFile {
  /** The path as written, which messages quote. */
  readonly source: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export async function loadDataFile(path: string, absPath: string, at: At): Promise<DataFile> {
  const text = (await readOrFail(absPath, at, 'data file', path)).toString('utf8');
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (e) {
    return dsl.dataJson(at, path, jsonProblem(text, e));
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    dsl.dataNotObject(at, path, Array.isArray(values) ? 'an array' : values === null ? 'null' : `a ${typeof values}`);
  }
  return { source: path, values: values as Record<string, unknown> };
}

/** JSON.parse's complaint with its offset as a line and column (V8's wording varies by version). */
function jsonProblem(text: string, e: unknown): string {
  const detail = e instanceof Error ? e.message : String(e);
  const m = /^(.*?)(?: in JSON)? at position (\d+)/.exec(detail);
  if (!m) return detail;
  const before = text.slice(0, Number(m[2]));
  const line = before.split('\n').length;
  return `${m[1]} at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** The value for `name` from the last file that has it, with that file's name. */
export function lookup(files: readonly DataFile[], name: string): { value: unknown; source: string } | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    if (Object.hasOwn(files[i].values, name)) return { value: files[i].values[name], source: files[i].source };
  }
  return undefined;
}
