/**
 * `npm run bench:threads`: the full element-wise check of the big MLP (784-256-64-1, m = 64,
 * 217,473 params) on one thread and on one thread per core (the check's and workers), median of 3 runs each,
 * and whether the two give the same numbers bit for bit.
 */
import { availableParallelism, cpus } from 'node:os';
import { checkGraph, checkGraphAsync, mlpGraph, type CheckReport } from '../src/index.js';
import { caseById, loadCase, prepareCases } from './speed/cases.js';

const runs = 3;
const file = prepareCases([caseById('mlp-784')]).get('mlp-784')!;
const graph = mlpGraph(loadCase(file));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const same = (a: CheckReport, b: CheckReport) => a.params.every((p, k) => p.numeric.every((v, i) => Object.is(v, b.params[k].numeric[i])));

console.log(`# threads: ${new Date().toISOString()}, ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, node ${process.version}`);
const one: number[] = [];
const many: number[] = [];
let first: CheckReport | undefined;
let identical = true;
for (let r = 0; r < runs; r++) {
  const single = checkGraph(graph, { mode: 'graph' });
  const threaded = await checkGraphAsync(graph, { mode: 'graph' });
  one.push(single.seconds);
  many.push(threaded.seconds);
  identical &&= same(single, threaded) && single.verdict === threaded.verdict;
  first ??= single;
}
console.log(`| check | threads | median s (of ${runs}) | evaluations | verdict |`);
console.log('|---|---|---|---|---|');
console.log(`| full element-wise, 217,473 params | 1 | ${median(one).toFixed(2)} | ${first!.evaluations} | ${first!.verdict} |`);
console.log(`| full element-wise, 217,473 params | ${availableParallelism()} | ${median(many).toFixed(2)} | ${first!.evaluations} | ${first!.verdict} |`);
console.log(`speed-up ${(median(one) / median(many)).toFixed(2)}×; numbers identical bit for bit: ${identical}`);
