/**
 * RoiAlign beyond the backend tests' two avg cases: a constant image averages to its value in every bin
 * (regions inside it), and the GPU kernel against the CPU reference in max mode, with the adaptive
 * sampling grid (sampling_ratio 0), opset 10's coordinates, regions reaching outside or inverted, and two images.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn } from '../../helpers/random.js';
import { f, gpuMatchesRef, i, i64, node, str } from '../helpers.js';

describe('RoiAlign', () => {
  it('averages a constant image to its value', async () => {
    const x = hostTensor('float32', [1, 2, 8, 8], Array.from({ length: 128 }, (_, k) => (k < 64 ? 3 : -1.5)));
    const rois = hostTensor('float32', [2, 4], [1, 1, 6, 5, 0.5, 2, 7.5, 7]);
    const [y] = await runNode(await testDevice(), node('RoiAlign', 3, { output_height: i(3), output_width: i(2), sampling_ratio: i(2) }), [x, rois, i64([2], [0, 0])], { opset: 16 });
    expect(y!.shape).toEqual([2, 2, 3, 2]);
    Array.from(y!.data).forEach((v, k) => expect(v).toBeCloseTo(Math.floor(k / 6) % 2 === 0 ? 3 : -1.5, 5));
  });

  it('max mode, adaptive grids, opset 10 coordinates and regions outside the image: kernels match the reference', async () => {
    const r = rng(9);
    const x = hostTensor('float32', [2, 3, 9, 7], randn(r, 2 * 3 * 9 * 7));
    // the last region is inverted (x2 < x1): half_pixel keeps its negative size, output_half_pixel makes it a pixel
    const rois = hostTensor('float32', [4, 4], [0, 0, 6, 8, -2, 1, 3, 12, 2.5, 3.5, 5.25, 6, 5, 1, 2, 4]);
    const b = i64([4], [1, 0, 1, 0]);
    for (const [attrs, opset] of [[{ mode: str('max'), output_height: i(4), output_width: i(3), spatial_scale: f(0.9) }, 16], [{ output_height: i(2), output_width: i(5) }, 10], [{ mode: str('avg'), coordinate_transformation_mode: str('output_half_pixel'), sampling_ratio: i(3) }, 16]] as const)
      await gpuMatchesRef(node('RoiAlign', 3, attrs), [x, rois, b], { opset, rtol: 1e-4, atol: 1e-5 });
  });
});
