/** OneHot: GPU vs CPU reference with axis, negative, out-of-range and float indices. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { i, i64, gpuMatchesRef, node } from '../helpers.js';

describe('OneHot', () => {
  it('OneHot with axis, negative and out-of-range indices, float indices', async () => {
    const idx = hostTensor('int64', [2, 3], [0, -1, 4, 2, 9, -5]);
    const values = hostTensor('float32', [2], [-2, 5]);
    for (const axis of [-1, 0, 1, 2, -3]) await gpuMatchesRef(node('OneHot', 3, { axis: i(axis) }), [idx, i64([], [5]), values], { opset: 11, constants: [1] });
    const fidx = hostTensor('float32', [4], [0.7, 1.2, -1.5, 3.9]);
    const [y] = await gpuMatchesRef(node('OneHot', 3), [fidx, hostTensor('float32', [1], [4]), hostTensor('int32', [2], [0, 1])], { opset: 11, constants: [1] });
    expect(Array.from(y!.data)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});
