/**
 * A leaf's value from its initialiser (zeros, ones, randn(SEED, SCALE), an array literal) or
 * from a data file, checked against the declared shape. A literal is walked against the shape,
 * so a mismatch points at the innermost array or number that is wrong.
 */
import { isGradproofError } from '../core/errors.js';
import { createRandom } from '../core/random.js';
import { filled, fromNested, sameShape, sizeOf, type Tensor } from '../core/tensor.js';
import type { Init, LeafDecl, Literal } from './ast.js';
import { dsl } from './messages.js';

const declaredShape = (decl: LeafDecl): number[] | undefined => decl.shape?.dims.map((d) => d.value);

/** The value an initialiser gives; the shapes pass has made sure a declared shape is there. */
export function initialValue(decl: LeafDecl, init: Init, file: string): Tensor {
  if (init.kind === 'literal') return literalTensor(decl, init.value, file);
  const shape = declaredShape(decl)!;
  if (init.kind !== 'randn') return filled(shape, init.kind === 'ones' ? 1 : 0);
  return randn(shape, init.seed, init.scale);
}

/** Row-major normals, `createRandom(seed).normal() * scale`: the same on every machine. */
export function randn(shape: readonly number[], seed: number, scale = 1): Tensor {
  const random = createRandom(seed);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = random.normal() * scale;
  return { shape: [...shape], data };
}

const describeLiteral = (l: Literal) => (l.kind === 'number' ? `the number ${l.value}` : `an array of ${l.items.length}`);

function literalTensor(decl: LeafDecl, literal: Literal, file: string): Tensor {
  const declared = declaredShape(decl);
  const shape = declared ?? inferredShape(literal);
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const walk = (l: Literal, axis: number): void => {
    const expected = axis === shape.length ? 'a number' : `an array of ${shape[axis]}`;
    const fits = axis === shape.length ? l.kind === 'number' : l.kind === 'array' && l.items.length === shape[axis];
    if (!fits) {
      const at = { file, span: l.span };
      if (declared) dsl.literalShape(at, decl.name, declared, expected, describeLiteral(l));
      dsl.raggedLiteral(at, decl.name, expected, describeLiteral(l));
    }
    if (l.kind === 'number') data[k++] = l.value;
    else l.items.forEach((item) => walk(item, axis + 1));
  };
  walk(literal, 0);
  return { shape, data };
}

/** The shape a literal's first items spell out. */
function inferredShape(literal: Literal): number[] {
  const shape: number[] = [];
  for (let l = literal; l.kind === 'array'; l = l.items[0]) shape.push(l.items.length);
  return shape;
}

/** A value from a data file (`source` names it), checked to be numbers of the declared shape. */
export function dataValue(decl: LeafDecl, value: unknown, source: string, file: string): Tensor {
  let t: Tensor;
  try {
    t = fromNested(value, decl.name);
  } catch (e) {
    if (!isGradproofError(e)) throw e;
    return dsl.dataValue({ file, span: decl.nameSpan }, decl.name, source, e.message);
  }
  const declared = declaredShape(decl);
  if (declared && !sameShape(declared, t.shape)) dsl.dataShape({ file, span: decl.shape!.span }, decl.name, declared, source, t.shape);
  return t;
}
