/**
 * ReverseSequence on the GPU against plain loops written here: both axis orders, trailing dims, integer
 * data, lengths of 0, 1 and the full time dim given at run time; the CPU reference refuses a length past it.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { i, i64, node } from '../helpers.js';

describe('ReverseSequence', () => {
  it('reverses each batch entry\'s first len steps, batch-major and time-major', async () => {
    const [B, T, D] = [4, 5, 3];
    const lens = [5, 0, 1, 3];
    const data = Array.from({ length: B * T * D }, (_, k) => k * 7 - 40);
    for (const timeAxis of [0, 1]) {
      const shape = timeAxis === 0 ? [T, B, D] : [B, T, D];
      const at = (t: number, b: number) => (timeAxis === 0 ? (t * B + b) * D : (b * T + t) * D);
      const x = hostTensor('int32', shape, data);
      const n = node('ReverseSequence', 2, { time_axis: i(timeAxis), batch_axis: i(1 - timeAxis) });
      const [y] = await runNode(await testDevice(), n, [x, i64([B], lens)], { opset: 10 });
      const want = new Array<number>(B * T * D);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
        const src = t < lens[b]! ? lens[b]! - 1 - t : t;
        for (let d = 0; d < D; d++) want[at(t, b) + d] = data[at(src, b) + d]!;
      }
      expect(Array.from(y!.data), `time_axis ${timeAxis}`).toEqual(want);
    }
  });

  it('refuses a length past the time dim in the reference, naming the batch entry', () => {
    const x = hostTensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => referenceNode(node('ReverseSequence', 2), [x, i64([2], [2, 4])], 10)).toThrow(/sequence_lens\[1\] = 4 is outside 0\.\.3/);
  });
});
