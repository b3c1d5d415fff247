/**
 * The interpolation behind Resize and Upsample: per-axis coordinate transform, nearest (any rank, any
 * element type), N-linear and separable 4-tap cubic (float types), computed in f32 on both sides so
 * nearest picks the same pixel as the GPU does.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { isFloat, shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type KernelContext, type KernelSpec } from '../types.js';
import { divRn, linearIndex, perItemMain } from '../wgsl-common.js';
import { denseStrides, emptyLike, grid, WG, wordType } from './common.js';

export const COORD_MODES = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_crop_and_resize', 'half_pixel_symmetric', 'tf_half_pixel_for_nn'] as const;
/** 'simple' is Resize-10/Upsample: ceil when downsampling, truncate otherwise (as onnxruntime). */
export const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil', 'simple'] as const;

export interface ResizePlan {
  linear: boolean;
  coord: number;
  nearest: number;
  extrapolation: number;
  inShape: number[];
  outShape: number[];
  /** Per-axis scale used by the coordinate transform (output/input when sizes were given). */
  scales: number[];
  /** Resized length the coordinate transforms divide by: in·scale (f32) for scales, the size for sizes. */
  resizedLen: number[];
  roiStart: number[];
  roiEnd: number[];
  /** Cubic mode (Resize only): cubic_coeff_a and exclude_outside; linear is then false. */
  cubic?: { a: number; exclude: boolean };
}

const f = Math.fround;

/** x_original for output coordinate x on one axis (f32 arithmetic step by step). */
export function originalCoord(p: ResizePlan, k: number, x: number): number {
  const inD = p.inShape[k]!, outD = p.resizedLen[k]!, s = f(p.scales[k]!);
  switch (COORD_MODES[p.coord]) {
    case 'asymmetric': return f(x / s);
    case 'align_corners': return outD === 1 ? 0 : f(f(x * (inD - 1)) / (outD - 1));
    case 'pytorch_half_pixel': return outD > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0;
    case 'tf_half_pixel_for_nn': return f(f(x + 0.5) / s);
    case 'tf_crop_and_resize': {
      const a = f(p.roiStart[k]!), b = f(p.roiEnd[k]!);
      return outD > 1 ? f(f(a * (inD - 1)) + f(f(f(x * f(b - a)) * (inD - 1)) / (outD - 1))) : f(f(f(a + b) * 0.5) * (inD - 1));
    }
    case 'half_pixel_symmetric': {
      const adj = f(p.outShape[k]! / f(s * inD));
      const off = f(f(inD * 0.5) * f(1 - adj));
      return f(off + f(f(f(x + 0.5) / s) - 0.5));
    }
    default: return f(f(f(x + 0.5) / s) - 0.5);
  }
}

function nearestIndex(p: ResizePlan, k: number, xo: number): number {
  const fl = Math.floor(xo);
  let i: number;
  switch (NEAREST_MODES[p.nearest]) {
    case 'round_prefer_floor': i = xo - fl === 0.5 ? fl : Math.round(xo); break;
    case 'round_prefer_ceil': i = xo - fl === 0.5 ? fl + 1 : Math.round(xo); break;
    case 'floor': i = fl; break;
    case 'ceil': i = Math.ceil(xo); break;
    default: i = p.scales[k]! < 1 ? Math.ceil(xo) : Math.trunc(xo);
  }
  return Math.min(Math.max(i, 0), p.inShape[k]! - 1);
}

/**
 * The 4 taps of cubic interpolation at x_original `xo` on an axis of length `d`: indices fl-1..fl+2
 * (clamped, as the spec's edge padding does) and Keys' weights for coefficient A. The spec takes the
 * ratio in (0, 1] and the taps fl-2..fl+1 when xo is integral; both give weights [0, 1, 0, 0] on xo.
 * exclude_outside zeroes taps outside [0, d) and renormalizes the rest.
 */
export function cubicTaps(xo: number, d: number, A: number, exclude: boolean): { idx: number[]; w: number[] } {
  const fl = Math.floor(xo), r = xo - fl;
  const near = (s: number) => ((A + 2) * s - (A + 3)) * s * s + 1;
  const far = (s: number) => ((A * s - 5 * A) * s + 8 * A) * s - 4 * A;
  let w = [far(r + 1), near(r), near(1 - r), far(2 - r)];
  const raw = [fl - 1, fl, fl + 1, fl + 2];
  if (exclude) {
    w = w.map((v, t) => (raw[t]! < 0 || raw[t]! >= d ? 0 : v));
    const sum = w.reduce((a, b) => a + b, 0);
    w = w.map((v) => v / sum);
  }
  return { idx: raw.map((v) => Math.min(Math.max(v, 0), d - 1)), w };
}

