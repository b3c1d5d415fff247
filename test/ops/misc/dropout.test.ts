/**
 * Dropout at inference, and optional outputs nothing reads: torchvision's swin_t exports
 * F.dropout(p=0.0) as Dropout with training_mode=true and a mask output no node reads; both used to
 * refuse the node. Unread optional outputs (Dropout's mask, MaxPool's Indices) are dropped in
 * specialization; a mask that is read is all true (a constant); a real training-mode dropout is refused by name.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../../../src/index.js';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { graph, node, f32, ints } from '../../helpers/graph.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, testSeed } from '../../helpers/random.js';

const seed = testSeed();
const x = hostTensor('float32', [1, 2, 4, 4], randn(rng(seed), 32));
const scalar = (dtype: 'float32' | 'bool', v: number): HostTensor => hostTensor(dtype, [], [v]);

/** x → Dropout(ratio, training) → [d, mask] → MaxPool 2×2 → [y, indices]; `outs` are the graph's outputs. */
function model(ratio: number, training: number, outs = ['y']) {
  return graph([f32('x', [1, 2, 4, 4])], outs.map((o) => (o === 'mask' ? { name: o, dtype: 'bool' as const, shape: [1, 2, 4, 4] } : f32(o, [1, 2, 2, 2]))), [
    node('Dropout', ['x', 'ratio', 'training'], ['d', 'mask'], {}, 'drop'),
    node('MaxPool', ['d'], ['y', 'indices'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, 'pool'),
  ], { ratio: scalar('float32', ratio), training: scalar('bool', training) });
}

function maxPool2(t: HostTensor): number[] {
  const out: number[] = [];
  for (let c = 0; c < 2; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    const at = (di: number, dj: number) => t.data[c * 16 + (2 * i + di) * 4 + 2 * j + dj]!;
    out.push(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
  }
  return out;
}

describe('Dropout at inference', () => {
  for (const [ratio, training] of [[0.5, 0], [0, 1]] as const) {
    it(`is the identity with an unread mask and Indices (ratio ${ratio}, training_mode ${training}; seed ${seed})`, async () => {
      const { y } = await wgml.runModel(await testDevice(), model(ratio, training), { x });
      expect(Array.from(y!.data)).toEqual(maxPool2(x).map(Math.fround));
    });
  }

  it('gives a mask that is read as all true, the spec\'s inference mask (a constant: no kernel writes it)', async () => {
    const { y, mask } = await wgml.runModel(await testDevice(), model(0.5, 0, ['y', 'mask']), { x });
    expect(Array.from(y!.data)).toEqual(maxPool2(x).map(Math.fround));
    expect([mask!.dtype, mask!.shape, Array.from(mask!.data)]).toEqual(['bool', [1, 2, 4, 4], new Array(32).fill(1)]);
  });

  it('refuses training-mode dropout with a nonzero ratio, naming the node', async () => {
    await expect(wgml.runModel(await testDevice(), model(0.5, 1), { x })).rejects.toThrow(/'drop' \(Dropout\): training_mode must be a constant false/);
  });
});
