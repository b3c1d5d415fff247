/**
 * AffineGrid on the GPU: the grid of the identity is the normalized pixel coordinates (both corner
 * conventions, 2-D and 3-D), and as a spatial transformer with GridSample the identity returns the image
 * and a translation by two pixels shifts it by two pixels (zeros where it leaves the image); the kernel
 * against the CPU reference on random thetas computed at run time.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../../../src/index.js';
import { hostTensor } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { graph, node as gnode, f32, int } from '../../helpers/graph.js';
import { rng, randn } from '../../helpers/random.js';
import { gpuMatchesRef, i, i64, node } from '../helpers.js';

const close = (got: ArrayLike<number>, want: number[], tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  want.forEach((v, k) => expect(Math.abs(got[k]! - v), `element ${k}`).toBeLessThan(tol));
};

describe('AffineGrid', () => {
  it('the identity gives the normalized coordinates: pixel centres, or corners with align_corners', async () => {
    const [H, W] = [3, 4];
    const id = hostTensor('float32', [1, 2, 3], [1, 0, 0, 0, 1, 0]);
    for (const align of [0, 1]) {
      const [g] = await runNode(await testDevice(), node('AffineGrid', 2, { align_corners: i(align) }), [id, i64([4], [1, 5, H, W])], { opset: 20, constants: [1] });
      expect(g!.shape).toEqual([1, H, W, 2]);
      const c = (j: number, L: number) => (align ? -1 + (2 * j) / (L - 1) : (2 * j + 1) / L - 1);
      const want: number[] = [];
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) want.push(c(w, W), c(h, H));
      close(g!.data, want);
    }
    const id3 = hostTensor('float32', [1, 3, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    const [g3] = await runNode(await testDevice(), node('AffineGrid', 2), [id3, i64([5], [1, 1, 2, 3, 2])], { opset: 20, constants: [1] });
    expect(g3!.shape).toEqual([1, 2, 3, 2, 3]);
    // the last point: x = 3/2 − 1, y = 5/3 − 1, z = 3/2 − 1
    close(Array.from(g3!.data).slice(-3), [0.5, 2 / 3, 0.5]);
  });

  it('with GridSample, the identity returns the image and a two-pixel translation shifts it', async () => {
    const [H, W] = [5, 6];
    const x = hostTensor('float32', [1, 1, H, W], randn(rng(3), H * W));
    const g = graph([f32('x', [1, 1, H, W]), f32('theta', [1, 2, 3])], [f32('y', [1, 1, H, W])], [
      gnode('AffineGrid', ['theta', 'size'], ['grid'], { align_corners: int(0) }),
      gnode('GridSample', ['x', 'grid'], ['y'], { align_corners: int(0) }),
    ], { size: hostTensor('int64', [4], [1, 1, H, W]) }, 20);
    const device = await testDevice();
    const same = await wgml.runModel(device, g, { x, theta: hostTensor('float32', [1, 2, 3], [1, 0, 0, 0, 1, 0]) });
    close(same.y!.data, Array.from(x.data));
    // x' = x + 4/W in normalized units: each output pixel reads the input two pixels to its right
    const moved = await wgml.runModel(device, g, { x, theta: hostTensor('float32', [1, 2, 3], [1, 0, 4 / W, 0, 1, 0]) });
    const want: number[] = [];
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) want.push(w + 2 < W ? x.data[h * W + w + 2]! : 0);
    close(moved.y!.data, want);
  });

  it('kernels match the reference on random thetas, 2-D and 3-D', async () => {
    const r = rng(4);
    await gpuMatchesRef(node('AffineGrid', 2, { align_corners: i(1) }), [hostTensor('float32', [2, 2, 3], randn(r, 12)), i64([4], [2, 3, 7, 5])], { opset: 20, constants: [1] });
    await gpuMatchesRef(node('AffineGrid', 2), [hostTensor('float32', [2, 3, 4], randn(r, 24)), i64([5], [2, 3, 4, 3, 5])], { opset: 20, constants: [1] });
  });
});
