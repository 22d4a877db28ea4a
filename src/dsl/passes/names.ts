/**
 * Pass: names. A graph file reads top to bottom, so a node may use only the leaves and nodes
 * defined above it (the builder API has no such order); each name is defined once; and a name
 * defined nowhere is unknown, with the nearest defined name as a hint.
 */
import { errors } from '../../core/messages.js';
import { nearest } from '../../core/suggest.js';
import { isAssign, isLeaf, type GraphAst, type Span } from '../ast.js';
import { placed } from '../messages.js';

const WHAT = { input: 'an input', param: 'a param', assign: 'a node' } as const;

export function checkNames(ast: GraphAst): void {
  const { file } = ast;
  const definitions = ast.statements.filter((s) => isLeaf(s) || isAssign(s));
  const all = definitions.map((s) => s.name);
  const defined = new Map<string, string>();
  const define = (name: string, kind: keyof typeof WHAT, span: Span) => {
    const first = defined.get(name);
    if (first) placed({ file, span }, () => errors.duplicate(name, first));
    defined.set(name, `${WHAT[kind]} on line ${span.line}`);
  };
  for (const s of definitions) {
    if (isAssign(s)) {
      s.args.forEach((arg, index) => {
        if (arg.kind !== 'name' || defined.has(arg.name)) return;
        placed({ file, span: arg.span }, () =>
          all.includes(arg.name)
            ? errors.usedBeforeDefined(s.name, arg.name, index)
            : errors.unknownName(s.name, arg.name, index, nearest(arg.name, defined.keys())),
        );
      });
    }
    define(s.name, s.kind, s.nameSpan);
  }
}
