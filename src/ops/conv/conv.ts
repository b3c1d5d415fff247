/**
 * Conv — https://onnx.ai/onnx/operators/onnx__Conv.html
 * Opsets 1 and 11 (11 only made kernel_shape/pads optional and defined auto_pad precisely); 22 only
 * widened the types. 1D and 2D windows (3D: conv3d.ts, a direct kernel), groups (depthwise included), dilations,
 * strides, pads, auto_pad, optional bias. Fused epilogue (`wgml_act`, `wgml_residual`: residual is
 * the node's last input, shaped like the output) in the kernels and in the reference.
 */
import type { Attrs } from '../../ir/attrs.js';
import { hostTensor, isFloat, type HostTensor, type ValueType } from '../../ir/types.js';
import { applyEpilogueRef, parseEpilogue, type Epilogue } from '../epilogue.js';
import type { GpuPlan, InferContext, KernelContext, OpDef } from '../types.js';
import { gemmKernels, type ConvIo, type ConvShape, type GemmTile } from './conv-kernels.js';
import { depthwiseKernel, directKernel } from './conv-pixel-kernels.js';
import { pickTiled, tiledKernel, tiledOk, tiledSmem, type TiledCfg } from './conv-tiled.js';
import { forwardGeometry, outSpatial, parseWindow, spatialRank, type WindowAttrs } from './geometry.js';
import { conv3dKernel, conv3dReference, resolve3d } from './conv3d.js';

export interface ConvAttrs {
  win: WindowAttrs;
  group: number;
  epi: Epilogue;
  /** Test hook: force a kernel path ('gemm', 'pw', 'dw', 'direct', 'tiled') and optionally a split count. */
  forcePath: string;
  forceSplit: number;
}

/** Input indices: bias is input 2 unless that slot is the residual. */
export function convIo(ctx: InferContext, epi: Epilogue): ConvIo {
  const n = ctx.inputs.length;
  const residual = epi.residual ? n - 1 : null;
  if (epi.residual && n < 3) throw ctx.error('wgml_residual=1 but the node has no residual input', 'the fusion pass appends the residual as the last input');
  const bias = n > 2 && residual !== 2 && ctx.inputs[2] ? 2 : null;
  return { x: 0, w: 1, bias, residual, epi };
}

/** B, when present, holds one value per output channel (Conv and ConvTranspose). */
export function checkBias(ctx: InferContext, io: ConvIo, cout: number): void {
  if (io.bias !== null && (ctx.inputs[2]!.shape.length !== 1 || ctx.inputs[2]!.shape[0] !== cout)) throw ctx.error(`bias shape [${ctx.inputs[2]!.shape}] is not [${cout}]`, 'B must be 1D with one value per output channel');
}

/** A fused residual is shaped like the output: the fusion pass only folds same-shape Adds. */
export function checkResidual(ctx: InferContext, io: ConvIo, out: number[]): void {
  if (io.residual === null) return;
  const rs = ctx.inputs[io.residual]!.shape;
  if (rs.join(',') !== out.join(',')) throw ctx.error(`residual shape [${rs}] is not the output shape [${out}]`, 'the fusion pass only fuses same-shape Adds');
}

/** CPU reference of a conv-like node: `plain` computes X, W (, B) → Y, then the fused epilogue runs on Y. */
export function epilogueReference(inputs: readonly (HostTensor | null)[], ctx: InferContext, epi: Epilogue, plain: (x: HostTensor, w: HostTensor, b: HostTensor | null) => HostTensor): HostTensor[] {
  const io = convIo(ctx, epi);
  const y = plain(inputs[0]!, inputs[1]!, io.bias !== null ? inputs[io.bias]! : null);
  applyEpilogueRef(epi, y.data as Float32Array, io.residual !== null ? inputs[io.residual]!.data : null);
  y.dtype = inputs[0]!.dtype;
  return [y];
}

interface Resolved { s: ConvShape; sp: number; out: number[] }

