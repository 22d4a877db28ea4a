/**
 * The seed's network family as a graph: LINEAR→RELU→…→LINEAR→SIGMOID with the logistic cost,
 * from values in the reference script's JSON form ({ X, Y, layers: [{ W, b }, …] }). Nodes are
 * named as in the seed: Z1, A1, …, cost; params W1, b1, ….
 */
import { graph, type Graph, type TensorLike } from '../core/graph.js';

export interface MlpCase {
  X: TensorLike;
  Y: TensorLike;
  layers: readonly { W: TensorLike; b: TensorLike }[];
}

export function mlpGraph(values: MlpCase): Graph {
  const g = graph().input('X', values.X).input('Y', values.Y);
  let previous = 'X';
  values.layers.forEach((layer, i) => {
    const k = i + 1;
    const last = k === values.layers.length;
    g.param(`W${k}`, layer.W).param(`b${k}`, layer.b);
    g.node(`Z${k}`, 'linear', [previous, `W${k}`, `b${k}`]);
    g.node(`A${k}`, last ? 'sigmoid' : 'relu', [`Z${k}`]);
    previous = `A${k}`;
  });
  return g.node('cost', 'logloss', [previous, 'Y']).build();
}
