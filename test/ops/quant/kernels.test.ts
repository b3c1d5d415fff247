/**
 * Quantization kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshot of DequantizeLinear with a zero point: integer words in, f32 out), and every converted kernel
 * run under one shared bind group against the op's CPU reference, DynamicQuantizeLinear's second pass
 * reading the scale and zero point its first pass wrote into the heap.
 */
import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type ElemType, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, rng, randn, randInt, testSeed } from '../../helpers/random.js';
import type { DeviceCaps } from '../../../src/ops/types.js';
import { CAPS, groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const seed = testSeed();
const r = rng(seed);
const int = (value: number): AttrValue => ({ kind: 'int', value });
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const n0 = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, n0(shape)));
const q = (t: ElemType, shape: number[]) => hostTensor(t, shape, randInt(r, n0(shape), t === 'uint8' ? 0 : -128, t === 'uint8' ? 255 : 127));
const node = (opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, nOut = 1): Node =>
  ({ name: `${opType.toLowerCase()}_t`, opType, domain: '', inputs: [...Array(nIn)].map((_, i) => `x${i}`), outputs: [...Array(nOut)].map((_, i) => `y${i}`), attrs });

describe('quantization kernels, declared', () => {
  it('generate their declarations in both binding modes (DequantizeLinear with a zero point)', () => {
    const [k] = planNode(node('DequantizeLinear', 3), [q('uint8', [4]), hostTensor('float32', [], [0.5]), q('uint8', [])], 13).kernels;
    expect(k!.key).toBe('dequantize_u32_true');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('take subgroup matrices for MatMulInteger with a packed B where the device has int8 ones (WGSL snapshot)', () => {
    // lavapipe and SwiftShader have no subgroup matrices: bench/quant/int-gemm-check.mjs runs these tiles exactly
    // against a CPU loop on an H200; here, which kernels the plan takes and the WGSL they are
    const packed = (n: number, signed: boolean) => ({ wgml_b_packed: int(n), wgml_b_signed: int(signed ? 1 : 0) });
    const words = (K: number, N: number) => hostTensor('uint32', [K, Math.ceil(N / 4)], new Array(K * Math.ceil(N / 4)).fill(0));
    const caps: DeviceCaps = { ...CAPS, subgroups: true, subgroupMatrix: true, int8Matrix: true };
    const names = (M: number, K: number, N: number, c = caps) => planNode(node('MatMulInteger', 4, packed(N, true)), [q('uint8', [M, K]), words(K, N), q('uint8', []), q('int8', [])], 10, [1], c).kernels.map((k) => k.name);
    expect(names(128, 768, 768)).toEqual(['matmul_integer_mma_split', 'matmul_integer_split_reduce']);
    expect(names(2048, 96, 100)).toEqual(['matmul_integer_mma']);
    expect(names(8, 96, 100)).toEqual(['matmul_integer']);
    expect(names(2048, 96, 100, CAPS)).toEqual(['matmul_integer_tile']);
    const [k] = planNode(node('MatMulInteger', 4, packed(100, false)), [q('int8', [2048, 96]), words(96, 100), q('int8', [2048]), q('uint8', [100])], 10, [1], caps).kernels;
    // K a multiple of 4: A staged four values to a vec4 load; N = 100 is no multiple of 16, so B word by word
    expect(k!.key).toBe('matmul_integer_mma_va_i32_u32_p4u_true_true');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    // N a multiple of 16: B's rows are whole vec4s of words too
    const [v] = planNode(node('MatMulInteger', 4, packed(128, true)), [q('uint8', [2048, 96]), words(96, 128), q('uint8', []), q('int8', [])], 10, [1], caps).kernels;
    expect(v!.key).toBe('matmul_integer_mma_va_vb_u32_u32_p4s_true_true');
    expect(sharedWgsl(v!)).toMatchSnapshot();
  });

  it('run under one shared bind group, as the reference computes', async () => {
    const device = await testDevice();
    const cases: [Node, HostTensor[], number, number][] = [
      [node('DequantizeLinear', 3, { axis: int(1) }), [q('int8', [2, 3, 4]), hostTensor('float32', [3], [0.1, 0.2, 0.3]), q('int8', [3])], 13, 1e-6],
      [node('DequantizeLinear', 2), [q('uint8', [5]), hostTensor('float32', [], [0.5])], 13, 1e-6],
      [node('QuantizeLinear', 3, { axis: int(0) }), [rand([2, 3]), hostTensor('float32', [2], [0.01, 0.02]), q('int8', [2])], 13, 0],
      [node('QuantizeLinear', 2), [rand([7]), hostTensor('float32', [], [0.02])], 13, 0],
      [node('DynamicQuantizeLinear', 1, {}, 3), [rand([3, 5])], 11, 0],
      [node('MatMulInteger', 4), [q('uint8', [2, 3, 4]), q('uint8', [4, 5]), q('uint8', []), q('uint8', [5])], 10, 0],
      [node('MatMulInteger', 2), [q('int8', [3, 4]), q('int8', [2, 4, 2])], 10, 0],
      [node('ConvInteger', 4, { pads: ints([1, 1, 1, 1]), group: int(2) }), [q('uint8', [1, 4, 5, 5]), q('int8', [6, 2, 3, 3]), q('uint8', []), q('int8', [6])], 10, 0],
    ];
    for (const [n, ins, opset, rtol] of cases) {
      const want = referenceNode(n, ins, opset);
      const got = await runShared(device, n, ins, opset);
      got.forEach((g, k) => expect(compareClose(g.data, want[k]!.data, rtol, rtol), `${n.opType} output ${k}, seed ${seed}`).toBeNull());
    }
  });
});
