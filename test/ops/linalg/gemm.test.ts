/**
 * Every MatMul form against the CPU reference (the automatic kernel choice; Gemm's transposes are in
 * test/ops/linalg/matmul.test.ts): batch broadcast
 * folded into M, batch on both sides, A and B transposed through views, one row, one column, sizes off
 * the tile grid, K not a multiple of 4, output written through a permuted view; and epilogues that
 * fuseGemmEpilogues folds in (bias + Erf-GELU, bias + layer scale + residual, Gemm C + activation).
 * Shapes are chosen so that few distinct pipelines compile (lavapipe compiles each for seconds).
 */
import { describe, it, expect } from 'vitest';
import { denseView, permuteView } from '../../../src/ir/view.js';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { node, rand, i } from './util.js';
import { checkFused, checkNode, viewAttrs } from './gemm-util.js';

const mm = (attrs = {}) => node('MatMul', ['a', 'b'], attrs);
const scalar = (v: number) => hostTensor('float32', [], Float32Array.of(v));

describe('MatMul forms', () => {
  it('folds a batch that B broadcasts over into M, and broadcasts batch on both sides', async () => {
    await checkNode(mm(), [rand([2, 3, 17, 20]), rand([20, 18])]);
    await checkNode(mm(), [rand([3, 1, 9, 20]), rand([1, 4, 20, 18])]);
    await checkNode(mm(), [rand([2, 9, 20]), rand([2, 20, 18])]); // same batch: must not fold
    await checkNode(mm(), [rand([4, 1, 20]), rand([2, 1, 20, 5])]); // batched single rows: one GEMM of 4 rows per B
  });
  it('reads transposed A and B through views (off the tile grid, K = 20)', async () => {
    // A [37, 20] is a transposed [20, 37] base; B [20, 70] a transposed [70, 20] base (Q·Kᵀ-style)
    const a = permuteView(denseView([20, 37]), [1, 0]), b = permuteView(denseView([70, 20]), [1, 0]);
    const out = await checkNode(mm(viewAttrs({ 0: a, 1: b })), [rand([20, 37]), rand([70, 20])]);
    expect(out.shape).toEqual([37, 70]);
  });
  it('K not a multiple of 4 or of the K step', async () => {
    await checkNode(mm(), [rand([37, 29]), rand([29, 70])]);
  });
  it('one row (GEMV along n) and one column (GEMV along k, transposed)', async () => {
    await checkNode(mm(), [rand([1, 33]), rand([33, 77])]);
    await checkNode(mm(), [rand([33]), rand([33, 9])]);
    await checkNode(mm(), [rand([7, 33]), rand([33])]);
  });
  it('writes its output through a permuted view (the layout a Transpose after it wants)', async () => {
    // Y [2, 8, 16] stored as a [8, 2, 16] tensor: Transpose(perm [1, 0, 2]) fused into the store
    const out = permuteView(denseView([8, 2, 16]), [1, 0, 2]);
    const y = await checkNode(mm(viewAttrs({}, out)), [rand([2, 8, 12]), rand([12, 16])]);
    expect(y.shape).toEqual([256]); // the buffer, written everywhere
  });
});

describe('fused epilogues', () => {
  it('bias + Erf-GELU (BERT FFN-up as exported) on a batched MatMul', async () => {
    const vals = new Map([['x', rand([2, 5, 24])], ['W', rand([24, 40], 0.3)], ['bias', rand([40])], ['sqrt2', scalar(Math.SQRT2)], ['one', scalar(1)], ['half', scalar(0.5)]]);
    const f = await checkFused([
      node('MatMul', ['x', 'W'], {}, ['m']), node('Add', ['m', 'bias'], {}, ['h']),
      node('Div', ['h', 'sqrt2'], {}, ['d']), node('Erf', ['d'], {}, ['e']), node('Add', ['e', 'one'], {}, ['e1']),
      node('Mul', ['h', 'e1'], {}, ['g']), node('Mul', ['g', 'half'], {}, ['y']),
    ], vals, 'y', { expectSteps: ['Add', 'Div', 'Erf', 'Add', 'Mul', 'Mul'] });
    expect(f.inputs).toEqual(['x', 'W', 'bias', 'sqrt2', 'one', 'half']);
  });
  it('bias + layer scale + residual (FFN-down) through a split-K reduce', async () => {
    const vals = new Map([['x', rand([6, 200])], ['W', rand([200, 24], 0.1)], ['bias', rand([24])], ['gamma', rand([24])], ['res', rand([6, 24])]]);
    const f = await checkFused([
      node('MatMul', ['x', 'W'], { wgml_gemm: { kind: 'string', value: 't32x32/s3' } }, ['m']), node('Add', ['bias', 'm'], {}, ['h']),
      node('Mul', ['h', 'gamma'], {}, ['s']), node('Add', ['res', 's'], {}, ['y']),
    ], vals, 'y', { expectSteps: ['Add', 'Mul', 'Add'] });
    expect(f.inputs).toEqual(['x', 'W', 'bias', 'gamma', 'res']);
  });
  it('Gemm with C and an activation, one row', async () => {
    const vals = new Map([['x', rand([1, 40])], ['W', rand([12, 40])], ['c', rand([12])]]);
    const f = await checkFused([node('Gemm', ['x', 'W', 'c'], { transB: i(1) }, ['m']), node('Sigmoid', ['m'], {}, ['y'])], vals, 'y', { expectSteps: ['Sigmoid'] });
    expect(f.inputs).toEqual(['x', 'W', 'c']);
  });
  it('refuses the old activation attributes and inputs beyond the op\'s own with typed errors', () => {
    expect(() => referenceNode(node('MatMul', 2, { wgml_act: { kind: 'string', value: 'relu' } }), [rand([2, 2]), rand([2, 2])])).toThrow(/no longer reads 'wgml_act'/);
    expect(() => referenceNode(node('Gemm', 4), [rand([2, 2]), rand([2, 2]), rand([2]), rand([2, 2])])).toThrow(/Gemm takes at most 3 inputs, got 4/);
  });
});
