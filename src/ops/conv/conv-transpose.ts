/**
 * ConvTranspose — https://onnx.ai/onnx/operators/onnx__ConvTranspose.html
 * Opsets 1 and 11 (11 defined auto_pad/output_shape precisely); 22 only widened the types. 1D, 2D and
 * 3D (3-D U-Nets' ConvTranspose3d), groups, dilations, strides, pads, output_padding, output_shape, auto_pad; W is [Cin, Cout/g, k...].
 * With output_shape, pads follow the spec's reference implementation (floor division, so an
 * output_shape larger than the natural size extends the end). Fused epilogue as Conv.
 * The kernel gathers: a thread computes one output pixel for up to 8 output channels, visiting only
 * the taps whose stride phase matches (1 of 4 for the usual 2×2 stride-2 upsampling). 3D uses the
 * direct volume kernel of conv3d.ts with gather loops (a tap counts when o + pad − k·d is a
 * multiple of the stride); correct, not tuned.
 */
import type { Attrs } from '../../ir/attrs.js';
import { hostTensor, isFloat, type HostTensor, type ValueType } from '../../ir/types.js';
import { parseEpilogue, type Epilogue } from '../epilogue.js';
import type { InferContext, KernelSpec, OpDef } from '../types.js';
import { checkBias, checkResidual, convIo, epilogueReference } from './conv.js';
import type { ConvIo, ConvShape } from './conv-kernels.js';
import { pixelKernel } from './conv-pixel-kernels.js';
import { parseWindow, spatialRank, to2d, type WindowAttrs } from './geometry.js';
import { volumeKernel, type Conv3dShape } from './conv3d.js';

interface CtAttrs { win: WindowAttrs; group: number; outputPadding: number[]; outputShape: number[]; epi: Epilogue }

/** `s` drives the 2-D kernel (1D as height 1); `v` is the same geometry over 3 axes (leading size-1 axes below 3D). */
function resolve(ctx: InferContext, a: CtAttrs): { s: ConvShape; v: Conv3dShape; sp: number; out: number[] } {
  const x = ctx.inputs[0], w = ctx.inputs[1];
  if (!x || !w) throw ctx.error('ConvTranspose needs inputs X and W', 're-export the model');
  const sp = spatialRank(ctx, x.shape.length);
  if (w.shape.length !== x.shape.length) throw ctx.error(`W has rank ${w.shape.length}, X has rank ${x.shape.length}`, 'W must be [C, M/group, k...]');
  const [batch, cin] = x.shape as [number, number];
  if (w.shape[0] !== cin || cin % a.group) throw ctx.error(`W [${w.shape}] does not fit X channels ${cin} with group=${a.group}`, 'W must be [C, M/group, k...] with C divisible by group');
  const cout = w.shape[1]! * a.group;
  const kernel = w.shape.slice(2);
  const inSp = x.shape.slice(2);
  const vec = (v: number[], def: number, name: string) => {
    if (!v.length) return new Array<number>(sp).fill(def);
    if (v.length !== sp) throw ctx.error(`${name} has ${v.length} values for ${sp} spatial dims`, `give ${name} one value per spatial axis`);
    return v;
  };
  const strides = vec(a.win.strides, 1, 'strides'), dil = vec(a.win.dilations, 1, 'dilations'), opad = vec(a.outputPadding, 0, 'output_padding');
  let pads = a.win.pads.length ? [...a.win.pads] : new Array<number>(2 * sp).fill(0);
  if (pads.length !== 2 * sp) throw ctx.error(`pads has ${pads.length} values, expected ${2 * sp}`, 'pads lists all begins then all ends');
  const out: number[] = [];
  for (let i = 0; i < sp; i++) {
    const ek = (kernel[i]! - 1) * dil[i]! + 1;
    const natural = strides[i]! * (inSp[i]! - 1) + opad[i]! + ek;
    let o: number;
    if (a.outputShape.length || a.win.autoPad === 'SAME_UPPER' || a.win.autoPad === 'SAME_LOWER') {
      const os = a.outputShape.length ? a.outputShape.slice(-sp) : inSp.map((d, j) => d * strides[j]!);
      o = os[i]!;
      const total = natural - o;
      const half = Math.floor(total / 2);
      pads[i] = a.win.autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + sp] = total - pads[i]!;
    } else {
      if (a.win.autoPad === 'VALID') { pads[i] = 0; pads[i + sp] = 0; }
      o = natural - pads[i]! - pads[i + sp]!;
    }
    if (pads[i]! < 0) throw ctx.error(`output_shape ${a.outputShape} needs a negative begin pad on spatial axis ${i}`, 'use output_padding instead, or an output_shape at most stride-1 larger than the natural size', { input: x.shape });
    if (o < 1) throw ctx.error(`output size ${o} on spatial axis ${i} is not positive`, 'check pads, strides and output_shape', { input: x.shape, weight: w.shape });
    out.push(o);
  }
  // to2d reads only the first two axes; for 3D `s` is unused (the volume kernel takes `v`).
  const g = to2d(Math.min(sp, 2), kernel, strides, dil, pads, inSp, out);
  const to3 = (v: number[], def: number) => [...new Array<number>(3 - sp).fill(def), ...v];
  const v: Conv3dShape = { batch, cin, cout, groups: a.group, i: to3(inSp, 1), o: to3(out, 1), k: to3(kernel, 1), s: to3(strides, 1), d: to3(dil, 1), p: to3(pads.slice(0, sp), 0) };
  return { s: { batch, cin, cout, groups: a.group, g }, v, sp, out: [batch, cout, ...out] };
}

