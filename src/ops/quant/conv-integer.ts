/**
 * ConvInteger — https://onnx.ai/onnx/operators/onnx__ConvInteger.html (opset 10)
 * int8/uint8 x and w with optional zero points (x: scalar; w: scalar or per output channel), 1-D or
 * 2-D NCHW, groups, strides, dilations, pads or auto_pad. Padding contributes 0 after the zero point
 * is subtracted (onnxruntime pads with x_zero_point). i32 accumulation: from 16 output pixels on the dot4 tiles
 * of int-gemm-tile.ts as an implicit GEMM, below that one thread per output.
 * The kernel also serves QLinearConv (qlinear-conv.ts): a bias added to the sum, then requantized.
 */
import { signature, type BufferDecl, type Word } from '../../gpu/signature.js';
import { hostTensor, shapeSize, storageType, type HostTensor } from '../../ir/types.js';
import type { Attrs } from '../../ir/attrs.js';
import { declaredKernel, dispatch1d, type GpuPlan, type InferContext, type KernelContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { byteOf, unpackAt } from './common.js';
import { DEFAULT_INT_CONV_TILE, intSplits, intTileMain, intTileName, parseIntTile, SPLIT_PARTIALS, splitReduceMain, tileGrid, type IntTileShape } from './int-gemm-tile.js';
import { requantArgs, requantBuffers, requantCpu, requantModules, requantStore, type Requant } from './requantize.js';

export interface A {
  autoPad: string; dilations: number[] | null; group: number; kernelShape: number[] | null; pads: number[] | null; strides: number[] | null;
  /** Constant weights packed four to a u32 word, flat (passes/pack-int-weights.ts): their shape and sign. */
  wPacked: { shape: number[]; signed: boolean } | null;
}
/** Where x, w, their zero points and the bias are among the node's inputs, and the requantization if any. */
export interface IntConvIo { x: number; w: number; zx: number | null; zw: number | null; bias: number | null; requant: Requant | null }

/** Zero points are optional buffers: present ones follow X and W. */
const PARAMS = {
  n: 'u32', C: 'u32', H: 'u32', W: 'u32', M: 'u32', kh: 'u32', kw: 'u32', OH: 'u32', OW: 'u32', sh: 'u32', sw: 'u32', dh: 'u32', dw: 'u32',
  ph: 'i32', pw: 'i32', cg: 'u32', mg: 'u32', zw: 'u32',
  // the tiled kernel's GEMM: output pixels (rows) × channels of a group (columns) over cg·kh·kw, K split in `splits` of `ks`
  rows: 'u32', kk: 'u32', khw: 'u32', splits: 'u32', ks: 'u32',
} as const;
/** What a kernel's store binds: the bias and the output (or requantization's buffers), or a split's partial sums. */
const storeBuffers = (bias: boolean, rq: Requant | null): BufferDecl[] =>
  [...(bias ? [{ name: 'Bias', elem: 'i32' as const }] : []), ...(rq ? requantBuffers(rq) : [{ name: 'Y', elem: 'i32' as const, writes: true }])];
const sig = (wx: Word, ww: Word, hx: boolean, zw: boolean, tail: BufferDecl[]) => signature({
  params: PARAMS,
  buffers: [{ name: 'X', elem: wx }, { name: 'Wt', elem: ww }, ...(hx ? [{ name: 'ZX', elem: wx }] : []), ...(zw ? [{ name: 'ZW', elem: ww }] : []), ...tail],
});

interface G { N: number; C: number; H: number; W: number; M: number; kh: number; kw: number; OH: number; OW: number; sh: number; sw: number; dh: number; dw: number; ph: number; pw: number; g: number; spatial: number }

export function geom(ctx: InferContext, a: A, io: Pick<IntConvIo, 'x' | 'w'>): G {
  const x = ctx.inputs[io.x]!.shape, w = a.wPacked ? a.wPacked.shape : ctx.inputs[io.w]!.shape;
  const wt = ctx.inputs[io.w]!;
  if (a.wPacked && (wt.dtype !== 'uint32' || wt.shape.length !== 1 || wt.shape[0] !== Math.ceil(shapeSize(w) / 4)))
    throw ctx.error(`packed weights are ${wt.dtype} [${wt.shape.join(', ')}], not u32 [${Math.ceil(shapeSize(w) / 4)}]`, 'this is a bug in passes/pack-int-weights.ts', { internal: true });
  const sp = x.length - 2;
  if (sp !== 1 && sp !== 2) throw ctx.error(`input rank ${x.length}`, 'ConvInteger supports 1-D and 2-D convolutions (rank 3 or 4 inputs)', { x });
  // Promote 1-D to 2-D with H = 1.
  const X = sp === 1 ? [x[0]!, x[1]!, 1, x[2]!] : x, Wt = sp === 1 ? [w[0]!, w[1]!, 1, w[2]!] : w;
  const two = (v: number[] | null, d: number) => (v ? (sp === 1 ? [d, v[0]!] : v) : [d, d]);
  const [sh, sw] = two(a.strides, 1), [dh, dw] = two(a.dilations, 1);
  const [N, C, H, W] = X as [number, number, number, number];
  const [M, cg, kh, kw] = Wt as [number, number, number, number];
  if (cg * a.group !== C || M % a.group) throw ctx.error(`weights [${w.join(', ')}] do not fit input channels ${C} in ${a.group} groups`, 'check group and weight shapes', { x, w });
  const ekh = (kh - 1) * dh! + 1, ekw = (kw - 1) * dw! + 1;
  let ph = 0, pw = 0, eh = 0, ew = 0;
  if (a.autoPad === 'NOTSET') {
    const p = a.pads ?? Array(2 * sp).fill(0);
    if (sp === 1) { pw = p[0]!; ew = p[1]!; } else { ph = p[0]!; pw = p[1]!; eh = p[2]!; ew = p[3]!; }
  } else if (a.autoPad !== 'VALID') {
    const tot = (i: number, s: number, e: number) => Math.max(0, (Math.ceil(i / s) - 1) * s + e - i);
    const th = tot(H, sh!, ekh), tw = tot(W, sw!, ekw);
    const low = (t: number) => (a.autoPad === 'SAME_LOWER' ? Math.ceil(t / 2) : Math.floor(t / 2));
    ph = low(th); eh = th - ph; pw = low(tw); ew = tw - pw;
  }
  const OH = Math.floor((H + ph + eh - ekh) / sh!) + 1, OW = Math.floor((W + pw + ew - ekw) / sw!) + 1;
  return { N, C, H, W, M, kh, kw, OH, OW, sh: sh!, sw: sw!, dh: dh!, dw: dw!, ph, pw, g: a.group, spatial: sp };
}

export function wzpLen(ctx: InferContext, i: number | null, M: number): number {
  const z = i === null ? null : ctx.inputs[i];
  if (!z) return 0;
  const n = shapeSize(z.shape);
  if (n !== 1 && n !== M) throw ctx.error(`w_zero_point has ${n} elements`, `give a scalar or ${M} values`);
  return n;
}

/** The attributes of ConvInteger and QLinearConv (Conv's, less kernel_shape's use: the weights give it). */
export function convIntAttrs(a: Attrs): A {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) throw a.error(`unknown auto_pad '${autoPad}'`, 'use NOTSET, SAME_UPPER, SAME_LOWER or VALID');
  const opt = (k: string) => (a.has(k) ? a.ints(k) : null);
  const wPacked = a.has('wgml_w_packed') ? { shape: a.ints('wgml_w_packed'), signed: a.int('wgml_w_signed', 1) === 1 } : null;
  return { autoPad, dilations: opt('dilations'), group: a.int('group', 1), kernelShape: opt('kernel_shape'), pads: opt('pads'), strides: opt('strides'), wPacked };
}

