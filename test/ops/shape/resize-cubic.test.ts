/** Resize mode 'cubic': GPU kernels (planar H/W path and any-rank path) against the CPU reference. */
import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { testDevice, drainUncapturedErrors } from '../../helpers/gpu.js';
import { rng, randn, testSeed, compareClose } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const str = (v: string): AttrValue => ({ kind: 'string', value: v });
const fl = (v: number): AttrValue => ({ kind: 'float', value: v });
const int = (v: number): AttrValue => ({ kind: 'int', value: v });
const f32 = (shape: number[], v: ArrayLike<number>) => hostTensor('float32', shape, v);
const EMPTY = hostTensor('float32', [0]);

function resizeNode(attrs: Record<string, AttrValue>, nIn = 4): Node {
  return { name: 'resize_c', opType: 'Resize', domain: '', inputs: ['x', 'roi', 'scales', 'sizes'].slice(0, nIn), outputs: ['y'], attrs: { mode: str('cubic'), ...attrs } };
}

async function check(n: Node, inputs: (HostTensor | null)[], opset = 13): Promise<HostTensor> {
  const ref = referenceNode(n, inputs, opset)[0]!;
  const [gpu] = await runNode(await testDevice(), n, inputs, { opset });
  expect(drainUncapturedErrors()).toEqual([]);
  expect(gpu!.shape).toEqual(ref.shape);
  expect(compareClose(gpu!.data, ref.data, 1e-4, 1e-5), `seed ${seed} ${JSON.stringify(n.attrs)} ${inputs[0]!.shape}`).toBeNull();
  return ref;
}

describe(`Resize cubic (seed ${seed})`, () => {
  it('CPU reference: Keys weights sum to 1, reproduce constants and linear ramps (A = -0.75 and -0.5)', () => {
    // A cubic convolution kernel interpolates linear functions exactly away from the borders.
    const x = f32([1, 1, 1, 8], Array.from({ length: 8 }, (_, k) => 3 - 0.5 * k));
    for (const A of [-0.75, -0.5]) {
      const y = referenceNode(resizeNode({ cubic_coeff_a: fl(A), coordinate_transformation_mode: str('asymmetric') }, 3), [x, EMPTY, f32([4], [1, 1, 1, 2])], 13)[0]!;
      for (let k = 2; k < 12; k++) expect(y.data[k]!).toBeCloseTo(3 - 0.25 * k, 5);
    }
    const c = f32([1, 1, 3, 3], new Array(9).fill(2.5));
    const y = referenceNode(resizeNode({ exclude_outside: int(1) }, 3), [c, EMPTY, f32([4], [1, 1, 2.3, 1.7])], 13)[0]!;
    for (const v of y.data) expect(v).toBeCloseTo(2.5, 5);
  });

  it('NCHW H/W path: every coordinate mode, up and down, scales and sizes, exclude_outside, A', async () => {
    const coords = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'half_pixel_symmetric'];
    for (const coord of coords) for (const exclude of [0, 1]) {
      const x = f32([2, 3, 5, 6], randn(r, 180));
      const A = exclude ? -0.5 : -0.75;
      const attrs = { coordinate_transformation_mode: str(coord), exclude_outside: int(exclude), cubic_coeff_a: fl(A) };
      await check(resizeNode(attrs, 3), [x, EMPTY, f32([4], [1, 1, 1.7 + r(), 0.4 + 0.5 * r()])]);
      await check(resizeNode(attrs), [x, EMPTY, null, hostTensor('int64', [4], [2, 3, 3 + Math.floor(6 * r()), 9])]);
    }
  });

  it('any-rank path: resizing N/C, rank 3 and 5, tf_crop_and_resize with extrapolation', async () => {
    await check(resizeNode({}, 3), [f32([2, 3, 4, 5], randn(r, 120)), EMPTY, f32([4], [2, 0.7, 1.5, 1])]);
    await check(resizeNode({ exclude_outside: int(1) }, 3), [f32([3, 4, 5], randn(r, 60)), EMPTY, f32([3], [1, 1.6, 0.5])]);
    await check(resizeNode({ coordinate_transformation_mode: str('align_corners') }, 3), [f32([1, 2, 3, 3, 4], randn(r, 72)), EMPTY, f32([5], [1, 1, 1.5, 2, 0.75])]);
    const roi = f32([8], [0, 0, 0.1 + 0.2 * r(), -0.1, 1, 1, 0.7 + 0.4 * r(), 0.9]);
    await check(resizeNode({ coordinate_transformation_mode: str('tf_crop_and_resize'), extrapolation_value: fl(-3) }),
      [f32([1, 2, 6, 5], randn(r, 60)), roi, null, hostTensor('int64', [4], [1, 2, 7, 8])]);
  });

  it('opset 18 axes (H, W only) take the planar path', async () => {
    await check(resizeNode({ axes: { kind: 'ints', value: [2, 3] } }, 3), [f32([1, 2, 4, 4], randn(r, 32)), EMPTY, f32([2], [1.5, 2.5])], 18);
  });

  it('antialias and integer inputs stay refused with a reason', async () => {
    const device = await testDevice();
    const n = resizeNode({ antialias: int(1) }, 3);
    await expect(runNode(device, n, [f32([1, 1, 4, 4], randn(r, 16)), EMPTY, f32([4], [1, 1, 0.5, 0.5])], { opset: 18 })).rejects.toThrow(/antialias/);
    await expect(runNode(device, resizeNode({}, 3), [hostTensor('int32', [1, 1, 2, 2], [1, 2, 3, 4]), EMPTY, f32([4], [1, 1, 2, 2])], { opset: 13 }))
      .rejects.toBeInstanceOf(UnsupportedOpsError);
  });
});