export function resizeRef(x: HostTensor, p: ResizePlan): HostTensor {
  const out = emptyLike(x.dtype, p.outShape);
  const r = p.outShape.length, st = denseStrides(p.inShape);
  const tf = COORD_MODES[p.coord] === 'tf_crop_and_resize';
  const c = new Array<number>(r).fill(0);
  for (let i = 0; i < out.data.length; i++) {
    let rem = i;
    for (let k = r - 1; k >= 0; k--) { c[k] = rem % p.outShape[k]!; rem = Math.floor(rem / p.outShape[k]!); }
    const xo = c.map((v, k) => originalCoord(p, k, v));
    if (tf && xo.some((v, k) => v < 0 || v > p.inShape[k]! - 1)) { out.data[i] = p.extrapolation; continue; }
    if (p.cubic) {
      const cb = p.cubic;
      const taps = xo.map((v, k) => cubicTaps(v, p.inShape[k]!, cb.a, cb.exclude));
      const interp = (k: number, base: number): number => {
        if (k === r) return x.data[base]!;
        const t = taps[k]!;
        let acc = 0;
        for (let j = 0; j < 4; j++) if (t.w[j] !== 0) acc += t.w[j]! * interp(k + 1, base + t.idx[j]! * st[k]!);
        return acc;
      };
      out.data[i] = interp(0, 0);
      continue;
    }
    if (!p.linear) { out.data[i] = x.data[xo.reduce((s, v, k) => s + nearestIndex(p, k, v) * st[k]!, 0)]!; continue; }
    // Separable: interpolate axis by axis, recursively.
    const interp = (k: number, base: number): number => {
      if (k === r) return x.data[base]!;
      const d = p.inShape[k]!;
      const v = Math.min(Math.max(xo[k]!, 0), d - 1);
      const i0 = Math.floor(v), i1 = Math.min(i0 + 1, d - 1), w = v - i0;
      const a = interp(k + 1, base + i0 * st[k]!);
      return w === 0 ? a : a * (1 - w) + interp(k + 1, base + i1 * st[k]!) * w;
    };
    out.data[i] = interp(0, 0);
  }
  return out;
}

/** A reason to refuse, or null. */
export function resizeRefusal(p: ResizePlan, dtype: HostTensor['dtype']): string | null {
  if (p.outShape.length > 8) return `rank ${p.outShape.length} is over wgml's limit of 8`;
  if ((p.linear || p.cubic) && !isFloat(dtype)) return `${p.cubic ? 'cubic' : 'linear'} Resize of ${dtype} is not supported (only float types)`;
  return null;
}

/** Every resize kernel takes the same parameters; only the body differs (by mode and by path). */
const sig = (w: Word) => signature({
  params: {
    n: 'u32', rank: 'u32', linear: 'u32', coord: 'u32', nearest: 'u32', extrap: 'f32', out_shape: ['u32', 8], in_shape: ['u32', 8],
    scales: ['f32', 8], rlen: ['f32', 8], roi_a: ['f32', 8], roi_b: ['f32', 8], strides: ['u32', 8], cubic_a: 'f32', excl: 'u32',
  },
  buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }],
});
const RESIZE_FNS = `fn orig(k: u32, x: f32) -> f32 {
  let ind = f32(P_in_shape(k));
  let outd = P_rlen(k);
  let s = P_scales(k);
  switch (P.coord) {
    case 1u: { return div_rn(x, s); }
    case 2u: { if (outd == 1.0) { return 0.0; } return div_rn(x * (ind - 1.0), outd - 1.0); }
    case 3u: { if (outd > 1.0) { return div_rn(x + 0.5, s) - 0.5; } return 0.0; }
    case 4u: {
      let a = P_roi_a(k); let b = P_roi_b(k);
      if (outd > 1.0) { return a * (ind - 1.0) + div_rn((x * (b - a)) * (ind - 1.0), outd - 1.0); }
      return ((a + b) * 0.5) * (ind - 1.0);
    }
    case 5u: { let adj = div_rn(f32(P_out_shape(k)), s * ind); let off = (ind * 0.5) * (1.0 - adj); return off + (div_rn(x + 0.5, s) - 0.5); }
    case 6u: { return div_rn(x + 0.5, s); }
    default: { return div_rn(x + 0.5, s) - 0.5; }
  }
}
fn nearest_index(k: u32, xo: f32) -> u32 {
  let fl = floor(xo);
  var i: f32;
  switch (P.nearest) {
    case 0u: { i = select(round(xo), fl, xo - fl == 0.5); }
    case 1u: { i = select(round(xo), fl + 1.0, xo - fl == 0.5); }
    case 2u: { i = fl; }
    case 3u: { i = ceil(xo); }
    default: { i = select(trunc(xo), ceil(xo), P_scales(k) < 1.0); }
  }
  return u32(clamp(i32(i), 0, i32(P_in_shape(k)) - 1));
}`;
/** cubicTaps in WGSL: Keys' weights with P.cubic_a over fl-1..fl+2 (clamped), exclude_outside renormalized. */
const CUBIC_FNS = `struct Taps { i: vec4<u32>, w: vec4<f32> }
fn cubic_taps(k: u32, xo: f32) -> Taps {
  let d = i32(P_in_shape(k));
  let fl = floor(xo); let r = xo - fl; let A = P.cubic_a;
  let s = vec4<f32>(r + 1.0, r, 1.0 - r, 2.0 - r);
  let near = ((A + 2.0) * s - (A + 3.0)) * s * s + 1.0;
  let far = ((A * s - 5.0 * A) * s + 8.0 * A) * s - 4.0 * A;
  var w = vec4<f32>(far.x, near.y, near.z, far.w);
  let idx = vec4<i32>(i32(fl) - 1) + vec4<i32>(0, 1, 2, 3);
  if (P.excl == 1u) {
    w = select(vec4<f32>(0.0), w, (idx >= vec4<i32>(0)) & (idx < vec4<i32>(d)));
    w = w / (w.x + w.y + w.z + w.w);
  }
  return Taps(vec4<u32>(clamp(idx, vec4<i32>(0), vec4<i32>(d - 1))), w);
}`;

