/**
 * GridSample (torch F.grid_sample; torchvision's RAFT samples its correlation pyramid and warps with
 * it): every mode × padding × align_corners, with grid points up to 1.6 past the [-1, 1] edges so
 * the border clamp and multi-fold reflection are exercised. GPU against the CPU reference, and the
 * reference against onnxruntime.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { attr, DT, encodeModel, node as pnode, valueInfo } from '../../helpers/onnx-testdata.js';
import { compareClose, randn, rng, testSeed } from '../../helpers/random.js';
import { node, str, i } from '../helpers.js';

const seed = testSeed();

async function ortGridSample(x: HostTensor, g: HostTensor, mode: string, pad: string, align: number): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const bytes = encodeModel({
    nodes: [pnode('GridSample', ['x', 'g'], ['y'], [attr.string('mode', mode), attr.string('padding_mode', pad), attr.int('align_corners', align)])],
    inputs: [valueInfo('x', DT.FLOAT, x.shape), valueInfo('g', DT.FLOAT, g.shape)],
    outputs: [valueInfo('y', DT.FLOAT, ['n', 'c', 'h', 'w'])],
    opset: 16,
  });
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape), g: new ort.Tensor('float32', g.data as Float32Array, g.shape) });
  await s.release();
  return out.y!.data as Float32Array;
}

describe('GridSample', () => {
  for (const mode of ['bilinear', 'nearest', 'bicubic']) for (const pad of ['zeros', 'border', 'reflection']) for (const align of [0, 1]) {
    it(`${mode}, ${pad}, align_corners=${align} (seed ${seed})`, async () => {
      const r = rng(seed);
      const x = hostTensor('float32', [2, 3, 5, 7], randn(r, 210));
      // [-2.6, 2.6]: past the edges by more than one image width in normalized units
      const g = hostTensor('float32', [2, 4, 6, 2], Array.from({ length: 96 }, () => (r() * 2 - 1) * 2.6));
      const n = node('GridSample', 2, { mode: str(mode), padding_mode: str(pad), align_corners: i(align) });
      const [want] = referenceNode(n, [x, g], 16);
      const [got] = await runNode(await testDevice(), n, [x, g], { opset: 16 });
      expect(got!.shape).toEqual([2, 3, 4, 6]);
      expect(compareClose(got!.data, want!.data, 1e-4, 1e-5), 'GPU vs reference').toBeNull();
      expect(compareClose(want!.data, await ortGridSample(x, g, mode, pad, align), 1e-4, 1e-5), 'reference vs onnxruntime').toBeNull();
    });
  }

  it('opset 20 names the modes linear and cubic', async () => {
    const x = hostTensor('float32', [1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const g = hostTensor('float32', [1, 1, 1, 2], [0, 0]);
    for (const mode of ['linear', 'cubic']) {
      const [y] = referenceNode(node('GridSample', 2, { mode: str(mode) }), [x, g], 20);
      expect(y!.data[0]).toBeCloseTo(4, 5);
    }
  });

  it('refuses non-4-D inputs with the node named', async () => {
    const x = hostTensor('float32', [1, 1, 2, 3, 3]);
    const g = hostTensor('float32', [1, 1, 2, 2, 3]);
    await expect(runNode(await testDevice(), node('GridSample', 2, {}), [x, g], { opset: 20 })).rejects.toThrow(/gridsample0.*rank 5; wgml samples 4-D/);
  });
});
