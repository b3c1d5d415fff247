/**
 * Conv over [N, C, D, H, W] (torchvision's r3d_18, mc3_18, r2plus1d_18): the direct 3-D kernel
 * against the CPU reference, and the reference against onnxruntime, over strides, dilations,
 * asymmetric pads, auto_pad, groups, bias and the fused epilogue (activation and residual).
 */
import { describe, it, expect } from 'vitest';
import type { HostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { attr, DT, encodeModel, node as pnode, valueInfo } from '../../helpers/onnx-testdata.js';
import { compareClose, rng, testSeed } from '../../helpers/random.js';
import { check, node, rand, type A } from './helpers.js';

const seed = testSeed();

async function ortConv(x: HostTensor, w: HostTensor, b: HostTensor | null, a: A): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const attributes = Object.entries(a).map(([k, v]) => (Array.isArray(v) ? attr.ints(k, v) : typeof v === 'string' ? attr.string(k, v) : attr.int(k, v)));
  const names = b ? ['x', 'w', 'b'] : ['x', 'w'];
  const bytes = encodeModel({
    nodes: [pnode('Conv', names, ['y'], attributes)],
    inputs: [valueInfo('x', DT.FLOAT, x.shape), valueInfo('w', DT.FLOAT, w.shape), ...(b ? [valueInfo('b', DT.FLOAT, b.shape)] : [])],
    outputs: [valueInfo('y', DT.FLOAT, ['n', 'c', 'd', 'h', 'w'])],
  });
  const s = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { x: new ort.Tensor('float32', x.data as Float32Array, x.shape), w: new ort.Tensor('float32', w.data as Float32Array, w.shape) };
  if (b) feeds.b = new ort.Tensor('float32', b.data as Float32Array, b.shape);
  const out = await s.run(feeds);
  await s.release();
  return out.y!.data as Float32Array;
}

const cases: [string, number[], number[], A, boolean][] = [
  ['3x7x7 stem: stride (1,2,2), pads (1,3,3), bias', [1, 3, 4, 11, 12], [8, 3, 3, 7, 7], { strides: [1, 2, 2], pads: [1, 3, 3, 1, 3, 3] }, true],
  ['(2+1)D factors: 1x3x3 then 3x1x1', [2, 4, 5, 6, 6], [6, 4, 1, 3, 3], { pads: [0, 1, 1, 0, 1, 1] }, false],
  ['3x1x1 temporal, stride 2', [1, 5, 7, 4, 5], [9, 5, 3, 1, 1], { strides: [2, 1, 1], pads: [1, 0, 0, 1, 0, 0] }, true],
  ['dilations, asymmetric pads, groups 2', [1, 4, 6, 7, 8], [6, 2, 2, 3, 2], { dilations: [2, 1, 3], pads: [1, 0, 2, 0, 1, 1], group: 2 }, true],
  ['SAME_UPPER, stride 2', [1, 2, 5, 6, 7], [3, 2, 3, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2, 2] }, false],
  ['1x1x1 downsample, stride 2', [1, 6, 4, 6, 6], [10, 6, 1, 1, 1], { strides: [2, 2, 2] }, false],
];

describe('Conv 3D', () => {
  cases.forEach(([name, xs, ws, a, bias], k) => {
    it(`${name} (seed ${seed + k})`, async () => {
      const r = rng(seed + k);
      const x = rand(r, xs), w = rand(r, ws, 0.3), b = bias ? rand(r, [ws[0]!]) : null;
      const ins = b ? [x, w, b] : [x, w];
      const ref = await check(node('Conv', ins.length, a), ins, seed + k);
      expect(compareClose(ref.data, await ortConv(x, w, b, a), 1e-4, 1e-5), 'reference vs onnxruntime').toBeNull();
    });
  });

  it(`fused ReLU and residual (seed ${seed})`, async () => {
    const r = rng(seed + 99);
    const a: A = { pads: [1, 1, 1, 1, 1, 1], wgml_act: 'relu', wgml_residual: 1 };
    const x = rand(r, [1, 3, 3, 5, 4]), w = rand(r, [5, 3, 3, 3, 3], 0.3), b = rand(r, [5]);
    const [plain] = referenceNode(node('Conv', 3, { pads: [1, 1, 1, 1, 1, 1] }), [x, w, b]);
    const res = rand(r, plain!.shape);
    const y = await check(node('Conv', 4, a), [x, w, b, res], seed + 99);
    expect(compareClose(y.data, plain!.data.map((v, i) => Math.max(0, v + res.data[i]!)), 1e-5, 1e-6)).toBeNull();
  });
});
