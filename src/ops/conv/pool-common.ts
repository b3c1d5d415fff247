/**
 * Shared by MaxPool, AveragePool and LpPool: attributes, output shape, the CPU reference and one kernel
 * (a thread per output element). Windows follow ORT/PyTorch: with ceil_mode a window may run past
 * the input and its end padding; positions outside the input never contribute to a max, and for
 * count_include_pad=1 the divisor counts positions inside [-pad_begin, in + pad_end) only.
 * 1, 2 and 3 spatial dims share one kernel: the geometry is always 3-D (D, H, W), with missing
 * leading axes of size 1 (kernel 1, stride 1, no pads), so a 2-D pool pays one trip of a depth loop.
 */
import type { Attrs } from '../../ir/attrs.js';
import { signature, type Word } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize, storageType, type HostTensor, type ValueType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type GpuPlan, type InferContext, type KernelContext } from '../types.js';
import { forwardAxes, parseWindow, spatialRank, type WindowAttrs } from './geometry.js';

export type PoolMode = 'max' | 'avg' | 'lp';

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

/** Per axis (D, H, W): input/output sizes, kernel, strides, dilations, begin and end pads. */
export interface PoolShape { nc: number; sp: number; out: number[]; i: number[]; o: number[]; k: number[]; s: number[]; d: number[]; pb: number[]; pe: number[] }

export function poolShape(ctx: InferContext, a: PoolAttrs): PoolShape {
  const x = ctx.inputs[0];
  if (!x) throw ctx.error('missing input X', 're-export the model');
  const sp = spatialRank(ctx, x.shape.length);
  const inSp = x.shape.slice(2);
  const f = forwardAxes(ctx, a.win, inSp, a.win.kernel, a.ceil);
  // Left-pad every per-axis list to 3 axes with a neutral value.
  const to3 = (v: number[], def: number) => [...new Array<number>(3 - sp).fill(def), ...v];
  return {
    nc: x.shape[0]! * x.shape[1]!, sp, out: [x.shape[0]!, x.shape[1]!, ...f.out],
    i: to3(inSp, 1), o: to3(f.out, 1), k: to3(a.win.kernel, 1), s: to3(f.strides, 1), d: to3(f.dil, 1),
    pb: to3(f.pads.slice(0, sp), 0), pe: to3(f.pads.slice(sp), 0),
  };
}

export function poolInfer(ctx: InferContext, a: PoolAttrs): ValueType[] {
  const s = poolShape(ctx, a);
  return [{ dtype: ctx.inputs[0]!.dtype, shape: s.out }];
}

const LOWEST = -3.4028234663852886e38;

/** Max, average (both count_include_pad modes) and Lp pooling share the window geometry; only the body differs. */
const AX = ['d', 'h', 'w'] as const;
const PARAMS = {
  total: 'u32',
  ...Object.fromEntries(AX.flatMap((a) => [[`i${a}`, 'u32'], [`o${a}`, 'u32'], [`k${a}`, 'u32'], [`s${a}`, 'u32'], [`d${a}`, 'u32'], [`pb${a}`, 'i32'], [`pe${a}`, 'i32']])),
} as Record<string, 'u32' | 'i32'>;
// With MaxPool's Indices output, int64 values are stored as i32 words on the GPU. MaxPool (opset 12) also
// takes int8/uint8, one i32/u32 word per element; the other modes are float only.
const sig = (w: Word, indices: boolean) => signature({
  params: PARAMS,
  buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }, ...(indices ? [{ name: 'Ind', elem: 'i32' as const, writes: true }] : [])],
});
/** The value of a max over a window with no tap inside the input (only ceil_mode or pads make one). */
const lowest = (dt: string) => (dt === 'uint8' ? 0 : dt === 'int8' ? -128 : LOWEST);

/** Count of window taps on one axis whose position lies in [lo, hi). */
function taps(start: number, k: number, d: number, lo: number, hi: number): number {
  let c = 0;
  for (let i = 0; i < k; i++) { const p = start + i * d; if (p >= lo && p < hi) c++; }
  return c;
}

/**
 * CPU reference; `indices` (MaxPool's optional output) is the flat index into X: row-major, or with
 * `colMajor` (storage_order=1) the spatial part column-major, d + h·D + w·D·H, as ORT.
 */
export function poolReference(x: HostTensor, s: PoolShape, mode: PoolMode, countIncludePad: boolean, p = 2, colMajor = false): { y: HostTensor; indices: HostTensor } {
  const [ID, IH, IW] = s.i as [number, number, number], [OD, OH, OW] = s.o as [number, number, number];
  const y = hostTensor(x.dtype, s.out), ind = hostTensor('int64', s.out);
  let o = 0;
  for (let nc = 0; nc < s.nc; nc++) for (let oz = 0; oz < OD; oz++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const st = [oz * s.s[0]! - s.pb[0]!, oy * s.s[1]! - s.pb[1]!, ox * s.s[2]! - s.pb[2]!];
    let best = LOWEST, bi = -1, sum = 0;
    for (let kz = 0; kz < s.k[0]!; kz++) {
      const iz = st[0]! + kz * s.d[0]!;
      if (iz < 0 || iz >= ID) continue;
      for (let ky = 0; ky < s.k[1]!; ky++) {
        const iy = st[1]! + ky * s.d[1]!;
        if (iy < 0 || iy >= IH) continue;
        for (let kx = 0; kx < s.k[2]!; kx++) {
          const ix = st[2]! + kx * s.d[2]!;
          if (ix < 0 || ix >= IW) continue;
          const i = ((nc * ID + iz) * IH + iy) * IW + ix, v = x.data[i]!;
          sum += mode === 'lp' ? Math.abs(v) ** p : v;
          if (v > best || bi < 0) { best = v; bi = colMajor ? nc * ID * IH * IW + iz + iy * ID + ix * ID * IH : i; }
        }
      }
    }
    if (mode === 'max') { y.data[o] = bi < 0 ? lowest(x.dtype) : best; ind.data[o++] = bi; continue; }
    if (mode === 'lp') { y.data[o++] = sum ** (1 / p); continue; }
    let cnt = 1;
    for (let a = 0; a < 3; a++) cnt *= countIncludePad ? taps(st[a]!, s.k[a]!, s.d[a]!, -s.pb[a]!, s.i[a]! + s.pe[a]!) : taps(st[a]!, s.k[a]!, s.d[a]!, 0, s.i[a]!);
    y.data[o++] = cnt > 0 ? sum / cnt : 0;
  }
  return { y, indices: ind };
}