/**
 * Resizing only H and W of an NCHW tensor (every U-Net upsample): one thread per output element with
 * 2-D index math and no per-rank loops or local arrays, which the generic kernel needs and which
 * spill on real GPUs (2.98 ms → memory-bound for a 1080p nearest upsample on the H100).
 */
function isPlanar(p: ResizePlan): boolean {
  return p.outShape.length === 4 && p.outShape[0] === p.inShape[0] && p.outShape[1] === p.inShape[1] && COORD_MODES[p.coord] !== 'tf_crop_and_resize';
}

function planarMain(w: string, linear: boolean, cubic: boolean): string {
  const load = (j: string) => (w === 'f32' ? `X_ld(${j})` : `f32(X_ld(${j}))`);
  const body = cubic
    ? `let ty = cubic_taps(2u, orig(2u, f32(y))); let tx = cubic_taps(3u, orig(3u, f32(x)));
  let base = nc * ih * iw;
  var acc = 0.0;
  for (var a = 0u; a < 4u; a++) {
    if (ty.w[a] == 0.0) { continue; }
    let row = base + ty.i[a] * iw;
    var s = 0.0;
    for (var b = 0u; b < 4u; b++) { if (tx.w[b] != 0.0) { s += tx.w[b] * ${load('row + tx.i[b]')}; } }
    acc += ty.w[a] * s;
  }
  Y_st(i, ${w}(acc));`
    : linear
    ? `let fy = clamp(orig(2u, f32(y)), 0.0, f32(ih) - 1.0); let fx = clamp(orig(3u, f32(x)), 0.0, f32(iw) - 1.0);
  let y0 = u32(floor(fy)); let x0 = u32(floor(fx)); let y1 = min(y0 + 1u, ih - 1u); let x1 = min(x0 + 1u, iw - 1u);
  let wy = fy - floor(fy); let wx = fx - floor(fx);
  let base = nc * ih * iw;
  let top = ${load('base + y0 * iw + x0')} * (1.0 - wx) + ${load('base + y0 * iw + x1')} * wx;
  let bot = ${load('base + y1 * iw + x0')} * (1.0 - wx) + ${load('base + y1 * iw + x1')} * wx;
  Y_st(i, ${w}(top * (1.0 - wy) + bot * wy));`
    : `let iy = nearest_index(2u, orig(2u, f32(y))); let ix = nearest_index(3u, orig(3u, f32(x)));
  Y_st(i, X_ld((nc * ih + iy) * iw + ix));`;
  return perItemMain(WG, 'i', 'P.n', `  let ow = P_out_shape(3u); let oh = P_out_shape(2u);
  let iw = P_in_shape(3u); let ih = P_in_shape(2u);
  let x = i % ow; let t = i / ow; let y = t % oh; let nc = t / oh;
  ${body}`);
}

/**
 * Cubic over any rank: 4 taps per axis, or 1 where x_original is integral (every axis the resize
 * leaves alone), so an NCHW resize of H and W loops over 16 taps, not 4^rank.
 */
