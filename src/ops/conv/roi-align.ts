/**
 * RoiAlign — https://onnx.ai/onnx/operators/onnx__RoiAlign.html
 * Opset 10 (regions in "output_half_pixel" coordinates) and 16+ (`coordinate_transformation_mode`,
 * default half_pixel: region corners shifted by −0.5 after scaling). X [N, C, H, W], rois [R, 4]
 * (x1, y1, x2, y2, scaled by `spatial_scale`), batch_indices [R] (int64); output [R, C, oh, ow]. Each
 * bin averages (mode avg) or takes the largest weighted corner of (mode max) a grid of bilinear samples,
 * `sampling_ratio` per side or ⌈roi size / bins⌉ when 0 — onnxruntime's CPU kernel, sample for sample,
 * including its clamping at the border and its reading of max. GPU: one thread per output value; the
 * regions may be computed at run time (a detector's second stage).
 */
import { signature } from '../../gpu/signature.js';
import { type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { divRn, linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, WG } from '../shape/common.js';

interface A { oh: number; ow: number; ratio: number; scale: number; max: boolean; halfPixel: boolean }

function check(ctx: InferContext, a: A): { R: number; C: number; H: number; W: number } {
  const [x, rois, idx] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.inputs[2]!];
  if (x.shape.length !== 4) throw ctx.error(`X has rank ${x.shape.length}`, 'X is [N, C, H, W]', { shape: x.shape });
  if (x.dtype !== 'float32' && x.dtype !== 'float16') throw ctx.error(`X is ${x.dtype}`, 'RoiAlign takes float tensors');
  if (rois.shape.length !== 2 || rois.shape[1] !== 4) throw ctx.error(`rois [${rois.shape.join(', ')}] must be [R, 4]`, 'one (x1, y1, x2, y2) per region', { rois: rois.shape });
  if (idx.shape.join() !== String(rois.shape[0])) throw ctx.error(`batch_indices [${idx.shape.join(', ')}] must be [${rois.shape[0]}]`, 'one batch index per region');
  if (a.oh < 1 || a.ow < 1) throw ctx.error(`output ${a.oh}×${a.ow}`, 'output_height and output_width are at least 1');
  const [, C, H, W] = x.shape as [number, number, number, number];
  return { R: rois.shape[0]!, C, H, W };
}

/** onnxruntime's bilinear sample at (y, x): 0 beyond one pixel outside; clamped to the last row/column. */
function corners(H: number, W: number, y: number, x: number): { w: number[]; at: number[] } | null {
  if (y < -1 || y > H || x < -1 || x > W) return null;
  y = Math.max(y, 0); x = Math.max(x, 0);
  let yl = Math.floor(y), xl = Math.floor(x), yh: number, xh: number;
  if (yl >= H - 1) { yh = yl = H - 1; y = yl; } else yh = yl + 1;
  if (xl >= W - 1) { xh = xl = W - 1; x = xl; } else xh = xl + 1;
  const ly = y - yl, lx = x - xl, hy = 1 - ly, hx = 1 - lx;
  return { w: [hy * hx, hy * lx, ly * hx, ly * lx], at: [yl * W + xl, yl * W + xh, yh * W + xl, yh * W + xh] };
}

const sig = signature({
  params: { n: 'u32', C: 'u32', H: 'u32', W: 'u32', oh: 'u32', ow: 'u32', ratio: 'u32', scale: 'f32', maxMode: 'u32', offset: 'f32', minSize: 'f32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Ro', elem: 'f32' }, { name: 'Bi', elem: 'i32' }, { name: 'Y', elem: 'f32', writes: true }],
});