const plainIo = (ctx: InferContext): IntConvIo => ({ x: 0, w: 1, zx: ctx.inputs[2] ? 2 : null, zw: ctx.inputs[3] ? 3 : null, bias: null, requant: null });

export const ConvInteger: OpDef<A> = {
  type: 'ConvInteger', opsets: [10, 99],
  attrs: convIntAttrs,
  infer(ctx, a) {
    const io = plainIo(ctx), g = geom(ctx, a, io);
    wzpLen(ctx, io.zw, g.M);
    if (ctx.inputs[2] && shapeSize(ctx.inputs[2].shape) !== 1) throw ctx.error('x_zero_point is not a scalar', 'ConvInteger takes a per-tensor x_zero_point');
    return [{ dtype: 'int32', shape: outShape(g) }];
  },
  reference: (inputs, a, ctx) => [intConvReference(inputs, a, ctx, plainIo(ctx))],
  gpu: (ctx, a) => intConvPlan(ctx, a, plainIo(ctx)),
};

export const outShape = (g: G): number[] => (g.spatial === 1 ? [g.N, g.M, g.OW] : [g.N, g.M, g.OH, g.OW]);

/** CPU reference: the exact i32 sums (plus the bias), requantized when io says so. */
export function intConvReference(inputs: (HostTensor | null)[], a: A, ctx: InferContext, io: IntConvIo): HostTensor {
  const x = inputs[io.x]!, w = inputs[io.w]!;
  const xz = io.zx === null ? null : inputs[io.zx], wz = io.zw === null ? null : inputs[io.zw], bias = io.bias === null ? null : inputs[io.bias];
  const g = geom(ctx, a, io);
  const y = hostTensor(io.requant ? io.requant.out : 'int32', outShape(g));
  const cg = g.C / g.g, mg = g.M / g.g;
  const zx = xz ? xz.data[0]! : 0;
  for (let n = 0; n < g.N; n++) for (let m = 0; m < g.M; m++) {
    const zw = wz ? wz.data[wz.data.length === 1 ? 0 : m]! : 0;
    const grp = Math.floor(m / mg);
    for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) {
      let acc = bias ? bias.data[m]! : 0;
      for (let c = 0; c < cg; c++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
        const iy = oy * g.sh - g.ph + ky * g.dh, ix = ox * g.sw - g.pw + kx * g.dw;
        const xv = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W ? x.data[((n * g.C + grp * cg + c) * g.H + iy) * g.W + ix]! - zx : 0;
        const wi = ((m * cg + c) * g.kh + ky) * g.kw + kx;
        acc += xv * ((a.wPacked ? unpackAt(w.data, wi, a.wPacked.signed) : w.data[wi]!) - zw);
      }
      y.data[((n * g.M + m) * g.OH + oy) * g.OW + ox] = io.requant ? requantCpu(io.requant, inputs, acc, m) : acc;
    }
  }
  return y;
}

