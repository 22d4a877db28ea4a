/** Parsers for the CLI's option values: a bad value is a usage error (exit 2) that says why. */
import { InvalidArgumentError } from 'commander';

export function positiveNumber(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`expected a positive number, got '${text}'`);
  return v;
}

export function integer(text: string): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`expected an integer, got '${text}'`);
  return v;
}

/** For repeatable options: each use adds to the list. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
