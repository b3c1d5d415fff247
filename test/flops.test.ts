/** nodeFlops: the multiply-adds a node does, counted from its types alone (2 per multiply-add). */
import { describe, it, expect } from 'vitest';
import { nodeFlops } from '../src/runtime/flops.js';
import type { ValueType } from '../src/ir/types.js';

const t = (shape: number[], dtype: ValueType['dtype'] = 'float32'): ValueType => ({ dtype, shape });
const s: ValueType = t([]);

describe('nodeFlops', () => {
  it('GEMMs, float and integer: 2·M·N·K', () => {
    expect(nodeFlops('MatMul', [t([2, 3, 5]), t([5, 7])], [t([2, 3, 7])])).toBe(2 * 6 * 7 * 5);
    expect(nodeFlops('MatMulInteger', [t([3, 5], 'uint8'), t([5, 7], 'int8')], [t([3, 7], 'int32')])).toBe(2 * 3 * 7 * 5);
    expect(nodeFlops('QLinearMatMul', [t([3, 5], 'uint8'), s, s, t([5, 7], 'int8'), s, s, s, s], [t([3, 7], 'uint8')])).toBe(2 * 3 * 7 * 5);
    expect(nodeFlops('Gemm', [t([4, 6]), t([6, 8])], [t([4, 8])])).toBe(2 * 4 * 8 * 6);
  });
  it('convolutions: 2 · outputs · (C/g · kh · kw), QLinearConv\'s weights being input 3', () => {
    expect(nodeFlops('Conv', [t([1, 4, 8, 8]), t([6, 2, 3, 3])], [t([1, 6, 8, 8])])).toBe(2 * 384 * 18);
    expect(nodeFlops('ConvInteger', [t([1, 4, 8, 8], 'uint8'), t([6, 2, 3, 3], 'int8')], [t([1, 6, 8, 8], 'int32')])).toBe(2 * 384 * 18);
    expect(nodeFlops('QLinearConv', [t([1, 4, 8, 8], 'uint8'), s, s, t([6, 2, 3, 3], 'int8'), s, s, s, s], [t([1, 6, 8, 8], 'uint8')])).toBe(2 * 384 * 18);
  });
  it('anything else: one operation per output element', () => {
    expect(nodeFlops('Relu', [t([3, 4])], [t([3, 4])])).toBe(12);
  });
});
