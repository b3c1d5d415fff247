import { describe, expect, it } from 'vitest';
import { checkPool, node, poolCases, rand, type A } from './helpers.js';
import { rng, testSeed } from '../../helpers/random.js';
import { attr, DT, encodeModel, node as pnode, valueInfo } from '../../helpers/onnx-testdata.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';

describe('MaxPool', () => {
  const seed = testSeed();
  poolCases.forEach(([name, shape, a], i) => {
    if (a.auto_pad === 'SAME_LOWER') return;
    it(`MaxPool ${name}`, async () => { await checkPool('MaxPool', a, shape, name, seed + i); });
  });

  it('MaxPool Indices output: reference on a hand example', () => {
    const n = node('MaxPool', 1, { kernel_shape: [2, 2] }, 2);
    const x = hostTensor('float32', [1, 1, 2, 3], [1, 5, 2, 7, 0, 3]);
    const [y, ind] = referenceNode(n, [x]);
    expect([...y!.data]).toEqual([7, 5]);
    expect([...ind!.data].map(Number)).toEqual([3, 1]);
  });

  // Indices are flat indices into X (batch and channel included); GPU vs reference vs onnxruntime.
  const indCases: [string, number[], A][] = [
    ['2D 3x3 s2 pad 1 ceil_mode', [2, 3, 7, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
    ['3D 2x2x2 s2', [1, 2, 4, 6, 6], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }],
    ['3D dilations, asym pads', [2, 2, 5, 6, 7], { kernel_shape: [2, 3, 2], dilations: [2, 1, 2], pads: [1, 0, 1, 0, 2, 1], strides: [1, 2, 3] }],
    ['2D storage_order=1', [2, 3, 5, 7], { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 0, 0, 1], storage_order: 1 }],
    ['3D storage_order=1', [2, 2, 4, 5, 6], { kernel_shape: [2, 2, 3], strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 0], storage_order: 1 }],
    ['1D storage_order=1', [2, 3, 9], { kernel_shape: [3], strides: [2], storage_order: 1 }],
  ];
  indCases.forEach(([name, shape, a], i) => {
    it(`MaxPool Indices output ${name}`, async () => {
      const n = node('MaxPool', 1, a, 2);
      const x = rand(rng(seed + 50 + i), shape);
      const [y, ind] = referenceNode(n, [x]);
      const [gy, gind] = await runNode(await testDevice(), n, [x]);
      expect([...gy!.data]).toEqual([...y!.data]);
      expect([...gind!.data].map(Number)).toEqual([...ind!.data].map(Number));
      const ort = await import('onnxruntime-node');
      const attributes = Object.entries(a).map(([k, v]) => (Array.isArray(v) ? attr.ints(k, v) : attr.int(k, v)));
      const bytes = encodeModel({
        nodes: [pnode('MaxPool', ['x'], ['y', 'i'], attributes)],
        inputs: [valueInfo('x', DT.FLOAT, x.shape)],
        outputs: [valueInfo('y', DT.FLOAT, y!.shape), valueInfo('i', DT.INT64, ind!.shape)],
      });
      const s = await ort.InferenceSession.create(bytes);
      const out = await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
      await s.release();
      expect([...(out.i!.data as BigInt64Array)].map(Number)).toEqual([...ind!.data].map(Number));
    });
  });

  it('MaxPool storage_order=2 is refused with a typed error naming the node', () => {
    const n = node('MaxPool', 1, { kernel_shape: [2, 2], storage_order: 2 }, 2);
    expect(() => referenceNode(n, [hostTensor('float32', [1, 1, 2, 2], [1, 2, 3, 4])])).toThrow(/maxpool_t[\s\S]*storage_order=2/);
  });

  // quantized CNNs (onnxruntime's QOperator format) pool uint8/int8 activations directly
  for (const [dt, code] of [['uint8', DT.UINT8], ['int8', DT.INT8]] as const) {
    it(`MaxPool on ${dt}, with Indices, pads and ceil_mode, equals onnxruntime`, async () => {
      const r = rng(seed + 90);
      const shape = [2, 3, 7, 8];
      const x = hostTensor(dt, shape, Array.from({ length: 2 * 3 * 7 * 8 }, () => Math.floor(r() * 256) - (dt === 'int8' ? 128 : 0)));
      const a: A = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 };
      const n = node('MaxPool', 1, a, 2);
      const [y, ind] = referenceNode(n, [x], 12);
      const [gy, gind] = await runNode(await testDevice(), n, [x], { opset: 12 });
      expect(gy!.dtype).toBe(dt);
      expect([...gy!.data]).toEqual([...y!.data]);
      expect([...gind!.data].map(Number)).toEqual([...ind!.data].map(Number));
      const ort = await import('onnxruntime-node');
      const attributes = Object.entries(a).map(([k, v]) => (Array.isArray(v) ? attr.ints(k, v) : attr.int(k, v)));
      const bytes = encodeModel({
        nodes: [pnode('MaxPool', ['x'], ['y'], attributes)], opset: 12,
        inputs: [valueInfo('x', code, x.shape)], outputs: [valueInfo('y', code, y!.shape)],
      });
      const s = await ort.InferenceSession.create(bytes);
      const data = dt === 'uint8' ? Uint8Array.from(x.data) : Int8Array.from(x.data);
      const out = await s.run({ x: new ort.Tensor(dt, data, x.shape) });
      await s.release();
      expect([...(out.y!.data as Uint8Array)]).toEqual([...y!.data]);
    });
  }
  it('AveragePool on uint8 is refused on the GPU, saying what runs', async () => {
    const n = node('AveragePool', 1, { kernel_shape: [2, 2] });
    await expect(runNode(await testDevice(), n, [hostTensor('uint8', [1, 1, 2, 2], [1, 2, 3, 4])])).rejects.toThrow(/AveragePool on uint8 is not supported \(float only\)/);
  });
});
