/**
 * Spatially tiled direct conv for stride-1, dilation-1, ungrouped windows over large images with few
 * channels (U-Net-style layers at 540p–1080p). Why not implicit GEMM there: with N = Cout ≤ 32 each
 * im2col element is used by only N FMAs, so the per-element index arithmetic and bounds checks of the
 * A load dominate. Here a workgroup stages a (TH+kh-1)×(TW+kw-1) input tile of CI channels once in
 * workgroup memory (each input pixel is read from memory once per Cout chunk, not kh·kw times), the
 * weights of CI channels × CB outputs as vec4 broadcasts, and each thread accumulates PX pixels of a
 * row (16 apart, so LDS reads are conflict-free and stores coalesce) × CB output channels in
 * registers: per tap PX·CB FMAs for PX + CB/4 LDS reads.
 */
import type { KernelSpec } from '../types.js';
import { convKernel, convParams, storeExpr, type ConvIo, type ConvShape } from './conv-kernels.js';

export interface TiledCfg {
  /** Pixels per thread along a row (the tile is 16·px wide, 16 rows high). */
  px: number;
  /** Output channels per thread (multiple of 4; channels past Cout get zero weights). */
  cb: number;
  /** Input channels staged per step. */
  ci: number;
}

/** Whether the tiled kernel applies: stride 1, dilation 1, no groups, small windows. */
export function tiledOk(s: ConvShape): boolean {
  const g = s.g;
  return s.groups === 1 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.kh <= 5 && g.kw <= 5;
}

/** Workgroup memory of a config in bytes (inputs tile + weights tile). */
export function tiledSmem(s: ConvShape, c: TiledCfg): number {
  const iwT = 16 * c.px + s.g.kw - 1, ihT = 16 + s.g.kh - 1;
  return 4 * (c.ci * ihT * iwT + c.ci * s.g.kh * s.g.kw * c.cb);
}

/**
 * Default config, from the H100 sweep (bench/NOTES-conv.md): 2 pixels × 16 channels per thread and 4
 * input channels per step beat larger register tiles by 1.2–2× (occupancy, not LDS traffic, limits).
 */
export function pickTiled(s: ConvShape, maxSmem: number): TiledCfg {
  const cb = s.cout <= 4 ? 4 : s.cout <= 8 ? 8 : 16;
  const px = 2;
  let ci = Math.min(4, s.cin);
  while (ci > 1 && tiledSmem(s, { px, cb, ci }) > maxSmem) ci = Math.ceil(ci / 2);
  return { px, cb, ci };
}

export function tiledKernel(s: ConvShape, io: ConvIo, c: TiledCfg): KernelSpec {
  const g = s.g;
  const { px: PX, cb: CB, ci: CI } = c;
  const CB4 = CB / 4;
  const TW = 16 * PX, TH = 16;
  const IWT = TW + g.kw - 1, IHT = TH + g.kh - 1;
  const KHW = g.kh * g.kw;
  const chunks = Math.ceil(s.cout / CB);
  const tilesX = Math.ceil(g.ow / TW), tilesY = Math.ceil(g.oh / TH);
  const tag = `${PX}x${CB}x${CI}_k${g.kh}x${g.kw}`;
  return convKernel(io, {
    name: `conv_tiled_${tag}`,
    key: `conv_tiled_${tag}`,
    params: convParams(s, 0, 1, chunks),
    workgroups: [tilesX, tilesY, chunks * s.batch],
    body: () => `const PX = ${PX}u; const CB4 = ${CB4}u; const CI = ${CI}u; const KH = ${g.kh}u; const KW = ${g.kw}u; const KHW = ${KHW}u;
const TW = ${TW}u; const TH = ${TH}u; const IWT = ${IWT}u; const IHT = ${IHT}u; const XT = ${CI * IHT * IWT}u; const WT = ${CI * KHW * CB4}u;
var<workgroup> Xs: array<f32, XT>;
var<workgroup> Ws: array<vec4<f32>, WT>;
@compute @workgroup_size(16, 16) fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = wgml_init();
  let chunk = wid.z % P.extra; let n = wid.z / P.extra;
  let ox0 = wid.x * TW; let oy0 = wid.y * TH;
  let ix0 = i32(ox0) - i32(P.pl); let iy0 = i32(oy0) - i32(P.pt);
  let co0 = chunk * ${CB}u;
  let plane = P.ih * P.iw;
  var acc: array<array<vec4<f32>, CB4>, PX>;
  for (var c0 = 0u; c0 < P.cin; c0 += CI) {
    // Row-major over the padded tile: consecutive threads read consecutive pixels of a row.
    for (var i = li; i < XT; i += 256u) {
      let c = i / (IHT * IWT); let r = i - c * (IHT * IWT); let yy = r / IWT; let xx = r - yy * IWT;
      let iy = iy0 + i32(yy); let ix = ix0 + i32(xx); let ci = c0 + c;
      var v = 0.0;
      if (ci < P.cin && iy >= 0 && iy < i32(P.ih) && ix >= 0 && ix < i32(P.iw)) { v = X_ld((n * P.cin + ci) * plane + u32(iy) * P.iw + u32(ix)); }
      Xs[i] = v;
    }
    for (var i = li; i < WT; i += 256u) {
      let q = i % CB4; let ct = i / CB4; let t = ct % KHW; let c = ct / KHW; let ci = c0 + c;
      var v = vec4<f32>(0.0);
      for (var j = 0u; j < 4u; j++) {
        let co = co0 + q * 4u + j;
        if (co < P.cout && ci < P.cin) { v[j] = W_ld((co * P.cin + ci) * KHW + t); }
      }
      Ws[i] = v;
    }
    workgroupBarrier();
    for (var c = 0u; c < CI; c++) {
      for (var ky = 0u; ky < KH; ky++) {
        let rb = (c * IHT + lid.y + ky) * IWT + lid.x;
        for (var kx = 0u; kx < KW; kx++) {
          let wb = (c * KHW + ky * KW + kx) * CB4;
          var w: array<vec4<f32>, CB4>;
          for (var q = 0u; q < CB4; q++) { w[q] = Ws[wb + q]; }
          for (var p = 0u; p < PX; p++) {
            let xv = vec4<f32>(Xs[rb + p * 16u + kx]);
            for (var q = 0u; q < CB4; q++) { acc[p][q] = fma(xv, w[q], acc[p][q]); }
          }
        }
      }
    }
    workgroupBarrier();
  }
  let oy = oy0 + lid.y;
  if (oy >= P.oh) { return; }
  let ohw = P.oh * P.ow;
  for (var p = 0u; p < PX; p++) {
    let ox = ox0 + lid.x + p * 16u;
    if (ox >= P.ow) { break; }
    for (var q = 0u; q < CB4; q++) {
      for (var j = 0u; j < 4u; j++) {
        let cog = co0 + q * 4u + j;
        if (cog >= P.cout) { break; }
        let idx = (n * P.cout + cog) * ohw + oy * P.ow + ox;
        let v = acc[p][q][j];
        ${storeExpr(io, 'v', 'cog', 'idx')}
      }
    }
  }
}`,
  });
}
