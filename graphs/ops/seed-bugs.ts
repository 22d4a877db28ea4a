/**
 * The seed's two backward bugs as user ops (they import nothing from gradproof):
 *   linear_dW_x2: a dense layer whose rule returns 2 × dW (the seed's dW2 bug)
 *   linear_db_x4: a dense layer whose rule returns 4 × db (the seed's db1 bug)
 * Their forward rules are right, so only a gradient check can tell them from `linear`.
 */
type Tensor = { shape: number[]; data: Float64Array };

/** C = op(A)·op(B), where op transposes when asked. */
function product(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [ar, ac] = a.shape;
  const [br, bc] = b.shape;
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const n = transB ? br : bc;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a.data[p * ac + i] : a.data[i * ac + p]) * (transB ? b.data[j * bc + p] : b.data[p * bc + j]);
      out[i * n + j] = s;
    }
  return { shape: [m, n], data: out };
}

const scale = (t: Tensor, c: number): Tensor => ({ shape: [...t.shape], data: t.data.map((v) => v * c) });

function denseLayer(name: string, wScale: number, bScale: number) {
  return {
    name,
    inputs: ['X', 'W', 'b'],
    forward([X, W, b]: Tensor[]): Tensor {
      const Z = product(W, X, false, false);
      const cols = Z.shape[1];
      for (let i = 0; i < Z.data.length; i++) Z.data[i] += b.data[Math.floor(i / cols)];
      return Z;
    },
    backward([X, W]: Tensor[], _Z: Tensor, dZ: Tensor): Tensor[] {
      const db = { shape: [dZ.shape[0], 1], data: new Float64Array(dZ.shape[0]) };
      for (let i = 0; i < dZ.data.length; i++) db.data[Math.floor(i / dZ.shape[1])] += dZ.data[i];
      return [product(W, dZ, true, false), scale(product(dZ, X, false, true), wScale), scale(db, bScale)];
    },
  };
}

export default [denseLayer('linear_dW_x2', 2, 1), denseLayer('linear_db_x4', 1, 4)];
