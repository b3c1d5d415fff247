/**
 * The forward convolution's per-pixel paths, in the frame of conv-kernels.ts ({@link convKernel}):
 * - `depthwise` (Cin/g = 1): 4 consecutive outputs per thread, the kernel window in registers;
 * - `direct` (tiny K or tiny Cout, e.g. RGB/RGBA inputs or 1-channel heads): a pixel × up to 8
 *   output channels per thread, on {@link pixelKernel}, which the transposed conv shares.
 */
import { dispatch1d, type KernelSpec } from '../types.js';
import { convKernel, convParams, storeChunkWgsl, storeExpr, type ConvIo, type ConvShape } from './conv-kernels.js';

/**
 * One output pixel × CT output channels per thread (CT up to 8; z enumerates channel chunks × groups):
 * the frame of the direct and the transposed kernel. `accumulate` is WGSL that adds into
 * `acc: array<f32, CT>` from n, g, oy, ox, co0 and khw; `helpers` goes before the entry point.
 */
export function pixelKernel(s: ConvShape, io: ConvIo, prefix: string, accumulate: string, helpers = ''): KernelSpec {
  const g = s.g;
  const coutpg = s.cout / s.groups;
  const CT = coutpg >= 8 ? 8 : coutpg >= 4 ? 4 : coutpg >= 2 ? 2 : 1;
  const chunks = Math.ceil(coutpg / CT);
  const [wx, wy] = dispatch1d(s.batch * g.oh * g.ow, 64);
  return convKernel(io, {
    name: `${prefix}_${CT}`, key: `${prefix}_${CT}`,
    params: convParams(s, 0, 1, chunks),
    workgroups: [wx, wy, chunks * s.groups],
    body: () => `const CT = ${CT}u;${helpers}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let m = gid.x + gid.y * nwg.x * 64u;
  if (m >= P.M) { return; }
  let chunk = gid.z % P.extra; let g = gid.z / P.extra;
  let ohw = P.oh * P.ow;
  let n = m / ohw; let p = m - n * ohw; let oy = p / P.ow; let ox = p - oy * P.ow;
  let co0 = chunk * CT;
  let khw = P.kh * P.kw;
  var acc: array<f32, CT>;
${accumulate}
${storeChunkWgsl(io, 'ohw')}
}`,
  });
}

/** Depthwise (Cin/g = 1, any channel multiplier): 4 consecutive outputs of a row per thread. */
export function depthwiseKernel(s: ConvShape, io: ConvIo): KernelSpec {
  const g = s.g;
  const OT = 4;
  const span = (OT - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const owq = Math.ceil(g.ow / OT);
  const n = s.batch * s.cout * g.oh * owq;
  return convKernel(io, {
    name: `conv_dw_${g.kh}x${g.kw}`,
    key: `conv_dw_${g.kh}x${g.kw}_s${g.sw}_d${g.dw}`,
    params: convParams(s, 0, 1, owq),
    workgroups: dispatch1d(n, 64),
    body: () => `const KH = ${g.kh}u; const KW = ${g.kw}u; const SW = ${g.sw}u; const DW = ${g.dw}u; const SPAN = ${span}u; const OT = ${OT}u;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let t = gid.x + gid.y * nwg.x * 64u;
  let owq = P.extra;
  if (t >= P.batch * P.cout * P.oh * owq) { return; }
  let xq = t % owq; let r = t / owq; let oy = r % P.oh; let nc = r / P.oh;
  let co = nc % P.cout; let n = nc / P.cout;
  let ci = co / P.coutpg;
  var w: array<f32, ${g.kh * g.kw}>;
  for (var i = 0u; i < KH * KW; i++) { w[i] = W_ld(co * KH * KW + i); }
  let ox0 = xq * OT;
  let ix0 = i32(ox0 * SW) - i32(P.pl);
  let plane = (n * P.cin + ci) * P.ih * P.iw;
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < KH; ky++) {
    let iy = i32(oy * P.sh + ky * P.dh) - i32(P.pt);
    if (iy < 0 || iy >= i32(P.ih)) { continue; }
    var row: array<f32, SPAN>;
    for (var j = 0u; j < SPAN; j++) {
      let ix = ix0 + i32(j);
      row[j] = select(0.0, X_ld(plane + u32(iy) * P.iw + u32(max(ix, 0))), ix >= 0 && ix < i32(P.iw));
    }
    for (var kx = 0u; kx < KW; kx++) {
      let wv = w[ky * KW + kx];
      for (var o = 0u; o < OT; o++) { acc[o] += wv * row[o * SW + kx * DW]; }
    }
  }
  let base = (n * P.cout + co) * P.oh * P.ow + oy * P.ow;
  for (var o = 0u; o < OT; o++) {
    let ox = ox0 + o;
    if (ox >= P.ow) { break; }
    let idx = base + ox;
    ${storeExpr(io, 'acc[o]', 'co', 'idx')}
  }
}`,
  });
}

/** Direct conv for tiny K or tiny Cout: one output pixel × CT output channels per thread. */
export function directKernel(s: ConvShape, io: ConvIo): KernelSpec {
  return pixelKernel(s, io, 'conv_direct', `  var wrow: array<u32, CT>;
  for (var j = 0u; j < CT; j++) { wrow[j] = (g * P.coutpg + min(co0 + j, P.coutpg - 1u)) * P.K; }
  for (var ci = 0u; ci < P.cinpg; ci++) {
    let plane = (n * P.cin + g * P.cinpg + ci) * P.ih * P.iw;
    for (var ky = 0u; ky < P.kh; ky++) {
      let iy = i32(oy * P.sh + ky * P.dh) - i32(P.pt);
      if (iy < 0 || iy >= i32(P.ih)) { continue; }
      for (var kx = 0u; kx < P.kw; kx++) {
        let ix = i32(ox * P.sw + kx * P.dw) - i32(P.pl);
        if (ix < 0 || ix >= i32(P.iw)) { continue; }
        let xv = X_ld(plane + u32(iy) * P.iw + u32(ix));
        let k = ci * khw + ky * P.kw + kx;
        for (var j = 0u; j < CT; j++) { acc[j] += xv * W_ld(wrow[j] + k); }
      }
    }
  }`);
}