/** Reference over 3 axes (any rank): scatter each input voxel through the kernel (the kernels gather, so the two differ). */
function reference(x: HostTensor, w: HostTensor, b: HostTensor | null, s: Conv3dShape, out: number[]): HostTensor {
  const [ID, IH, IW] = s.i as [number, number, number], [OD, OH, OW] = s.o as [number, number, number];
  const [KD, KH, KW] = s.k as [number, number, number];
  const y = hostTensor('float32', out);
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  const acc = new Float64Array(y.data.length);
  for (let n = 0; n < s.batch; n++) for (let ci = 0; ci < s.cin; ci++) {
    const grp = Math.floor(ci / cinpg);
    for (let iz = 0; iz < ID; iz++) for (let iy = 0; iy < IH; iy++) for (let ix = 0; ix < IW; ix++) {
      const xv = x.data[(((n * s.cin + ci) * ID + iz) * IH + iy) * IW + ix]!;
      for (let c = 0; c < coutpg; c++) {
        const co = grp * coutpg + c, wb = (ci * coutpg + c) * KD;
        for (let kz = 0; kz < KD; kz++) {
          const oz = iz * s.s[0]! - s.p[0]! + kz * s.d[0]!;
          if (oz < 0 || oz >= OD) continue;
          for (let ky = 0; ky < KH; ky++) {
            const oy = iy * s.s[1]! - s.p[1]! + ky * s.d[1]!;
            if (oy < 0 || oy >= OH) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ox = ix * s.s[2]! - s.p[2]! + kx * s.d[2]!;
              if (ox < 0 || ox >= OW) continue;
              acc[(((n * s.cout + co) * OD + oz) * OH + oy) * OW + ox]! += xv * w.data[((wb + kz) * KH + ky) * KW + kx]!;
            }
          }
        }
      }
    }
  }
  const vol = OD * OH * OW;
  for (let i = 0; i < acc.length; i++) y.data[i] = acc[i]! + (b ? b.data[Math.floor(i / vol) % s.cout]! : 0);
  return y;
}

