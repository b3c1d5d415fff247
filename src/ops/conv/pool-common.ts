/**
 * Shared by MaxPool and AveragePool: attributes, output shape, the CPU reference and one kernel
 * (a thread per output element). Windows follow ORT/PyTorch: with ceil_mode a window may run past
 * the input and its end padding; positions outside the input never contribute to a max, and for
 * count_include_pad=1 the divisor counts positions inside [-pad_begin, in + pad_end) only.
 */
import type { Attrs } from '../../ir/attrs.js';
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize, type HostTensor, type ValueType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type GpuPlan, type InferContext, type KernelContext } from '../types.js';
import { forwardGeometry, outSpatial, parseWindow, spatialRank, type Geom2d, type WindowAttrs } from './geometry.js';

export interface PoolAttrs {
  win: WindowAttrs;
  ceil: boolean;
  countIncludePad: boolean;
  storageOrder: number;
}

export function parsePool(a: Attrs): PoolAttrs {
  const win = parseWindow(a);
  if (!win.kernel.length) throw a.error('kernel_shape is required', 're-export the model');
  return { win, ceil: a.int('ceil_mode', 0) === 1, countIncludePad: a.int('count_include_pad', 0) === 1, storageOrder: a.int('storage_order', 0) };
}

export interface PoolShape { nc: number; g: Geom2d; out: number[]; sp: number }

export function poolShape(ctx: InferContext, a: PoolAttrs): PoolShape {
  const x = ctx.inputs[0];
  if (!x) throw ctx.error('missing input X', 're-export the model');
  const sp = spatialRank(ctx, x.shape.length);
  const g = forwardGeometry(ctx, a.win, x.shape.slice(2), a.win.kernel, a.ceil);
  return { nc: x.shape[0]! * x.shape[1]!, g, sp, out: [x.shape[0]!, x.shape[1]!, ...outSpatial(g, sp)] };
}

export function poolInfer(ctx: InferContext, a: PoolAttrs): ValueType[] {
  const s = poolShape(ctx, a);
  return [{ dtype: ctx.inputs[0]!.dtype, shape: s.out }];
}

const LOWEST = -3.4028234663852886e38;

/** Max and average pooling (both count_include_pad modes) share the window geometry; only the body differs. */
const SIG = signature({
  params: {
    total: 'u32', ih: 'u32', iw: 'u32', oh: 'u32', ow: 'u32', kh: 'u32', kw: 'u32', sh: 'u32', sw: 'u32', dh: 'u32', dw: 'u32',
    pt: 'i32', pl: 'i32', pb: 'i32', pr: 'i32',
  },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

/** Count of window taps on one axis whose position lies in [lo, hi). */
function taps(start: number, k: number, d: number, lo: number, hi: number): number {
  let c = 0;
  for (let i = 0; i < k; i++) { const p = start + i * d; if (p >= lo && p < hi) c++; }
  return c;
}

/** CPU reference; `indices` (MaxPool's optional output) is the flat NCHW index, storage_order 0. */
export function poolReference(x: HostTensor, s: PoolShape, mode: 'max' | 'avg', countIncludePad: boolean): { y: HostTensor; indices: HostTensor } {
  const { g } = s;
  const y = hostTensor(x.dtype, s.out), ind = hostTensor('int64', s.out);
  for (let nc = 0; nc < s.nc; nc++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    const y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
    let best = LOWEST, bi = -1, sum = 0;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = y0 + ky * g.dh;
      if (iy < 0 || iy >= g.ih) continue;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = x0 + kx * g.dw;
        if (ix < 0 || ix >= g.iw) continue;
        const i = (nc * g.ih + iy) * g.iw + ix, v = x.data[i]!;
        sum += v;
        if (v > best || bi < 0) { best = v; bi = i; }
      }
    }
    const o = (nc * g.oh + oy) * g.ow + ox;
    if (mode === 'max') { y.data[o] = bi < 0 ? LOWEST : best; ind.data[o] = bi; continue; }
    const cnt = countIncludePad
      ? taps(y0, g.kh, g.dh, -g.pt, g.ih + g.pb) * taps(x0, g.kw, g.dw, -g.pl, g.iw + g.pr)
      : taps(y0, g.kh, g.dh, 0, g.ih) * taps(x0, g.kw, g.dw, 0, g.iw);
    y.data[o] = cnt > 0 ? sum / cnt : 0;
  }
  return { y, indices: ind };
}

export function poolPlan(ctx: KernelContext, s: PoolShape, mode: 'max' | 'avg', countIncludePad: boolean): GpuPlan | string {
  if (!isFloat(ctx.inputs[0]!.dtype)) return `${ctx.node.opType} on ${ctx.inputs[0]!.dtype} is not supported (float only)`;
  const { g } = s;
  const total = shapeSize(s.out);
  const key = `pool_${mode}${mode === 'avg' && countIncludePad ? '_incl' : ''}`;
  const params = { total, ih: g.ih, iw: g.iw, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pt: g.pt, pl: g.pl, pb: g.pb, pr: g.pr };
  const init = mode === 'max' ? `${LOWEST}` : '0.0';
  const acc = mode === 'max' ? 'r = max(r, v);' : 'r += v;';
  const lo = countIncludePad ? ['-P.pt', '-P.pl'] : ['0', '0'];
  const hi = countIncludePad ? ['i32(P.ih) + P.pb', 'i32(P.iw) + P.pr'] : ['i32(P.ih)', 'i32(P.iw)'];
  const fin = mode === 'max' ? 'Y_st(o, r);'
    : `let cnt = taps(y0, P.kh, P.dh, ${lo[0]}, ${hi[0]}) * taps(x0, P.kw, P.dw, ${lo[1]}, ${hi[1]});
  Y_st(o, select(0.0, r / f32(cnt), cnt > 0u));`;
  return {
    kernels: [declaredKernel({
      name: key, key, sig: SIG, params,
      args: [{ input: 0 }, { output: 0 }],
      workgroups: dispatch1d(total, 128),
      source: () => ({
        body: `fn taps(start: i32, k: u32, d: u32, lo: i32, hi: i32) -> u32 {
  var c = 0u;
  for (var i = 0u; i < k; i++) { let p = start + i32(i * d); if (p >= lo && p < hi) { c++; } }
  return c;
}
@compute @workgroup_size(128) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let o = gid.x + gid.y * nwg.x * 128u;
  if (o >= P.total) { return; }
  let ox = o % P.ow; let t = o / P.ow; let oy = t % P.oh; let nc = t / P.oh;
  let y0 = i32(oy * P.sh) - P.pt; let x0 = i32(ox * P.sw) - P.pl;
  let plane = nc * P.ih * P.iw;
  var r = ${init};
  for (var ky = 0u; ky < P.kh; ky++) {
    let iy = y0 + i32(ky * P.dh);
    if (iy < 0 || iy >= i32(P.ih)) { continue; }
    for (var kx = 0u; kx < P.kw; kx++) {
      let ix = x0 + i32(kx * P.dw);
      if (ix < 0 || ix >= i32(P.iw)) { continue; }
      let v = X_ld(plane + u32(iy) * P.iw + u32(ix));
      ${acc}
    }
  }
  ${fin}
}`,
      }),
    })],
  };
}
