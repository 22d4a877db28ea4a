/**
 * A user op for the parallel tests, loaded by path in each worker thread: tanh, but its forward
 * pass busy-waits 300 ms whenever its input's first element has moved from 0.5, so the chunk of
 * replays that perturbs that element ends well after the chunks sent after it.
 */
type Tensor = { shape: number[]; data: Float64Array };

export default {
  name: 'slow_first_tanh',
  inputs: ['x'],
  forward([x]: Tensor[]): Tensor {
    if (x.data[0] !== 0.5) {
      const until = Date.now() + 300;
      while (Date.now() < until);
    }
    return { shape: [...x.shape], data: x.data.map(Math.tanh) };
  },
  backward(_inputs: Tensor[], y: Tensor, dy: Tensor): Tensor[] {
    return [{ shape: [...y.shape], data: y.data.map((t, i) => dy.data[i] * (1 - t * t)) }];
  },
};
