/**
 * Conv-family kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshot of average pooling with count_include_pad, i32 padding parameters among u32 ones), and
 * pooling, global pooling (a barrier tree), LRN and BatchNormalization run under one shared bind group
 * against the op's CPU reference. Convolution: the implicit-GEMM kernel with bias, residual and an
 * activation snapshot in both modes, and every path (implicit GEMM, pointwise, depthwise, direct, tiled,
 * split-K with its reduce, ConvTranspose's gather) run under the shared bind group against the reference.
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
const strs = (value: string): AttrValue => ({ kind: 'string', value });
const fls = (value: number[]): AttrValue => ({ kind: 'floats', value });
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

describe('convolution kernels, declared', () => {
  // Bias, then the residual as the last input: every optional buffer of the conv signature is bound.
  const gemm = node('Conv', 4, { pads: ints([1, 1, 1, 1]), wgml_act: strs('relu'), wgml_residual: int(1), wgml_test_path: strs('gemm') });

  it('generate their declarations in both binding modes (implicit GEMM, bias + residual + relu)', () => {
    const [k] = planNode(gemm, [rand([1, 8, 6, 6]), rand([16, 8, 3, 3]), rand([16]), rand([1, 16, 6, 6])]).kernels;
    expect(k!.key).toBe('conv_gemm_32x16x16pf_im2col_br|relu()+r');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('run on every path under one shared bind group, as the reference computes', async () => {
    const device = await testDevice();
    const path = (p: string, more: Record<string, AttrValue> = {}) => ({ wgml_test_path: strs(p), ...more });
    // [the kernel the path plans, the node, its inputs]
    const cases: [string, Node, HostTensor[]][] = [
      ['conv_gemm_32x16', gemm, [rand([1, 8, 6, 6]), rand([16, 8, 3, 3]), rand([16]), rand([1, 16, 6, 6])]],
      ['conv_gemm_32x32_pw', node('Conv', 2, path('pw', { wgml_act: strs('tanh') })), [rand([2, 10, 5, 7]), rand([20, 10, 1, 1])]],
      ['conv_dw_3x3', node('Conv', 3, path('dw', { group: int(4), pads: ints([0, 1, 2, 1]), strides: ints([1, 2]), wgml_act: strs('leakyrelu'), wgml_act_params: fls([0.1]) })), [rand([2, 4, 6, 9]), rand([8, 1, 3, 3]), rand([8])]],
      ['conv_direct_4', node('Conv', 3, { wgml_act: strs('sigmoid') }), [rand([1, 3, 7, 9]), rand([5, 3, 3, 3]), rand([5])]],
      ['conv_tiled_2x8x4_k3x3', node('Conv', 4, path('tiled', { pads: ints([1, 0, 1, 2]), wgml_residual: int(1) })), [rand([1, 5, 17, 9]), rand([6, 5, 3, 3]), rand([6]), rand([1, 6, 17, 9])]],
      ['conv_gemm_32x64_splitk', node('Conv', 4, path('gemm', { pads: ints([1, 1, 1, 1]), wgml_test_split: int(3), wgml_act: strs('relu'), wgml_residual: int(1) })), [rand([1, 24, 5, 5]), rand([40, 24, 3, 3]), rand([40]), rand([1, 40, 5, 5])]],
      ['convtranspose_2', node('ConvTranspose', 3, { strides: ints([2, 2]), pads: ints([0, 1, 1, 0]), group: int(2) }), [rand([1, 4, 3, 4]), rand([4, 3, 3, 2]), rand([6])]],
    ];
    for (const [what, n, ins] of cases) {
      const plan = planNode(n, ins);
      expect(plan.kernels.map((k) => k.name)).toEqual(what.endsWith('splitk') ? [what, 'conv_splitk_reduce'] : [what]);
      const [want] = referenceNode(n, ins, 17);
      const [got] = await runShared(device, n, ins);
      expect(compareClose(got!.data, want!.data, 1e-4, 1e-4), `${what} [${plan.kernels.map((k) => k.key).join(', ')}], seed ${seed}`).toBeNull();
    }
  });
});