/** `p` is LpPool's exponent: an integer attribute, so it is baked into the source (1 and 2 avoid pow). */
export function poolPlan(ctx: KernelContext, s: PoolShape, mode: PoolMode, countIncludePad: boolean, p = 2, indices = false, colMajor = false): GpuPlan | string {
  const dt = ctx.inputs[0]!.dtype;
  const intMax = mode === 'max' && (dt === 'uint8' || dt === 'int8');
  if (!isFloat(dt) && !intMax) return `${ctx.node.opType} on ${dt} is not supported (${mode === 'max' ? 'float, int8 and uint8' : 'float'} only)`;
  const w = storageType(dt);
  const total = shapeSize(s.out);
  const key = `pool_${mode}${w === 'f32' ? '' : `_${w}`}${mode === 'avg' && countIncludePad ? '_incl' : ''}${mode === 'lp' ? `_p${p}` : ''}${indices ? (colMajor ? '_indcol' : '_ind') : ''}`;
  const params: Record<string, number> = { total };
  AX.forEach((a, j) => {
    Object.assign(params, { [`i${a}`]: s.i[j]!, [`o${a}`]: s.o[j]!, [`k${a}`]: s.k[j]!, [`s${a}`]: s.s[j]!, [`d${a}`]: s.d[j]!, [`pb${a}`]: s.pb[j]!, [`pe${a}`]: s.pe[j]! });
  });
  const init = mode !== 'max' ? '0.0' : w === 'f32' ? `${LOWEST}` : `${w}(${lowest(dt)})`;
  const lpTerm = p === 1 ? 'abs(v)' : p === 2 ? 'v * v' : `pow(abs(v), ${p}.0)`;
  // With Indices the first maximum in window order wins (as the reference and ORT).
  const at = colMajor ? 'nc * P.id * P.ih * P.iw + u32(iz) + u32(iy) * P.id + u32(ix) * P.id * P.ih' : 'xi';
  const acc = indices ? `if (v > r || bi < 0) { r = v; bi = i32(${at}); }`
    : mode === 'max' ? 'r = max(r, v);' : mode === 'lp' ? `r += ${lpTerm};` : 'r += v;';
  const cnt = AX.map((a) => countIncludePad
    ? `taps(${a}0, P.k${a}, P.d${a}, -P.pb${a}, i32(P.i${a}) + P.pe${a})`
    : `taps(${a}0, P.k${a}, P.d${a}, 0, i32(P.i${a}))`).join(' * ');
  const lpFin = p === 1 ? 'r' : p === 2 ? 'sqrt(r)' : `pow(r, ${1 / p})`;
  const fin = indices ? 'Y_st(o, r); Ind_st(o, bi);' : mode === 'max' ? 'Y_st(o, r);' : mode === 'lp' ? `Y_st(o, ${lpFin});`
    : `let cnt = ${cnt};
  Y_st(o, select(0.0, r / f32(cnt), cnt > 0u));`;
  return {
    kernels: [declaredKernel({
      name: key, key, sig: sig(w, indices), params,
      args: indices ? [{ input: 0 }, { output: 0 }, { output: 1 }] : [{ input: 0 }, { output: 0 }],
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
  let ox = o % P.ow; var t = o / P.ow; let oy = t % P.oh; t = t / P.oh; let oz = t % P.od; let nc = t / P.od;
  let d0 = i32(oz * P.sd) - P.pbd; let h0 = i32(oy * P.sh) - P.pbh; let w0 = i32(ox * P.sw) - P.pbw;
  var r = ${init};${indices ? '\n  var bi = -1;' : ''}
  for (var kz = 0u; kz < P.kd; kz++) {
    let iz = d0 + i32(kz * P.dd);
    if (iz < 0 || iz >= i32(P.id)) { continue; }
    let plane = (nc * P.id + u32(iz)) * P.ih;
    for (var ky = 0u; ky < P.kh; ky++) {
      let iy = h0 + i32(ky * P.dh);
      if (iy < 0 || iy >= i32(P.ih)) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let ix = w0 + i32(kx * P.dw);
        if (ix < 0 || ix >= i32(P.iw)) { continue; }
        let xi = (plane + u32(iy)) * P.iw + u32(ix);
        let v = X_ld(xi);
        ${acc}
      }
    }
  }
  ${fin}
}`,
      }),
    })],
  };
}