export const RoiAlign: OpDef<A> = {
  type: 'RoiAlign', opsets: [10, 99],
  attrs(a, opset) {
    const mode = a.string('mode', 'avg');
    if (mode !== 'avg' && mode !== 'max') throw a.error(`mode '${mode}'`, 'use avg or max');
    const ctm = opset >= 16 ? a.string('coordinate_transformation_mode', 'half_pixel') : 'output_half_pixel';
    if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') throw a.error(`coordinate_transformation_mode '${ctm}'`, 'use half_pixel or output_half_pixel');
    return { oh: a.int('output_height', 1), ow: a.int('output_width', 1), ratio: a.int('sampling_ratio', 0), scale: a.float('spatial_scale', 1), max: mode === 'max', halfPixel: ctm === 'half_pixel' };
  },
  infer(ctx, a) {
    expectInputs(ctx, 3, 3);
    const g = check(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [g.R, g.C, a.oh, a.ow] }];
  },
  reference([x, rois, idx], a, ctx): HostTensor[] {
    const { R, C, H, W } = check(ctx, a);
    const y = emptyLike(x!.dtype, [R, C, a.oh, a.ow]);
    const off = a.halfPixel ? 0.5 : 0;
    for (let r = 0; r < R; r++) {
      const b = Number(idx!.data[r]);
      if (b < 0 || b >= x!.shape[0]!) throw ctx.error(`batch index ${b} of region ${r} is outside 0..${x!.shape[0]! - 1}`, 'batch_indices index X\'s batch');
      const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => rois!.data[r * 4 + k]! * a.scale - off) as [number, number, number, number];
      let rw = x2 - x1, rh = y2 - y1;
      if (!a.halfPixel) { rw = Math.max(rw, 1); rh = Math.max(rh, 1); }
      const bh = rh / a.oh, bw = rw / a.ow;
      const gh = a.ratio > 0 ? a.ratio : Math.ceil(rh / a.oh), gw = a.ratio > 0 ? a.ratio : Math.ceil(rw / a.ow);
      const count = Math.max(gh * gw, 1);
      for (let c = 0; c < C; c++) {
        const plane = (b * C + c) * H * W;
        for (let ph = 0; ph < a.oh; ph++) for (let pw = 0; pw < a.ow; pw++) {
          let acc = 0, mx = -Infinity;
          for (let iy = 0; iy < gh; iy++) for (let ix = 0; ix < gw; ix++) {
            const s = corners(H, W, y1 + ph * bh + ((iy + 0.5) * bh) / gh, x1 + pw * bw + ((ix + 0.5) * bw) / gw);
            const vals = s ? s.w.map((w, k) => w * x!.data[plane + s.at[k]!]!) : [0, 0, 0, 0];
            acc += vals[0]! + vals[1]! + vals[2]! + vals[3]!;
            mx = Math.max(mx, ...vals);
          }
          y.data[((r * C + c) * a.oh + ph) * a.ow + pw] = a.max ? mx : acc / count;
        }
      }
    }
    return [y];
  },
  gpu(ctx, a) {
    const { R, C, H, W } = check(ctx, a);
    const n = R * C * a.oh * a.ow;
    if (!n) return { kernels: [] };
    return { kernels: [declaredKernel({
      name: `roi_align_${a.max ? 'max' : 'avg'}`, key: 'roi_align', sig, args: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, C, H, W, oh: a.oh, ow: a.ow, ratio: a.ratio, scale: a.scale, maxMode: a.max ? 1 : 0, offset: a.halfPixel ? 0.5 : 0, minSize: a.halfPixel ? 0 : 1 },
      source: () => ({
        requires: [linearIndex(WG), divRn],
        body: perItemMain(WG, 'i', 'P.n', `  let pw = i % P.ow; let ph = (i / P.ow) % P.oh; let c = (i / (P.ow * P.oh)) % P.C; let r = i / (P.ow * P.oh * P.C);
  let x1 = Ro_ld(r * 4u) * P.scale - P.offset; let y1 = Ro_ld(r * 4u + 1u) * P.scale - P.offset;
  // opset 10's output_half_pixel makes regions at least a pixel; half_pixel keeps them as given
  let rw0 = Ro_ld(r * 4u + 2u) * P.scale - P.offset - x1; let rh0 = Ro_ld(r * 4u + 3u) * P.scale - P.offset - y1;
  let rw = select(rw0, max(rw0, P.minSize), P.minSize > 0.0);
  let rh = select(rh0, max(rh0, P.minSize), P.minSize > 0.0);
  let bh = rh / f32(P.oh); let bw = rw / f32(P.ow);
  let gh = select(u32(ceil(div_rn(rh, f32(P.oh)))), P.ratio, P.ratio > 0u);
  let gw = select(u32(ceil(div_rn(rw, f32(P.ow)))), P.ratio, P.ratio > 0u);
  let plane = (u32(Bi_ld(r)) * P.C + c) * P.H * P.W;
  let H = f32(P.H); let W = f32(P.W);
  var acc = 0.0; var mx = -3.4e38;
  for (var iy = 0u; iy < gh; iy++) {
    for (var ix = 0u; ix < gw; ix++) {
      var y = y1 + f32(ph) * bh + (f32(iy) + 0.5) * bh / f32(gh);
      var x = x1 + f32(pw) * bw + (f32(ix) + 0.5) * bw / f32(gw);
      var v = vec4<f32>(0.0);
      if (!(y < -1.0 || y > H || x < -1.0 || x > W)) {
        y = max(y, 0.0); x = max(x, 0.0);
        var yl = u32(floor(y)); var xl = u32(floor(x)); var yh = yl + 1u; var xh = xl + 1u;
        if (yl >= P.H - 1u) { yl = P.H - 1u; yh = yl; y = f32(yl); }
        if (xl >= P.W - 1u) { xl = P.W - 1u; xh = xl; x = f32(xl); }
        let ly = y - f32(yl); let lx = x - f32(xl);
        v = vec4<f32>((1.0 - ly) * (1.0 - lx) * X_ld(plane + yl * P.W + xl), (1.0 - ly) * lx * X_ld(plane + yl * P.W + xh),
                      ly * (1.0 - lx) * X_ld(plane + yh * P.W + xl), ly * lx * X_ld(plane + yh * P.W + xh));
      }
      acc += v.x + v.y + v.z + v.w;
      mx = max(mx, max(max(v.x, v.y), max(v.z, v.w)));
    }
  }
  Y_st(i, select(acc / f32(max(gh * gw, 1u)), mx, P.maxMode == 1u));`),
      }),
    })] };
  },
};
