/**
 * From an engine error's `where` (node, arg, input, op, leaf) back to the graph file: the
 * argument's span when the error names one, else the op name when it names the op, else the
 * node's name; a leaf's name at its declaration; a numeric argument's constant at the number.
 */
import type { Where } from '../core/errors.js';
import { inputName } from '../core/op.js';
import type { OpRegistry } from '../ops/registry.js';
import { constantName, isAssign, isLeaf, type GraphAst, type Span } from './ast.js';
import { whereOf } from './messages.js';

export type Locate = (where: Where) => Where | null;

export function locator(ast: GraphAst, registry: OpRegistry): Locate {
  const nodes = new Map(ast.statements.filter(isAssign).map((s) => [s.name, s]));
  const leaves = new Map<string, Span>(ast.statements.filter(isLeaf).map((s) => [s.name, s.nameSpan]));
  for (const node of nodes.values()) {
    node.args.forEach((arg, i) => arg.kind === 'number' && leaves.set(constantName(node.name, i), arg.span));
  }

  // An op's own error may name only the op (say, a bad attr); that places it when one node uses it.
  const onlyNodeWith = (op?: string) => {
    const users = [...nodes.values()].filter((n) => n.op === op);
    return users.length === 1 ? users[0] : undefined;
  };

  const spanOf = (where: Where): Span | undefined => {
    const node = where.node === undefined ? onlyNodeWith(where.op) : nodes.get(where.node);
    if (!node) return leaves.get(where.leaf ?? where.node ?? '');
    const inputs = registry.get(node.op)?.inputs ?? [];
    const arg = where.arg ?? (where.input === undefined ? -1 : inputs.findIndex((spec) => inputName(spec) === where.input));
    if (arg >= 0 && node.args[arg]) return node.args[arg].span;
    return where.op === undefined ? node.nameSpan : node.opSpan;
  };

  return (where) => {
    if (where.line !== undefined) return where;
    const span = spanOf(where);
    return span ? whereOf({ file: ast.file, span }, where) : null;
  };
}