function resolve(ctx: InferContext, a: ConvAttrs): Resolved {
  const x = ctx.inputs[0], w = ctx.inputs[1];
  if (!x || !w) throw ctx.error('Conv needs inputs X and W', 're-export the model');
  const sp = spatialRank(ctx, x.shape.length);
  if (w.shape.length !== x.shape.length) throw ctx.error(`W has rank ${w.shape.length}, X has rank ${x.shape.length}`, 'W must be [M, C/group, k...]');
  const [batch, cin] = x.shape as [number, number];
  const cout = w.shape[0]!;
  const kernel = w.shape.slice(2);
  if (a.win.kernel.length && a.win.kernel.some((k, i) => k !== kernel[i])) throw ctx.error(`kernel_shape ${a.win.kernel} disagrees with W ${w.shape}`, 're-export the model');
  if (cin % a.group || cout % a.group || w.shape[1] !== cin / a.group) {
    throw ctx.error(`channels do not fit groups: X has ${cin} channels, W is [${w.shape}], group=${a.group}`, 'W must be [M, C/group, k...] with M divisible by group');
  }
  checkBias(ctx, convIo(ctx, a.epi), cout);
  const g = forwardGeometry(ctx, a.win, x.shape.slice(2), kernel);
  return { s: { batch, cin, cout, groups: a.group, g }, sp, out: [batch, cout, ...outSpatial(g, sp)] };
}

/** Reference: direct loops in float64, independent of the kernels' tiling. */
export function convReference(x: HostTensor, w: HostTensor, b: HostTensor | null, s: ConvShape, out: number[]): HostTensor {
  const { g } = s;
  const y = hostTensor('float32', out);
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  for (let n = 0; n < s.batch; n++) for (let co = 0; co < s.cout; co++) {
    const grp = Math.floor(co / coutpg);
    for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
      let acc = b ? b.data[co]! : 0;
      for (let c = 0; c < cinpg; c++) {
        const ci = grp * cinpg + c;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.ih) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.iw) continue;
            acc += x.data[((n * s.cin + ci) * g.ih + iy) * g.iw + ix]! * w.data[((co * cinpg + c) * g.kh + ky) * g.kw + kx]!;
          }
        }
      }
      y.data[((n * s.cout + co) * g.oh + oy) * g.ow + ox] = acc;
    }
  }
  return y;
}

/**
 * Tile shape by problem size. Batch-1 layers with a small output grid take 32×64 tiles and split K
 * (pickSplit) rather than shrinking the tile: the H100 sweep (bench/NOTES-conv.md) found 32×64 with
 * ~150-deep K slices best on every ResNet-18 layer.
 */
export function pickTile(M: number, N: number, groups: number): GemmTile {
  const target = 256;
  const bn = N <= 16 ? 16 : N <= 32 ? 32 : 64;
  const nt = Math.ceil(N / bn) * groups;
  let bm = 128;
  if (bn === 64) bm = 64;
  while (bm > 32 && Math.ceil(M / bm) * nt < target) bm /= 2;
  return { bm, bn, bk: 16 };
}

/** Split K when the output grid is too small to fill the GPU: slices of ~144 (latency-bound chains). */
export function pickSplit(M: number, N: number, K: number, groups: number, t: GemmTile): number {
  const wgs = Math.ceil(M / t.bm) * Math.ceil(N / t.bn) * groups;
  if (wgs >= 512 || K < 288) return 1;
  return Math.max(1, Math.min(Math.round(K / 144), 32));
}

/** Bench/test overrides of the automatic choices. */
export interface ConvTuning { tile?: GemmTile; tiled?: TiledCfg; maxSmem?: number; /** Split-K GEMM and reduce in one pipeline (default true; KernelContext.splitKPairs). */ pairSplitK?: boolean }

