/**
 * MaxUnpool after MaxPool's indices (SegNet and ENet decoders), on the GPU: the whole pair as a network
 * against plain loops written here, and the op alone against its CPU reference with an output_shape
 * larger than the pooled input implies (the indices keep addressing the unpadded output).
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../../../src/index.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { graph, node as gnode, f32, ints } from '../../helpers/graph.js';
import { rng, randn } from '../../helpers/random.js';
import { gpuMatchesRef, i64, ints as aints, node } from '../helpers.js';

describe('MaxUnpool', () => {
  it('undoes a 2×2 MaxPool: each window keeps its maximum where it was, zeros elsewhere', async () => {
    const [N, C, H, W] = [2, 3, 6, 8];
    const x = hostTensor('float32', [N, C, H, W], randn(rng(5), N * C * H * W));
    const g = graph([f32('x', [N, C, H, W])], [f32('y', [N, C, H, W])], [
      gnode('MaxPool', ['x'], ['p', 'i'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      gnode('MaxUnpool', ['p', 'i'], ['y'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
    ]);
    const got = (await wgml.runModel(await testDevice(), g, { x })).y!;
    const want = new Float32Array(N * C * H * W);
    for (let nc = 0; nc < N * C; nc++) for (let oy = 0; oy < H / 2; oy++) for (let ox = 0; ox < W / 2; ox++) {
      let best = -Infinity, at = 0;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
        const q = (nc * H + 2 * oy + dy) * W + 2 * ox + dx;
        if (x.data[q]! > best) { best = x.data[q]!; at = q; }
      }
      want[at] = best;
    }
    expect(got.shape).toEqual([N, C, H, W]);
    expect(Array.from(got.data)).toEqual(Array.from(want));
  });

  it('places elements at the same coordinates of a larger output_shape, as the reference does', async () => {
    const x = hostTensor('float32', [1, 2, 2, 3], randn(rng(6), 12));
    // indices into the unpadded 4×6 output (kernel 2, stride 2): one element of each window
    const idx = i64([1, 2, 2, 3], [0, 3, 4, 13, 14, 23, 24 + 1, 24 + 2, 24 + 5, 24 + 18, 24 + 21, 24 + 22]);
    const [y] = await gpuMatchesRef(node('MaxUnpool', 3, { kernel_shape: aints([2, 2]), strides: aints([2, 2]) }), [x, idx, i64([4], [1, 2, 5, 7])], { opset: 11, constants: [2] });
    expect(y!.shape).toEqual([1, 2, 5, 7]);
    // x's fourth element has index 13: row 2, column 1 of channel 0's 4×6 grid, so row 2, column 1 of its 5×7 one
    expect(y!.data[2 * 7 + 1]).toBe(x.data[3]);
  });
});
