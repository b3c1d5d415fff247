/** Det on the GPU and its CPU reference against onnxruntime-node, and on matrices with known determinants. */
import { describe, it, expect } from 'vitest';
import { hostTensor, type HostTensor, type Node } from '../../../src/ir/types.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { testDevice, scoped } from '../../helpers/gpu.js';
import { compareClose, randn, rng, testSeed } from '../../helpers/random.js';
import { DT, encodeModel, node as pnode, valueInfo } from '../../helpers/onnx-testdata.js';

const seed = testSeed();
const det: Node = { name: 'det_t', opType: 'Det', domain: '', inputs: ['x'], outputs: ['y'], attrs: {} };

async function ort(x: HostTensor): Promise<number[]> {
  const o = await import('onnxruntime-node');
  const bytes = encodeModel({ nodes: [pnode('Det', ['x'], ['y'])], opset: 11, inputs: [valueInfo('x', DT.FLOAT, x.shape)], outputs: [valueInfo('y', DT.FLOAT, x.shape.slice(0, -2))] });
  const s = await o.InferenceSession.create(bytes);
  const out = await s.run({ x: new o.Tensor('float32', Float32Array.from(x.data), x.shape) });
  await s.release();
  return Array.from(out.y!.data as Float32Array);
}

async function both(x: HostTensor): Promise<[number[], number[]]> {
  const device = await testDevice();
  const [g] = await scoped(device, () => runNode(device, det, [x], { opset: 11 }));
  return [Array.from(g!.data), Array.from(referenceNode(det, [x], 11)[0]!.data)];
}

describe(`Det (WGML_SEED=${seed})`, () => {
  for (const M of [1, 2, 3, 5, 8]) {
    it(`batches of ${M}×${M} matrices match onnxruntime`, async () => {
      const x = hostTensor('float32', [2, 3, M, M], randn(rng(seed + M), 6 * M * M));
      const [gpu, cpu] = await both(x);
      const want = await ort(x);
      expect(compareClose(gpu, want, 1e-4, 1e-5), 'GPU').toBeNull();
      expect(compareClose(cpu, want, 1e-4, 1e-5), 'CPU reference').toBeNull();
    });
  }

  it('known determinants: a row swap flips the sign, a repeated row gives 0, a zero leading pivot needs a swap, triangular is the diagonal product', async () => {
    const x = hostTensor('float32', [4, 3, 3], [
      0, 1, 0, 1, 0, 0, 0, 0, 1, // a permutation: −1
      1, 2, 3, 1, 2, 3, 4, 5, 6, // repeated row: 0
      0, 2, 1, 3, 0, 1, 1, 1, 0, // zero first pivot: 0·… → 5
      2, 7, 1, 0, 3, 9, 0, 0, -4, // upper triangular: −24
    ]);
    const [gpu, cpu] = await both(x);
    expect(compareClose(gpu, [-1, 0, 5, -24], 1e-6, 1e-6), String(gpu)).toBeNull();
    expect(cpu).toEqual([-1, 0, 5, -24]);
  });

  it('refuses a non-square input, naming the node and the shape', async () => {
    expect(() => referenceNode(det, [hostTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6])], 11)).toThrow(/det_t[\s\S]*\[2, 3\][\s\S]*square/);
  });
});