/** Output pixels from which the tiled kernel is used, given 16 channels a group and 16 taps (else one thread per output). */
export const CONV_TILE_MIN_ROWS = 16;

export function intConvPlan(ctx: KernelContext, a: A, io: IntConvIo): GpuPlan {
  const g = geom(ctx, a, io);
  const hx = io.zx !== null, zw = wzpLen(ctx, io.zw, g.M), hb = io.bias !== null, rq = io.requant;
  const wx = storageType(ctx.inputs[io.x]!.dtype), ww = storageType(ctx.inputs[io.w]!.dtype);
  const n = g.N * g.M * g.OH * g.OW;
  const rqKey = (rq ? `_rq_${rq.word}_${rq.perChannel}_${rq.lo}_${hb}` : '') + (a.wPacked ? `_p4${a.wPacked.signed ? 's' : 'u'}` : '');
  const wAt = (i: string) => (a.wPacked ? byteOf(`Wt_ld(${i} / 4u)`, `${i} % 4u`, a.wPacked.signed) : `i32(Wt_ld(${i}))`);
  // a depthwise or tiny convolution would fill a fraction of a 64×64 tile over K slices of 16: per output it is
  const rows = g.N * g.OH * g.OW, cg = g.C / g.g, mg = g.M / g.g, tiled = rows >= CONV_TILE_MIN_ROWS && mg >= 16 && cg * g.kh * g.kw >= 16;
  const kk = cg * g.kh * g.kw;
  const grid = tileGrid(rows, mg, g.g);
  // K (channels × taps) split over the grid where the tiles are few: a ResNet's last stage is 8 tiles of 49 pixels
  const shape = parseIntTile(ctx.intTile ?? null) ?? DEFAULT_INT_CONV_TILE;
  const { splits, ks } = tiled ? intSplits(grid[0] * grid[1] * g.g, kk, shape.bk) : { splits: 1, ks: kk };
  const split = splits > 1;
  const params = { n, C: g.C, H: g.H, W: g.W, M: g.M, kh: g.kh, kw: g.kw, OH: g.OH, OW: g.OW, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, ph: g.ph, pw: g.pw, cg, mg, zw, rows, kk, khw: g.kh * g.kw, splits, ks };
  const ins = [{ input: io.x }, { input: io.w }, ...(hx ? [{ input: io.zx! }] : []), ...(zw ? [{ input: io.zw! }] : [])];
  const outs = [...(hb ? [{ input: io.bias! }] : []), ...(rq ? requantArgs(rq) : [{ output: 0 }])];
  const name = rq ? 'qlinear_conv' : 'conv_integer';
  if (!tiled) {
    return { kernels: [declaredKernel({
      name, key: `conv_integer_${wx}_${ww}_${hx}_${!!zw}${rqKey}`, sig: sig(wx, ww, hx, !!zw, storeBuffers(hb, rq)),
      workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension), args: [...ins, ...outs], params,
      source: () => ({
        requires: [linearIndex(64), ...(rq ? requantModules : [])],
      body: perItemMain(64, 'i', 'P.n', `  let ox = i % P.OW;
  let oy = (i / P.OW) % P.OH;
  let m = (i / (P.OW * P.OH)) % P.M;
  let b = i / (P.OW * P.OH * P.M);
  let zx = ${hx ? 'i32(ZX_ld(0u))' : '0'};
  let zw = ${zw ? 'i32(ZW_ld(select(0u, m, P.zw > 1u)))' : '0'};
  let c0 = (m / P.mg) * P.cg;
  var acc = ${hb ? 'Bias_ld(m)' : '0'};
  for (var c = 0u; c < P.cg; c++) {
    for (var ky = 0u; ky < P.kh; ky++) {
      let iy = i32(oy * P.sh + ky * P.dh) - P.ph;
      if (iy < 0 || iy >= i32(P.H)) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let ix = i32(ox * P.sw + kx * P.dw) - P.pw;
        if (ix < 0 || ix >= i32(P.W)) { continue; }
        let xv = i32(X_ld(((b * P.C + c0 + c) * P.H + u32(iy)) * P.W + u32(ix))) - zx;
        let wi = ((m * P.cg + c) * P.kh + ky) * P.kw + kx;
        acc += xv * (${wAt('wi')} - zw);
      }
    }
  }
  ${rq ? requantStore(rq, 'm') : 'Y_st(i, acc);'}`),
      }),
    })] };
  }
  const tile = declaredKernel({
    name: `${name}_tile${split ? '_split' : ''}`, key: `conv_integer_tile${split ? '_split' : ''}_${intTileName(shape)}_${wx}_${ww}_${hx}_${!!zw}${split ? (a.wPacked ? `_p4${a.wPacked.signed ? 's' : 'u'}` : '') : rqKey}`,
    sig: sig(wx, ww, hx, !!zw, split ? [SPLIT_PARTIALS] : storeBuffers(hb, rq)),
    workgroups: [grid[0], grid[1], g.g * splits], args: [...ins, ...(split ? [{ scratch: 0 }] : outs)], params,
    source: () => tiledConvSource(ctx, a, io, !!zw, split, shape),
  });
  if (!split) return { kernels: [tile] };
  // the reduce adds the slices' partial sums and runs the tile's store: bias, then the output or its requantization
  const reduce = declaredKernel({
    name: `${name}_split_reduce`, key: `conv_integer_split_reduce${rqKey}`,
    sig: signature({ params: PARAMS, buffers: [{ name: 'Part', elem: 'i32' }, ...storeBuffers(hb, rq)] }),
    workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension), args: [{ scratch: 0 }, ...outs], params,
    source: () => ({
      requires: [linearIndex(64), ...(rq ? requantModules : [])],
      body: perItemMain(64, 'i', 'P.n', splitReduceMain(`  let ch = (i / (P.OH * P.OW)) % P.M;
  ${convStore(hb, rq)}`)),
    }),
  });
  return { scratch: [4 * n * splits], kernels: [tile, reduce] };
}

