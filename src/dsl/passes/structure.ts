/** Pass: the file holds statements, and at least one assignment (the last is the objective). */
import { errors } from '../../core/messages.js';
import { isAssign, type Assign, type GraphAst } from '../ast.js';
import { dsl, placed } from '../messages.js';

export function checkStructure(ast: GraphAst): Assign {
  const { file, statements } = ast;
  if (statements.length === 0) dsl.emptyFile({ file, span: { line: 1, col: 1, length: 0 } });
  const assignments = statements.filter(isAssign);
  const lastStatement = statements[statements.length - 1];
  return assignments[assignments.length - 1] ?? placed({ file, span: lastStatement.span }, () => errors.noObjective());
}