/** ConvTranspose's gather loops for the volume kernel: W is [C, M/g, kD, kH, kW]. */
const LOOPS_3D = `  for (var kz = 0u; kz < P.kd; kz++) {
    let tz = i32(oz + P.pd) - i32(kz * P.dd);
    if (tz < 0 || u32(tz) % P.sd != 0u) { continue; }
    let iz = u32(tz) / P.sd;
    if (iz >= P.id) { continue; }
    for (var ky = 0u; ky < P.kh; ky++) {
      let ty = i32(oy + P.ph) - i32(ky * P.dh);
      if (ty < 0 || u32(ty) % P.sh != 0u) { continue; }
      let iy = u32(ty) / P.sh;
      if (iy >= P.ih) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let tx = i32(ox + P.pw) - i32(kx * P.dw);
        if (tx < 0 || u32(tx) % P.sw != 0u) { continue; }
        let ix = u32(tx) / P.sw;
        if (ix >= P.iw) { continue; }
        let tap = (kz * P.kh + ky) * P.kw + kx;
        for (var c = 0u; c < P.cinpg; c++) {
          let ci = g * P.cinpg + c;
          let xv = X_ld((((n * P.cin + ci) * P.id + iz) * P.ih + iy) * P.iw + ix);
          let wbase = (ci * P.coutpg) * kvol + tap;
          for (var j = 0u; j < CT; j++) { acc[j] += xv * W_ld(wbase + min(co0 + j, P.coutpg - 1u) * kvol); }
        }
      }
    }
  }`;

// First tap on an axis whose (o + pad - k*d) is a multiple of the stride, and the step between such taps.
const PHASE = `
fn phase(o: u32, pad: u32, s: u32, d: u32) -> vec2<u32> {
  if (d == 1u) { return vec2<u32>((o + pad) % s, s); }
  return vec2<u32>(0u, 1u);
}`;

function kernel(s: ConvShape, io: ConvIo): KernelSpec {
  return pixelKernel(s, io, 'convtranspose', `  let py = phase(oy, P.pt, P.sh, P.dh); let px = phase(ox, P.pl, P.sw, P.dw);
  for (var ky = py.x; ky < P.kh; ky += py.y) {
    let ty = i32(oy + P.pt) - i32(ky * P.dh);
    if (ty < 0 || u32(ty) % P.sh != 0u) { continue; }
    let iy = u32(ty) / P.sh;
    if (iy >= P.ih) { continue; }
    for (var kx = px.x; kx < P.kw; kx += px.y) {
      let tx = i32(ox + P.pl) - i32(kx * P.dw);
      if (tx < 0 || u32(tx) % P.sw != 0u) { continue; }
      let ix = u32(tx) / P.sw;
      if (ix >= P.iw) { continue; }
      let tap = ky * P.kw + kx;
      for (var c = 0u; c < P.cinpg; c++) {
        let ci = g * P.cinpg + c;
        let xv = X_ld(((n * P.cin + ci) * P.ih + iy) * P.iw + ix);
        let wbase = (ci * P.coutpg) * khw + tap;
        for (var j = 0u; j < CT; j++) { acc[j] += xv * W_ld(wbase + min(co0 + j, P.coutpg - 1u) * khw); }
      }
    }
  }`, PHASE);
}

export const ConvTranspose: OpDef<CtAttrs> = {
  type: 'ConvTranspose',
  attrs: (a: Attrs) => {
    const group = a.int('group', 1);
    if (group < 1) throw a.error(`group=${group} must be >= 1`, 're-export the model');
    return { win: parseWindow(a), group, outputPadding: a.ints('output_padding', []), outputShape: a.ints('output_shape', []), epi: parseEpilogue(a) };
  },
  infer: (ctx, a): ValueType[] => {
    const r = resolve(ctx, a);
    const io = convIo(ctx, a.epi);
    checkBias(ctx, io, r.s.cout);
    checkResidual(ctx, io, r.out);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: r.out }];
  },
  reference: (inputs, a, ctx) => {
    const r = resolve(ctx, a);
    return epilogueReference(inputs, ctx, a.epi, (x, w, b) => reference(x, w, b, r.v, r.out));
  },
  gpu: (ctx, a) => {
    if (!isFloat(ctx.inputs[0]!.dtype)) return `ConvTranspose on ${ctx.inputs[0]!.dtype} is not supported (float only)`;
    const r = resolve(ctx, a);
    const io = convIo(ctx, a.epi);
    return { kernels: [r.sp === 3 ? volumeKernel(r.v, io, 'convtranspose3d', LOOPS_3D) : kernel(r.s, io)] };
  },
};
