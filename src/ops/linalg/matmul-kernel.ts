/**
 * The GEMM planner behind MatMul and Gemm: normalizes the strided problem (gemm-layout.ts), picks a
 * kernel and a K split (gemm-select.ts, or a forced choice from the node's `wgml_gemm` attribute, which
 * tests and the bench use to cover every configuration), and returns the dispatches: one kernel, plus a
 * reduce kernel when K is split. A GEMM with a fused LayerNorm (`norm`) always writes partials (one
 * "split" when K is not split) and its reduce normalizes the rows (gemm-reduce.ts): two dispatches,
 * which share one pipeline when the tile grid is split along z (gemm-pair.ts).
 */
import type { DeviceCaps, GpuPlan, KernelSpec } from '../types.js';
import { MAX_BATCH_DIMS, type GemmIo } from './gemm-common.js';
import { gemvKKernel, gemvNKernel } from './gemm-gemv.js';
import { normReduceKernel, reduceKernel, type GemmNorm } from './gemm-reduce.js';
import { loadClass, normalizeGemm, storeClass, type GemmProblem } from './gemm-layout.js';
import { choiceName, GEMM_TABLE, selectGemm, tileConfig, type GemmChoice } from './gemm-select.js';
import { tileKernel } from './gemm-tile.js';
import { pairKernels } from './gemm-pair.js';

/** K slices are multiples of this (every BK, and the vec4 loads' 4). */
const K_ALIGN = 16;

/** The normalized problem and the choice the planner makes for it (exported for the bench and tests). */
export function planChoice(problem: GemmProblem, force: GemmChoice | null = null): { p: GemmProblem; choice: GemmChoice } {
  const p = normalizeGemm(problem);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const choice = force ?? selectGemm({ M: p.M, N: p.N, K: p.K, batch: nz, bRowMajor: p.b.c === 1 }, GEMM_TABLE);
  return { p, choice };
}

export function gemmPlan(problem: GemmProblem, io0: GemmIo, caps: DeviceCaps, name: string, force: GemmChoice | null = null, norm: GemmNorm | null = null, pair = true): GpuPlan | string {
  const { p, choice } = planChoice(problem, force);
  // a transposed problem reads B as its A and A as its B
  const io = p.swapped ? { ...io0, a: io0.b, b: io0.a } : io0;
  if (p.batch.length > MAX_BATCH_DIMS) return `${p.batch.length} batch dims that do not merge; the GEMM kernels handle at most ${MAX_BATCH_DIMS}`;
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const total = nz * p.M * p.N;
  if (total === 0) return { kernels: [] };
  if (norm && (p.swapped || p.N < 2)) return 'internal: a LayerNorm fused into a GEMM needs rows of at least 2 outputs';
  const buffers = 3 + io.ext.length + (norm ? 2 + (norm.bias !== null ? 1 : 0) : 0);
  if (buffers > caps.maxStorageBuffersPerShaderStage) return `the GEMM with ${io.ext.length} fused inputs${norm ? ' and a LayerNorm' : ''} needs ${buffers} storage buffers, over the device limit of ${caps.maxStorageBuffersPerShaderStage}`;
  if (choice.kernel !== 'tile' && p.M !== 1) return `internal: ${choiceName(choice)} needs a single-row problem, this one has M = ${p.M}`;
  const want = Math.max(1, Math.min(choice.splits, Math.ceil(p.K / K_ALIGN)));
  const kSplit = want > 1 ? Math.ceil(Math.ceil(p.K / want) / K_ALIGN) * K_ALIGN : p.K;
  const nSplit = want > 1 ? Math.ceil(p.K / kSplit) : 1;
  const split = nSplit > 1 || !!norm;
  const yVec = storeClass(p) === 'c4';
  const maxDim = caps.maxComputeWorkgroupsPerDimension;
  let main: KernelSpec;
  if (choice.kernel === 'tile') {
    const cfg = tileConfig(choice.config);
    if (!cfg) return `internal: unknown GEMM tile configuration '${choice.config}'`;
    const opts = { cfg, aCls: loadClass(p.a, p.M, p.K), bCls: loadClass(p.b, p.K, p.N), yCls: yVec ? 'c4' as const : 'c1' as const, split, kSplit, nSplit };
    // A split grid (nz·nSplit ≥ 2 along z) pairs with its reduce in one pipeline (gemm-pair.ts).
    if (pair && split && nz * nSplit >= 2) {
      const threads = cfg.tx * cfg.ty;
      const tile = tileKernel(p, io, { ...opts, phase: true }, name);
      const reduce = norm ? normReduceKernel(p, io, norm, kSplit, nSplit, yVec, name, maxDim, threads) : reduceKernel(p, io, kSplit, nSplit, yVec, name, maxDim, threads);
      const kernels = pairKernels(tile, reduce, threads);
      return checkGrid(kernels, caps) ?? { kernels, scratch: [nSplit * total * 4] };
    }
    main = tileKernel(p, io, opts, name);
  } else {
    const o = { split, kSplit, nSplit, yVec };
    main = choice.kernel === 'gemv_n' ? gemvNKernel(p, io, o, name) : gemvKKernel(p, io, o, name);
  }
  const kernels = [main];
  if (norm) kernels.push(normReduceKernel(p, io, norm, kSplit, nSplit, yVec, name, maxDim));
  else if (split) kernels.push(reduceKernel(p, io, kSplit, nSplit, yVec, name, maxDim));
  return checkGrid(kernels, caps) ?? (split ? { kernels, scratch: [nSplit * total * 4] } : { kernels });
}

function checkGrid(kernels: KernelSpec[], caps: DeviceCaps): string | null {
  const k = kernels.find((x) => x.workgroups.some((w) => w > caps.maxComputeWorkgroupsPerDimension));
  return k ? `GEMM grid ${k.workgroups.join('×')} (${k.name}) exceeds the device's ${caps.maxComputeWorkgroupsPerDimension} workgroups per dimension` : null;
}