function cubicMain(w: string): string {
  const load = w === 'f32' ? 'X_ld(j)' : 'f32(X_ld(j))';
  return perAxisMain(w, `var ti: array<vec4<u32>, 8>; var tw: array<vec4<f32>, 8>; var nt: array<u32, 8>;
  var total = 1u;`, `    let t = cubic_taps(k, xo);
    if (xo == floor(xo)) { ti[k] = vec4<u32>(t.i.y); tw[k] = vec4<f32>(1.0, 0.0, 0.0, 0.0); nt[k] = 1u; }
    else { ti[k] = t.i; tw[k] = t.w; nt[k] = 4u; }
    total *= nt[k];`, `  var acc = 0.0;
  for (var c = 0u; c < total; c++) {
    var rc = c;
    var wsum = 1.0;
    var j = 0u;
    for (var k = 0u; k < P.rank; k++) {
      let tap = rc % nt[k];
      rc = rc / nt[k];
      wsum *= tw[k][tap];
      j += ti[k][tap] * P_strides(k);
    }
    acc += wsum * ${load};
  }
  Y_st(i, ${w}(acc));`);
}

/** Nearest and linear over any rank: the nearest source index, or 2 taps per axis (skipping zero weights). */
function nearestLinearMain(w: string): string {
  const load = w === 'f32' ? 'X_ld(j)' : 'f32(X_ld(j))';
  return perAxisMain(w, `var i0: array<u32, 8>; var i1: array<u32, 8>; var wt: array<f32, 8>;
  var near = 0u;`, `    near += nearest_index(k, xo) * P_strides(k);
    let v = clamp(xo, 0.0, f32(d) - 1.0);
    let a = u32(floor(v));
    i0[k] = a; i1[k] = min(a + 1u, d - 1u); wt[k] = v - floor(v);`, `  if (P.linear == 0u) { Y_st(i, X_ld(near)); return; }
  var acc = 0.0;
  for (var c = 0u; c < (1u << P.rank); c++) {
    var wsum = 1.0;
    var j = 0u;
    var skip = false;
    for (var k = 0u; k < P.rank; k++) {
      let hi = ((c >> k) & 1u) == 1u;
      if (hi && wt[k] == 0.0) { skip = true; break; }
      wsum *= select(1.0 - wt[k], wt[k], hi);
      j += select(i0[k], i1[k], hi) * P_strides(k);
    }
    if (!skip) { acc += wsum * ${load}; }
  }
  Y_st(i, ${w}(acc));`);
}

/**
 * The any-rank entry point: one invocation per output element, axes from last to first giving each
 * its source coordinate xo and input extent d (tf_crop_and_resize writes the extrapolation value and
 * stops outside the crop); `perAxis` gathers that axis's taps, `after` combines them.
 */
function perAxisMain(w: string, decls: string, perAxis: string, after: string): string {
  return perItemMain(WG, 'i', 'P.n', `  ${decls}
  var rem = i;
  for (var kk = i32(P.rank) - 1; kk >= 0; kk--) {
    let k = u32(kk);
    let e = P_out_shape(k);
    let xo = orig(k, f32(rem % e));
    rem = rem / e;
    let d = P_in_shape(k);
    if (P.coord == 4u && (xo < 0.0 || xo > f32(d) - 1.0)) { Y_st(i, ${w}(P.extrap)); return; }
${perAxis}
  }
${after}`);
}

export function resizeKernel(ctx: KernelContext, p: ResizePlan, dtype: HostTensor['dtype']): KernelSpec {
  const w = wordType(dtype);
  const n = shapeSize(p.outShape);
  const params = {
    n, rank: p.outShape.length, linear: p.linear ? 1 : 0, coord: p.coord, nearest: p.nearest, extrap: p.extrapolation,
    out_shape: p.outShape.map((d) => Math.max(1, d)), in_shape: p.inShape, scales: p.scales, rlen: p.resizedLen, roi_a: p.roiStart, roi_b: p.roiEnd,
    strides: denseStrides(p.inShape), cubic_a: p.cubic?.a ?? 0, excl: p.cubic?.exclude ? 1 : 0,
  };
  const mode = p.cubic ? 'cubic' : p.linear ? 'linear' : 'nearest';
  const common = { sig: sig(w), params, args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n) };
  const source = (body: string) => () => ({ requires: [linearIndex(WG), divRn], body });
  if (isPlanar(p)) {
    return declaredKernel({
      ...common, name: `resize_${mode}_hw`, key: `resize_hw_${w}_${mode}`,
      source: source(`${RESIZE_FNS}\n${p.cubic ? CUBIC_FNS : ''}\n${planarMain(w, p.linear, !!p.cubic)}`),
    });
  }
  if (p.cubic) return declaredKernel({ ...common, name: 'resize_cubic', key: `resize_cubic_${w}`, source: source(`${RESIZE_FNS}\n${CUBIC_FNS}\n${cubicMain(w)}`) });
  return declaredKernel({
    ...common, name: p.linear ? 'resize_linear' : 'resize_nearest', key: `resize_${w}`, source: source(`${RESIZE_FNS}\n${nearestLinearMain(w)}`),
  });
}
