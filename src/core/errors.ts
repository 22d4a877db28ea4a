/**
 * The one error type gradproof throws on purpose. `where` names the place: a node, its op and
 * input for graph and op errors; a file span for graph-file errors. The CLI prints `message`
 * (never a stack) and exits 2; the DSL maps `where.node` back to a line and column.
 */
export interface Where {
  node?: string;
  op?: string;
  /** The op's input name, e.g. "W". */
  input?: string;
  /** The position of that input among the node's arguments. */
  arg?: number;
  /** A declared leaf (input or param) name. */
  leaf?: string;
  file?: string;
  /** 1-based line and column, and the length of the span to underline. */
  line?: number;
  col?: number;
  length?: number;
}

export class GradproofError extends Error {
  override readonly name = 'GradproofError';
  constructor(
    readonly code: string,
    message: string,
    readonly where: Where = {},
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function fail(code: string, message: string, where?: Where, hint?: string): never {
  throw new GradproofError(code, message, where, hint);
}

export const isGradproofError = (e: unknown): e is GradproofError => e instanceof GradproofError;

/** The text of anything thrown, for wrapping a user op's own error. */
export const describeThrown = (e: unknown): string => (e instanceof Error ? e.message : String(e));
