/**
 * Conv-family kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshot of average pooling with count_include_pad, i32 padding parameters among u32 ones), and
 * pooling, global pooling (a barrier tree), LRN and BatchNormalization run under one shared bind group
 * against the op's CPU reference. ConvTranspose stays with conv-kernels.ts's pixelKernel (not declared yet).
 */
import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, rng, randn, testSeed } from '../../helpers/random.js';
import { groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const seed = testSeed();
const r = rng(seed);
const int = (value: number): AttrValue => ({ kind: 'int', value });
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const fl = (value: number): AttrValue => ({ kind: 'float', value });
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));
const node = (opType: string, nIn: number, attrs: Record<string, AttrValue> = {}): Node =>
  ({ name: `${opType.toLowerCase()}_t`, opType, domain: '', inputs: [...Array(nIn)].map((_, i) => `x${i}`), outputs: ['y'], attrs });
const avgPool = node('AveragePool', 1, { kernel_shape: ints([2, 3]), pads: ints([0, 1, 1, 1]), count_include_pad: int(1) });

describe('conv kernels, declared', () => {
  it('generate their declarations in both binding modes (AveragePool, count_include_pad)', () => {
    const [k] = planNode(avgPool, [rand([1, 1, 4, 4])], 12).kernels;
    expect(k!.key).toBe('pool_avg_incl');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('run under one shared bind group, as the reference computes', async () => {
    const device = await testDevice();
    const cases: [Node, HostTensor[], number][] = [
      [avgPool, [rand([2, 1, 5, 6])], 12],
      [node('AveragePool', 1, { kernel_shape: ints([3]) }), [rand([1, 2, 9])], 12],
      [node('MaxPool', 1, { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) }), [rand([1, 2, 7, 6])], 12],
      [node('GlobalAveragePool', 1), [rand([2, 3, 20, 20])], 17],
      [node('GlobalMaxPool', 1), [rand([2, 3, 7])], 17],
      [node('LRN', 1, { size: int(3), alpha: fl(2e-4), beta: fl(0.6), bias: fl(1.5) }), [rand([2, 5, 3, 2])], 17],
      [node('BatchNormalization', 5, { epsilon: fl(1e-3) }), [rand([2, 3, 4]), rand([3]), rand([3]), rand([3]), hostTensor('float32', [3], [0.5, 1, 2])], 15],
    ];
    for (const [n, ins, opset] of cases) {
      const [want] = referenceNode(n, ins, opset);
      const [got] = await runShared(device, n, ins, opset);
      expect(compareClose(got!.data, want!.data, 1e-4, 1e-5), `${n.opType} ${JSON.stringify(n.attrs)}, seed ${seed}`).toBeNull();
    }
  });
});