/** Large stride-1 images with few channels: the spatially tiled kernel (see conv-tiled.ts). */
function preferTiled(s: ConvShape, M: number): boolean {
  return tiledOk(s) && s.g.kh * s.g.kw > 1 && M >= 65536 && s.cout <= 32;
}

export function convPlan(s: ConvShape, io: ConvIo, force = '', forceSplit = 0, tune: ConvTuning = {}): GpuPlan {
  const { g } = s;
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  const K = cinpg * g.kh * g.kw;
  const M = s.batch * g.oh * g.ow;
  const maxSmem = tune.maxSmem ?? 16384;
  const pwOk = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt + g.pl + g.pb + g.pr === 0;
  const dwOk = cinpg === 1 && g.kh * g.kw <= 49 && (3 * g.sw + (g.kw - 1) * g.dw + 1) <= 64;
  const path = force || (dwOk && s.groups > 1 ? 'dw' : preferTiled(s, M) ? 'tiled' : (cinpg <= 4 && K <= 64) || coutpg <= 4 ? 'direct' : pwOk ? 'pw' : 'gemm');
  if (path === 'dw' && dwOk) return { kernels: [depthwiseKernel(s, io)] };
  if (path === 'direct') return { kernels: [directKernel(s, io)] };
  if (path === 'tiled' && tiledOk(s)) {
    const cfg = tune.tiled ?? pickTiled(s, maxSmem);
    if (tiledSmem(s, cfg) <= maxSmem) return { kernels: [tiledKernel(s, io, cfg)] };
  }
  const t = tune.tile ?? pickTile(M, coutpg, s.groups);
  const split = forceSplit || pickSplit(M, coutpg, K, s.groups, t);
  return gemmKernels(s, io, t, path === 'pw' && pwOk, Math.max(1, Math.min(split, Math.ceil(K / t.bk))), tune.pairSplitK !== false);
}

const is3d = (ctx: InferContext): boolean => ctx.inputs[0]?.shape.length === 5 && !!ctx.inputs[1];

export const Conv: OpDef<ConvAttrs> = {
  type: 'Conv',
  attrs: (a: Attrs) => {
    const group = a.int('group', 1);
    if (group < 1) throw a.error(`group=${group} must be >= 1`, 're-export the model');
    return { win: parseWindow(a), group, epi: parseEpilogue(a), forcePath: a.string('wgml_test_path', ''), forceSplit: a.int('wgml_test_split', 0) };
  },
  infer: (ctx, a): ValueType[] => {
    if (is3d(ctx)) {
      const r3 = resolve3d(ctx, a.win, a.group);
      checkBias(ctx, convIo(ctx, a.epi), r3.s.cout);
      checkResidual(ctx, convIo(ctx, a.epi), r3.out);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: r3.out }];
    }
    const r = resolve(ctx, a);
    checkResidual(ctx, convIo(ctx, a.epi), r.out);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: r.out }];
  },
  reference: (inputs, a, ctx) => {
    if (is3d(ctx)) {
      const r3 = resolve3d(ctx, a.win, a.group);
      return epilogueReference(inputs, ctx, a.epi, (x, w, b) => conv3dReference(x, w, b, r3.s));
    }
    const r = resolve(ctx, a);
    return epilogueReference(inputs, ctx, a.epi, (x, w, b) => convReference(x, w, b, r.s, r.out));
  },
  gpu: (ctx: KernelContext, a) => {
    if (!isFloat(ctx.inputs[0]!.dtype)) return `Conv on ${ctx.inputs[0]!.dtype} is not supported (float only)`;
    if (is3d(ctx)) return { kernels: [conv3dKernel(resolve3d(ctx, a.win, a.group).s, convIo(ctx, a.epi))] };
    const r = resolve(ctx, a);
    return convPlan(r.s, convIo(ctx, a.epi), a.forcePath, a.forceSplit, { maxSmem: ctx.caps.maxComputeWorkgroupStorageSize, pairSplitK: ctx.splitKPairs !== 'none' });
  },
};

