import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, randInt, testSeed, compareClose } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const str = (v: string): AttrValue => ({ kind: 'string', value: v });
const f32 = (shape: number[], v: ArrayLike<number>) => hostTensor('float32', shape, v);
const EMPTY = hostTensor('float32', [0]);

function resizeNode(attrs: Record<string, AttrValue>, nIn = 4): Node {
  return { name: 'resize_t', opType: 'Resize', domain: '', inputs: ['x', 'roi', 'scales', 'sizes'].slice(0, nIn), outputs: ['y'], attrs };
}

async function check(n: Node, inputs: (HostTensor | null)[], opset: number, exact: boolean): Promise<HostTensor> {
  const ref = referenceNode(n, inputs, opset)[0]!;
  const [gpu] = await runNode(await testDevice(), n, inputs, { opset });
  expect(gpu!.shape).toEqual(ref.shape);
  if (exact) expect(Array.from(gpu!.data), `seed ${seed} ${JSON.stringify(n.attrs)}`).toEqual(Array.from(ref.data));
  else expect(compareClose(gpu!.data, ref.data, 1e-5, 1e-6), `seed ${seed} ${JSON.stringify(n.attrs)}`).toBeNull();
  return ref;
}

describe(`Resize / Upsample (seed ${seed})`, () => {
  it('matches the ONNX spec examples', async () => {
    const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
    let y = await check(resizeNode({ mode: str('linear') }, 3), [x, EMPTY, f32([4], [1, 1, 2, 2])], 13, false);
    expect(Array.from(y.data)).toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    y = await check(resizeNode({ mode: str('nearest') }, 3), [x, EMPTY, f32([4], [1, 1, 2, 3])], 13, true);
    expect(Array.from(y.data)).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
    // resize_downsample_scales_nearest (opset 10 semantics): [[1,2,3,4],[5,6,7,8]] × 0.6 → [[1,3]]
    const x2 = f32([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    y = await check({ ...resizeNode({ mode: str('nearest') }, 2), inputs: ['x', 'scales'] }, [x2, f32([4], [1, 1, 0.6, 0.6])], 10, true);
    expect(Array.from(y.data)).toEqual([1, 3]);
    // resize_downsample_scales_linear_align_corners: → [[1, 3.142857]]
    y = await check(resizeNode({ mode: str('linear'), coordinate_transformation_mode: str('align_corners') }, 3), [x2, EMPTY, f32([4], [1, 1, 0.6, 0.6])], 13, false);
    expect(compareClose(y.data, [1, 3.142857], 1e-5)).toBeNull();
  });

  it('random shapes × modes × coordinate modes × scales/sizes', async () => {
    const coords = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_crop_and_resize', 'half_pixel_symmetric'];
    const nearests = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
    for (const coord of coords) for (const mode of ['nearest', 'linear']) {
      const shape = [1 + Math.floor(r() * 2), 1 + Math.floor(r() * 3), 2 + Math.floor(r() * 5), 2 + Math.floor(r() * 5)];
      const x = f32(shape, randn(r, shape.reduce((a, b) => a * b, 1)));
      const attrs: Record<string, AttrValue> = { mode: str(mode), coordinate_transformation_mode: str(coord), nearest_mode: str(nearests[Math.floor(r() * 4)]!), extrapolation_value: { kind: 'float', value: -7 } };
      const roi = coord === 'tf_crop_and_resize' ? f32([8], [0, 0, 0.1 + 0.2 * r(), -0.1, 1, 1, 0.7 + 0.4 * r(), 0.9]) : EMPTY;
      const useSizes = r() < 0.5;
      if (useSizes) {
        const sizes = hostTensor('int64', [4], [shape[0]!, shape[1]!, 1 + Math.floor(r() * 9), 1 + Math.floor(r() * 9)]);
        await check(resizeNode(attrs), [x, roi, null, sizes], 13, mode === 'nearest');
      } else {
        const scales = f32([4], [1, 1, [0.5, 0.75, 1.5, 2, 3, 1.7][Math.floor(r() * 6)]!, [0.6, 1, 2, 2.5][Math.floor(r() * 4)]!]);
        await check(resizeNode(attrs, 3), [x, roi, scales], 13, mode === 'nearest');
      }
    }
  });

  it('axes, keep_aspect_ratio_policy, integer nearest, 3-D linear, refusals', async () => {
    const x = f32([2, 3, 4, 5], randn(r, 120));
    const y = await check(resizeNode({ mode: str('linear'), axes: { kind: 'ints', value: [-1, 2] }, keep_aspect_ratio_policy: str('not_larger') }), [x, EMPTY, null, hostTensor('int64', [2], [7, 6])], 18, false);
    expect(y.shape).toEqual([2, 3, 6, 7]);
    const xi = hostTensor('uint8', [1, 2, 3, 3], randInt(r, 18, 0, 255));
    await check(resizeNode({ mode: str('nearest') }, 3), [xi, EMPTY, f32([4], [1, 1, 2, 1.5])], 13, true);
    const x3 = f32([2, 3, 4], randn(r, 24));
    await check(resizeNode({ mode: str('linear') }, 3), [x3, EMPTY, f32([3], [2, 0.5, 1.5])], 13, false);
    // Cubic is implemented (test/ops/shape/resize-cubic.test.ts); antialias is still refused.
    await expect(runNode(await testDevice(), resizeNode({ mode: str('linear'), antialias: { kind: 'int', value: 1 } }, 3), [x, EMPTY, f32([4], [1, 1, 0.5, 0.5])], { opset: 18 })).rejects.toThrow(/antialias/);
  });

  it('Upsample (opset 7 attribute, opset 9 input)', async () => {
    const x = f32([1, 2, 3, 2], randn(r, 12));
    const up7 = (mode: string): Node => ({ name: 'up', opType: 'Upsample', domain: '', inputs: ['x'], outputs: ['y'], attrs: { mode: str(mode), scales: { kind: 'floats', value: [1, 1, 2, 3] } } });
    let y = await check(up7('nearest'), [x], 7, true);
    expect(y.shape).toEqual([1, 2, 6, 6]);
    y = await check(up7('linear'), [x], 8, false);
    const up9: Node = { name: 'up', opType: 'Upsample', domain: '', inputs: ['x', 's'], outputs: ['y'], attrs: { mode: str('nearest') } };
    y = await check(up9, [x, f32([4], [1, 1, 1.5, 2])], 9, true);
    expect(y.shape).toEqual([1, 2, 4, 4]);
  });
});
