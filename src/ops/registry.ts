/**
 * A registry of ops by name: the built-ins, then the user's. A user op is checked against the
 * op contract when it registers, and a name taken twice is an error that names both sources.
 */
import type { Op } from '../core/op.js';
import { errors } from '../core/messages.js';
import { nearest } from '../core/suggest.js';
import { builtinOps } from './index.js';

export const BUILTIN_SOURCE = 'gradproof (built-in)';

/** Checks that a value from a user's module satisfies the op contract; returns it typed. */
export function validateOp(value: unknown, source: string): Op {
  if (typeof value !== 'object' || value === null) return errors.malformedOp(source, `expected an object, got ${value === null ? 'null' : typeof value}`);
  const op = value as Record<string, unknown>;
  const label = typeof op.name === 'string' ? `op '${op.name}'` : 'the op';
  if (typeof op.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(op.name)) {
    errors.malformedOp(source, `name must be a string like "my_layer", got ${JSON.stringify(op.name) ?? typeof op.name}`);
  }
  if (!Array.isArray(op.inputs) || op.inputs.length === 0 || !op.inputs.every((s) => typeof s === 'string' && s.length > 0)) {
    errors.malformedOp(source, `${label}: inputs must be a non-empty array of input names, e.g. ["x"]`);
  }
  for (const fn of ['forward', 'backward'] as const) {
    if (typeof op[fn] !== 'function') errors.malformedOp(source, `${label}: ${fn} must be a function`);
  }
  if (op.shape !== undefined && typeof op.shape !== 'function') errors.malformedOp(source, `${label}: shape, when given, must be a function`);
  if (op.attrs !== undefined && !(Array.isArray(op.attrs) && op.attrs.every((a) => typeof a === 'string'))) errors.malformedOp(source, `${label}: attrs, when given, must be an array of names`);
  return value as Op;
}

export class OpRegistry {
  // name -> the op, where it came from (a module path as written, or BUILTIN_SOURCE), and the
  // module's absolute path when it was loaded from one (so a worker thread can load it again).
  private readonly entries = new Map<string, { op: Op; source: string; module?: string }>();

  constructor(ops: Iterable<Op> = builtinOps) {
    for (const op of ops) this.register(op, BUILTIN_SOURCE);
  }

  register(value: unknown, source: string, module?: string): Op {
    const op = validateOp(value, source);
    const existing = this.entries.get(op.name);
    if (existing) errors.opClash(op.name, existing.source, source);
    this.entries.set(op.name, { op, source, module });
    return op;
  }

  /** The absolute path of the module an op was loaded from, if it was. */
  moduleOf(name: string): string | undefined {
    return this.entries.get(name)?.module;
  }

  get(name: string): Op | undefined {
    return this.entries.get(name)?.op;
  }

  sourceOf(name: string): string | undefined {
    return this.entries.get(name)?.source;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  suggest(name: string): string | undefined {
    return nearest(name, this.entries.keys());
  }
}
