/**
 * Pass: every declared dimension is a whole number from 1 up, a shape holds at most 2^31
 * elements (so it can be allocated), and zeros/ones/randn have a declared shape to fill.
 */
import { isLeaf, type GraphAst } from '../ast.js';
import { dsl } from '../messages.js';

export const MAX_ELEMENTS = 2 ** 31;

export function checkShapes(ast: GraphAst): void {
  const { file } = ast;
  for (const decl of ast.statements.filter(isLeaf)) {
    if (decl.shape) {
      for (const dim of decl.shape.dims) {
        if (!Number.isSafeInteger(dim.value) || dim.value < 1) dsl.dimension({ file, span: dim.span }, dim.text);
      }
      const shape = decl.shape.dims.map((d) => d.value);
      const size = shape.reduce((n, d) => n * d, 1);
      if (size > MAX_ELEMENTS) dsl.tooLarge({ file, span: decl.shape.span }, shape, size);
    } else if (decl.init && decl.init.kind !== 'literal') {
      dsl.needsShape({ file, span: decl.init.span }, decl.name, decl.init.kind);
    }
  }
}