/** The store of output i with channel `ch` from the i32 sum `acc`: the bias added, then plain or requantized. */
const convStore = (hb: boolean, rq: Requant | null): string => `{${hb ? ' let acc = acc + Bias_ld(ch);' : ''} ${rq ? requantStore(rq, 'ch') : 'Y_st(i, acc);'} }`;

/**
 * The convolution as a GEMM on int-gemm-tile.ts's dot4 tiles (implicit im2col): rows are output pixels
 * (batch, y, x), columns a group's output channels, depth its input channels × kernel taps; one group per
 * grid z. A pixel's tap outside the input reads x's zero point, which the tile takes out again (0 after the
 * zero point is subtracted, as the per-output kernel adds nothing for it).
 */
function tiledConvSource(ctx: KernelContext, a: A, io: IntConvIo, zw: boolean, split: boolean, shape: IntTileShape) {
  const rq = io.requant, hb = io.bias !== null;
  const wSigned = a.wPacked ? a.wPacked.signed : ctx.inputs[io.w]!.dtype === 'int8';
  const wAt = (i: string) => (a.wPacked ? byteOf(`Wt_ld((${i}) / 4u)`, `(${i}) % 4u`, a.wPacked.signed) : `i32(Wt_ld(${i}))`);
  const zx = io.zx !== null ? 'i32(ZX_ld(0u))' : '0';
  const mc = 'bz * P.mg';
  return {
    requires: rq && !split ? requantModules : [],
    body: `// x at tap k (input channel, ky, kx) of output pixel p in group grp; its zero point outside the input
fn conv_x(P: Params, k: u32, p: u32, grp: u32) -> i32 {
  let ox = p % P.OW; let oy = (p / P.OW) % P.OH; let b = p / (P.OW * P.OH);
  let ci = k / P.khw; let r = k % P.khw;
  let iy = i32(oy * P.sh + (r / P.kw) * P.dh) - P.ph; let ix = i32(ox * P.sw + (r % P.kw) * P.dw) - P.pw;
  if (iy < 0 || iy >= i32(P.H) || ix < 0 || ix >= i32(P.W)) { return ${zx}; }
  return i32(X_ld(((b * P.C + grp * P.cg + ci) * P.H + u32(iy)) * P.W + u32(ix)));
}
${intTileMain({
  a: { load: (k, m) => `conv_x(P, ${k}, ${m}, bz)`, signed: ctx.inputs[io.x]!.dtype === 'int8' },
  b: { load: (k, c) => wAt(`(${mc} + ${c}) * P.kk + ${k}`), signed: wSigned },
  za: () => zx, zb: (c) => (zw ? `i32(ZW_ld(select(0u, ${mc} + ${c}, P.zw > 1u)))` : '0'),
  dims: { M: 'P.rows', N: 'P.mg', K: 'P.kk' }, batches: false, split,
  // NCHW: pixel m of batch m / (OH·OW), channel bz·mg + c (bz: the group)
  index: `(m / (P.OH * P.OW) * P.M + ${mc} + c) * (P.OH * P.OW) + m % (P.OH * P.OW)`,
  store: split ? 'Part_st(sp * P.n + i, acc);' : `{ let ch = ${mc} + c; ${convStore(hb, rq)} }`,
}, shape)}`,
  };
}
