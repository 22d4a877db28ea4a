/**
 * Pass: every op is registered (else the nearest op name as a hint, at the op name) and gets as
 * many arguments as it takes (too many: at the first extra; too few: at the call).
 */
import { errors } from '../../core/messages.js';
import { arity } from '../../core/op.js';
import type { OpRegistry } from '../../ops/registry.js';
import { isAssign, joinSpans, type GraphAst } from '../ast.js';
import { placed } from '../messages.js';

export function checkOps(ast: GraphAst, registry: OpRegistry): void {
  const { file } = ast;
  for (const s of ast.statements.filter(isAssign)) {
    const op = registry.get(s.op) ?? placed({ file, span: s.opSpan }, () => errors.unknownOp(s.name, s.op, registry.suggest(s.op)));
    const { min, max } = arity(op);
    const got = s.args.length;
    if (got >= min && got <= max) continue;
    const span = got > max ? joinSpans(s.args[max].span, s.args[got - 1].span) : s.callSpan;
    placed({ file, span }, () => errors.arity(s.name, op.name, min, max, got));
  }
}
