import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { check, node, rand, type A } from './helpers.js';
import { rng, testSeed, compareClose } from '../../helpers/random.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { attr, DT, encodeModel, node as pnode, valueInfo } from '../../helpers/onnx-testdata.js';

/** The op run by onnxruntime-node: an independent check of the CPU reference's window rules. */
async function ortRun(op: string, a: A, x: HostTensor, outRank: number, opset = 19): Promise<Float32Array> {
  const attributes = Object.entries(a).map(([k, v]) => (Array.isArray(v) ? attr.ints(k, v) : typeof v === 'string' ? attr.string(k, v) : attr.int(k, v)));
  const bytes = encodeModel({
    nodes: [pnode(op, ['x'], ['y'], attributes)],
    inputs: [valueInfo('x', DT.FLOAT, x.shape)],
    outputs: [valueInfo('y', DT.FLOAT, Array.from({ length: outRank }, (_, i) => `d${i}`))],
    opset,
  });
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  return out.y!.data as Float32Array;
}

const poolCases: [string, number[], A][] = [
  ['2x2 s2', [1, 3, 8, 9], { kernel_shape: [2, 2], strides: [2, 2] }],
  ['3x3 s2 pad 1 (ResNet stem)', [1, 4, 11, 12], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
  ['ceil_mode: last window starts in the end padding region', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
  ['ceil_mode: window past the input is dropped', [1, 2, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
  ['ceil_mode no pads odd', [2, 3, 7, 8], { kernel_shape: [3, 2], strides: [3, 2], ceil_mode: 1 }],
  ['asym pads + dilation', [1, 2, 9, 10], { kernel_shape: [3, 2], dilations: [2, 3], pads: [2, 0, 1, 1], strides: [1, 2] }],
  ['dilation + ceil', [1, 2, 10, 9], { kernel_shape: [2, 3], dilations: [2, 2], strides: [3, 2], pads: [1, 1, 0, 0], ceil_mode: 1 }],
  ['SAME_UPPER', [1, 2, 7, 8], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }],
  ['SAME_LOWER', [1, 2, 7, 8], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_LOWER' }],
  ['1D', [2, 3, 13], { kernel_shape: [3], strides: [2], pads: [1, 2], ceil_mode: 1 }],
];

describe('MaxPool / AveragePool', () => {
  const seed = testSeed();
  for (const op of ['MaxPool', 'AveragePool']) {
    poolCases.forEach(([name, shape, a], i) => {
      for (const cip of op === 'AveragePool' ? [0, 1] : [0]) {
        if (op === 'MaxPool' && a.auto_pad === 'SAME_LOWER') continue;
        it(`${op} ${name}${cip ? ' count_include_pad' : ''}`, async () => {
          const attrs = op === 'AveragePool' ? { ...a, count_include_pad: cip } : a;
          const x = rand(rng(seed + i), shape);
          const ref = await check(node(op, 1, attrs), [x], seed + i, 1e-5);
          // ORT's SAME_* pooling with strides > 1 has known deviations; the node tests below cover auto_pad.
          if (a.auto_pad) return;
          const o = await ortRun(op, attrs, x, shape.length);
          expect(compareClose(ref.data, o, 1e-5, 1e-6), `${op} ${name} vs onnxruntime, seed ${seed + i}`).toBeNull();
        });
      }
    });
  }

  it('MaxPool Indices output: reference computes it, GPU refuses with a reason', async () => {
    const n = node('MaxPool', 1, { kernel_shape: [2, 2] }, 2);
    const x = hostTensor('float32', [1, 1, 2, 3], [1, 5, 2, 7, 0, 3]);
    const [y, ind] = referenceNode(n, [x]);
    expect([...y!.data]).toEqual([7, 5]);
    expect([...ind!.data]).toEqual([3, 1]);
    await expect(runNode(await testDevice(), n, [x])).rejects.toThrow(UnsupportedOpsError);
  });
});

describe('Global pools', () => {
  const seed = testSeed();
  for (const op of ['GlobalAveragePool', 'GlobalMaxPool']) {
    for (const shape of [[1, 5, 7, 7], [2, 3, 33, 40], [1, 4, 9], [1, 2, 3, 4, 5]]) {
      it(`${op} [${shape}]`, async () => { await check(node(op, 1, {}), [rand(rng(seed), shape)], seed, 1e-5); });
    }
  }
});

describe('BatchNormalization', () => {
  const seed = testSeed();
  for (const shape of [[2, 5, 6, 7], [3, 4], [1, 3, 11]]) {
    it(`inference [${shape}]`, async () => {
      const r = rng(seed);
      const c = shape[1]!;
      const v = rand(r, [c]); v.data.forEach((e, i) => (v.data[i] = Math.abs(e) + 0.1));
      await check(node('BatchNormalization', 5, { }), [rand(r, shape), rand(r, [c]), rand(r, [c]), rand(r, [c]), v], seed, 1e-4);
    });
  }
  it('training_mode=1 is refused with a reason', async () => {
    const n = node('BatchNormalization', 5, { training_mode: 1 });
    const c = hostTensor('float32', [2], [1, 1]);
    const ins = [hostTensor('float32', [1, 2, 2, 2]), c, c, c, c];
    const err = await runNode(await testDevice(), n, ins).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpsError);
    expect(String(err)).toMatch(/inference only/);
  });
});
