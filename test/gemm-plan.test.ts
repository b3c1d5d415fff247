/**
 * The GEMM planner without a GPU: problem normalization (batch folded into M, merged batch dims, the
 * N = 1 transpose), load classes, the selection rule's mechanics (test/gemm-select.test.ts holds it to
 * the H200 sweep) and the planner's dispatches.
 */
import { describe, it, expect } from 'vitest';
import { denseView, permuteView } from '../src/ir/view.js';
import { gemmProblem, loadClass, normalizeGemm, storeClass } from '../src/ops/linalg/gemm-layout.js';
import { allowedSplits, GEMM_TABLE, parseChoice, selectGemm, splitsFor, tileBM, tileBN, TILE_CONFIGS, choiceName, type SelectionTable } from '../src/ops/linalg/gemm-select.js';
import { gemmPlan, planChoice } from '../src/ops/linalg/matmul-kernel.js';
import type { DeviceCaps } from '../src/ops/types.js';

const caps: DeviceCaps = { f16: false, subgroups: false, subgroupMatrix: false, maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 8, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535 };
const noIo = { a: 0, b: 1, ext: [], hasC: false, alpha: 1, beta: 0, epilogue: null };

describe('normalizeGemm', () => {
  it('folds batch dims that a 2-D B shares into M, and keeps the strides of every operand', () => {
    // [2, 3, 17, 20] × [20, 18] (B broadcast over both batch dims), with a bias [18] read at the output
    const p = normalizeGemm(gemmProblem(denseView([2, 3, 17, 20]), { shape: [1, 1, 20, 18], strides: [0, 0, 18, 1], offset: 0 }, denseView([2, 3, 17, 18]), [{ shape: [18], strides: [1], offset: 0 }]));
    expect([p.M, p.N, p.K, p.batch]).toEqual([102, 18, 20, []]);
    expect(p.a).toEqual({ off: 0, r: 20, c: 1, batch: [] });
    expect(p.y).toEqual({ off: 0, r: 18, c: 1, batch: [] });
    expect(p.ext[0]).toEqual({ off: 0, r: 0, c: 1, batch: [] });
  });
  it('does not fold when B moves along the batch, or A\'s rows do not continue across it', () => {
    const both = normalizeGemm(gemmProblem(denseView([4, 9, 20]), denseView([4, 20, 18]), denseView([4, 9, 18]), []));
    expect([both.M, both.batch]).toEqual([9, [4]]);
    // A is a transposed view: [4, 9, 20] read from a [9, 4, 20] base, so batch stride 20 ≠ 9·80
    const a = permuteView(denseView([9, 4, 20]), [1, 0, 2]);
    const q = normalizeGemm(gemmProblem(a, { shape: [20, 18], strides: [18, 1], offset: 0 }, denseView([4, 9, 18]), []));
    expect([q.M, q.batch, q.a.batch]).toEqual([9, [4], [20]]);
  });
  it('turns a batch of single rows into one GEMM and merges contiguous batch dims', () => {
    const rows = normalizeGemm(gemmProblem({ shape: [6, 1, 20], strides: [20, 0, 1], offset: 0 }, denseView([20, 5]), denseView([6, 1, 5]), []));
    expect([rows.M, rows.batch, rows.a.r, rows.y.r]).toEqual([6, [], 20, 5]);
    const merged = normalizeGemm(gemmProblem(denseView([2, 3, 4, 5]), denseView([2, 3, 5, 6]), denseView([2, 3, 4, 6]), []));
    expect([merged.M, merged.batch, merged.a.batch, merged.b.batch, merged.y.batch]).toEqual([4, [6], [20], [30], [24]]);
  });
  it('transposes a single-column product into a single-row one', () => {
    const p = normalizeGemm(gemmProblem(denseView([7, 33]), { shape: [33, 1], strides: [1, 0], offset: 0 }, { shape: [7, 1], strides: [1, 0], offset: 0 }, []));
    expect([p.M, p.N, p.K, p.swapped]).toEqual([1, 7, 33, true]);
    expect(p.a.c).toBe(1); // B's k stride became A's
    expect(p.b).toEqual({ off: 0, r: 1, c: 33, batch: [] });
  });
});

describe('load classes', () => {
  it('picks vec4 loads only for contiguous, aligned operands', () => {
    const row = { off: 0, r: 64, c: 1, batch: [] };
    expect(loadClass(row, 8, 64)).toBe('c4');
    expect(loadClass({ ...row, off: 2 }, 8, 64)).toBe('c1');
    expect(loadClass({ ...row, r: 62 }, 8, 64)).toBe('c1');
    expect(loadClass(row, 8, 62)).toBe('c1');
    expect(loadClass({ off: 0, r: 1, c: 64, batch: [] }, 64, 8)).toBe('r4');
    expect(loadClass({ off: 0, r: 1, c: 64, batch: [] }, 63, 8)).toBe('r1');
    expect(loadClass({ off: 0, r: 1, c: 64, batch: [6] }, 64, 8)).toBe('r1');
    expect(loadClass({ off: 0, r: 7, c: 1, batch: [] }, 1, 64)).toBe('c4'); // a single row's m stride is never used
  });
  it('stores vec4s only into n-contiguous, aligned outputs', () => {
    const p = normalizeGemm(gemmProblem(denseView([8, 8]), denseView([8, 12]), denseView([8, 12]), []));
    expect(storeClass(p)).toBe('c4');
    expect(storeClass(normalizeGemm(gemmProblem(denseView([8, 8]), denseView([8, 12]), permuteView(denseView([12, 8]), [1, 0]), [])))).toBe('c1');
  });
});

