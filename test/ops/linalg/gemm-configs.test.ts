/**
 * Every GEMM kernel configuration, forced once through the internal `wgml_gemm` attribute (selection
 * picks few of them for small shapes), each on a different operand layout so the load classes are
 * covered too: vec4 rows (c4), vec4 along the other dim of a transposed operand (r4), scalar (c1/r1),
 * split-K with vec4 and scalar partials, and both GEMV kernels with vec4 and scalar loads.
 */
import { describe, it } from 'vitest';
import { denseView, permuteView } from '../../../src/ir/view.js';
import { TILE_CONFIGS } from '../../../src/ops/linalg/gemm-select.js';
import { node, rand } from './util.js';
import { checkNode, force, viewAttrs } from './gemm-util.js';
import { expect } from 'vitest';

const mm = (choice: string, attrs = {}) => node('MatMul', ['a', 'b'], { ...force(choice), ...attrs });
const T = (rows: number, cols: number) => permuteView(denseView([cols, rows]), [1, 0]); // [rows, cols] view of a transposed base

describe('tile configurations', () => {
  it('covers every configuration in the table', () => {
    expect(TILE_CONFIGS.map((c) => c.name).sort()).toEqual(['t128x128', 't32x128', 't32x32', 't32x64', 't64x128', 't64x32', 't64x64']);
  });
  it('t128x128: vec4 loads and stores, off the grid, K not a multiple of the K step', async () => {
    await checkNode(mm('t128x128'), [rand([130, 36]), rand([36, 132])]);
  });
  it('t64x128: scalar loads (K and N not multiples of 4)', async () => {
    await checkNode(mm('t64x128'), [rand([70, 30]), rand([30, 130])]);
  });
  it('t64x64: both operands transposed and aligned (vec4 along the other dim)', async () => {
    await checkNode(mm('t64x64', viewAttrs({ 0: T(68, 36), 1: T(36, 72) })), [rand([36, 68]), rand([72, 36])]);
  });
  it('t32x64 split in 2 with scalar partials, batch dims on both sides', async () => {
    await checkNode(mm('t32x64/s2'), [rand([2, 3, 9, 40]), rand([2, 1, 40, 18])]);
  });
  it('t64x32: both operands transposed and unaligned, output through a permuted view', async () => {
    const out = permuteView(denseView([21, 33]), [1, 0]);
    await checkNode(mm('t64x32', viewAttrs({ 0: T(33, 21), 1: T(21, 21) }, out)), [rand([21, 33]), rand([21, 21])]);
  });
  it('t32x128: wide N, a row of vec4 partials split in 4', async () => {
    await checkNode(mm('t32x128/s4'), [rand([5, 256]), rand([256, 136])]);
  });
  it('t32x32 through Gemm with C [M, 1]', async () => {
    await checkNode(node('Gemm', ['a', 'b', 'c'], force('t32x32')), [rand([40, 12]), rand([12, 50]), rand([40, 1])]);
  });
});

describe('GEMV configurations', () => {
  it('gemv_n with vec4 rows of B, split in 3', async () => {
    await checkNode(mm('gemv_n/s3'), [rand([1, 200]), rand([200, 96])]);
  });
  it('gemv_k with vec4 loads along k (a transposed weight)', async () => {
    await checkNode(mm('gemv_k', viewAttrs({ 1: T(64, 40) })), [rand([1, 64]), rand([40, 64])]);
  });
  it('gemv_k on a batch of dot products (M = N = 1 per batch)', async () => {
    await checkNode(mm('gemv_k'), [rand([3, 1, 45]), rand([3, 45, 1])]);
  });
});
