/**
 * CenterCropPad on the GPU against plain index arithmetic written here: an odd crop and an odd pad on
 * two axes at once, `axes` with a negative axis, and an axis left as it is; a bad shape is refused.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { WgmlError } from '../../../src/errors.js';
import { testDevice } from '../../helpers/gpu.js';
import { gpuMatchesRef, i64, ints, node } from '../helpers.js';

describe('CenterCropPad', () => {
  it('crops 7 → 4 rows (starting at row 1) and pads 3 → 6 columns (input at column 1), all axes given', async () => {
    const x = hostTensor('float32', [2, 7, 3], Array.from({ length: 42 }, (_, k) => k + 1));
    const [y] = await runNode(await testDevice(), node('CenterCropPad', 2), [x, i64([3], [2, 4, 6])], { opset: 18, constants: [1] });
    expect(y!.shape).toEqual([2, 4, 6]);
    const want: number[] = [];
    for (let b = 0; b < 2; b++) for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) {
      const sc = c - 1;
      want.push(sc >= 0 && sc < 3 ? x.data[(b * 7 + r + 1) * 3 + sc]! : 0);
    }
    expect(Array.from(y!.data)).toEqual(want);
  });

  it('axes pick the axes (negative counts from the back); kernels match the reference', async () => {
    const x = hostTensor('int32', [3, 5, 8], Array.from({ length: 120 }, (_, k) => k * 3 - 50));
    await gpuMatchesRef(node('CenterCropPad', 2, { axes: ints([-1, 0]) }), [x, i64([2], [5, 6])], { opset: 18, constants: [1] });
    const e = await runNode(await testDevice(), node('CenterCropPad', 2, { axes: ints([1]) }), [x, i64([2], [4, 4])], { opset: 18, constants: [1] }).then(() => null, (err: Error) => err);
    expect(e).toBeInstanceOf(WgmlError);
    expect(e!.message).toMatch(/one of the 1 axes|for each of the 1 axes/);
  });
});