describe('selectGemm', () => {
  const pick = (M: number, N: number, K: number, batch = 1) => choiceName(selectGemm({ M, N, K, batch, bRowMajor: true }));
  it('reaches the target grid for the BERT-base and ViT-B/16 shapes, or splits K as far as it may', () => {
    for (const [M, N, K, batch] of [[128, 2304, 768, 1], [128, 768, 768, 1], [128, 3072, 768, 1], [128, 768, 3072, 1], [128, 128, 64, 12], [128, 64, 128, 12],
      [197, 2304, 768, 1], [197, 768, 768, 1], [197, 3072, 768, 1], [197, 768, 3072, 1], [4096, 4096, 4096, 1]] as const) {
      const c = selectGemm({ M, N, K, batch, bRowMajor: true });
      expect(c.kernel).toBe('tile');
      if (c.kernel !== 'tile') continue;
      const cfg = TILE_CONFIGS.find((t) => t.name === c.config)!;
      const groups = Math.ceil(M / tileBM(cfg)) * Math.ceil(N / tileBN(cfg)) * batch * c.splits;
      const most = allowedSplits(K, GEMM_TABLE);
      expect(groups >= GEMM_TABLE.targetWorkgroups || c.splits === most[most.length - 1], `${M}×${N}×${K}: ${choiceName(c)}`).toBe(true);
    }
    expect(pick(128, 768, 3072)).toMatch(/\/s\d+$/);
  });
  it('uses the GEMV kernels for single rows, split when the grid is small', () => {
    expect(selectGemm({ M: 1, N: 768, K: 768, batch: 1, bRowMajor: true })).toEqual({ kernel: 'gemv_n', splits: 12 }); // 6 column groups × 12 slices of 64
    expect(selectGemm({ M: 1, N: 768, K: 768, batch: 1, bRowMajor: false }).kernel).toBe('gemv_k');
    expect(selectGemm({ M: 1, N: 1, K: 100, batch: 1, bRowMajor: true })).toEqual({ kernel: 'gemv_k', splits: 1 });
  });
  it('follows the table it is given', () => {
    const t: SelectionTable = { ...GEMM_TABLE, targetWorkgroups: 8, tiles: ['t64x64', 't32x32'] };
    expect(selectGemm({ M: 128, N: 256, K: 64, batch: 1, bRowMajor: true }, t)).toEqual({ kernel: 'tile', config: 't64x64', splits: 1 });
    expect(selectGemm({ M: 64, N: 64, K: 1024, batch: 1, bRowMajor: true }, t)).toEqual({ kernel: 'tile', config: 't64x64', splits: 8 });
    expect(selectGemm({ M: 64, N: 64, K: 1024, batch: 1, bRowMajor: true }, { ...t, tiles: ['t32x32'] })).toEqual({ kernel: 'tile', config: 't32x32', splits: 2 });
    expect(splitsFor(1, 100, t)).toBe(1); // K below one split's minimum
    expect(splitsFor(1, 3072, t)).toBe(8); // the target reached with the fewest splits of the ladder
  });
  it('parses forced choices and refuses unknown ones', () => {
    expect(parseChoice('t64x64/s4')).toEqual({ kernel: 'tile', config: 't64x64', splits: 4 });
    expect(parseChoice('gemv_k')).toEqual({ kernel: 'gemv_k', splits: 1 });
    expect(parseChoice('t99x99')).toBeNull();
    expect(parseChoice('gemv_n/s0')).toBeNull();
  });
});

describe('gemmPlan', () => {
  it('adds a reduce kernel and scratch when K is split, with slices aligned to the K step', () => {
    const prob = gemmProblem(denseView([64, 1000]), denseView([1000, 64]), denseView([64, 64]), []);
    const plan = gemmPlan(prob, noIo, caps, 'mm', { kernel: 'tile', config: 't32x32', splits: 3 });
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.kernels.map((k) => k.name)).toEqual(['mm_t32x32_s3', 'mm_splitk_reduce']);
    expect(plan.kernels[0]!.workgroups).toEqual([2, 2, 3]);
    expect(plan.scratch).toEqual([3 * 64 * 64 * 4]);
    // K = 1000 in 3 slices of 336 (a multiple of 16): the last one is shorter, none is empty
    const { kSplit, nSplit } = plan.kernels[0]!.params!;
    expect([kSplit, nSplit]).toEqual([336, 3]);
  });
  it('folds a broadcast batch into one dispatch and refuses a kernel that needs a single row', () => {
    const { p, choice } = planChoice(gemmProblem(denseView([12, 128, 768]), { shape: [768, 2304], strides: [2304, 1], offset: 0 }, denseView([12, 128, 2304]), []));
    expect([p.M, p.batch, choice.kernel]).toEqual([1536, [], 'tile']);
    expect(gemmPlan(gemmProblem(denseView([4, 8]), denseView([8, 8]), denseView([4, 8]), []), noIo, caps, 'mm', { kernel: 'gemv_n', splits: 1 })).toMatch(/single-row/);
  });
});
