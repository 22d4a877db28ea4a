/** Pass: the file holds statements, and at least one assignment (the last is the objective). */
import { errors } from '../../core/messages.js';
import { isAssign, type GraphAst } from '../ast.js';
import { dsl, placed } from '../messages.js';

export function checkStructure(ast: GraphAst): void {
  const { file, statements } = ast;
  if (statements.length === 0) dsl.emptyFile({ file, span: { line: 1, col: 1, length: 0 } });
  if (!statements.some(isAssign)) placed({ file, span: statements[statements.length - 1].span }, () => errors.noObjective());
}
