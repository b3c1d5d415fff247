/**
 * Conv over three spatial dims (X [N, C, D, H, W]), for torchvision's video models (r3d_18, mc3_18,
 * r2plus1d_18 are Conv3d, folded BatchNorm, ReLU and residual Adds). The 2-D paths (GEMM, tiled,
 * depthwise) assume two spatial dims, so this is a path of its own: one thread per output voxel × up
 * to 8 output channels, the same loops as the 2-D direct kernel with a depth loop around them. Groups,
 * strides, dilations, pads, auto_pad, bias and the fused epilogue (activation, residual) as in 2-D.
 */
import { signature, type KernelSignature } from '../../gpu/signature.js';
import { hostTensor, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type KernelArg, type KernelSpec } from '../types.js';
import { epilogueModule, epilogueKey } from '../epilogue.js';
import { storeChunkWgsl, type ConvIo } from './conv-kernels.js';
import { forwardAxes, type WindowAttrs } from './geometry.js';

export interface Conv3dShape {
  batch: number; cin: number; cout: number; groups: number;
  /** Per spatial axis (D, H, W): input and output sizes, kernel, strides, dilations and begin pads. */
  i: number[]; o: number[]; k: number[]; s: number[]; d: number[]; p: number[];
}

export function resolve3d(ctx: InferContext, win: WindowAttrs, group: number): { s: Conv3dShape; out: number[] } {
  const x = ctx.inputs[0]!, w = ctx.inputs[1]!;
  if (w.shape.length !== 5) throw ctx.error(`W has rank ${w.shape.length}, X has rank 5`, 'W must be [M, C/group, kD, kH, kW]');
  const [batch, cin] = x.shape as [number, number];
  const cout = w.shape[0]!;
  const k = w.shape.slice(2);
  if (win.kernel.length && win.kernel.some((v, i) => v !== k[i])) throw ctx.error(`kernel_shape ${win.kernel} disagrees with W ${w.shape}`, 're-export the model');
  if (cin % group || cout % group || w.shape[1] !== cin / group)
    throw ctx.error(`channels do not fit groups: X has ${cin} channels, W is [${w.shape}], group=${group}`, 'W must be [M, C/group, k...] with M divisible by group');
  const i = x.shape.slice(2);
  const f = forwardAxes(ctx, win, i, k);
  const s: Conv3dShape = { batch, cin, cout, groups: group, i, o: f.out, k, s: f.strides, d: f.dil, p: f.pads.slice(0, 3) };
  return { s, out: [batch, cout, ...f.out] };
}

/** Reference: direct loops in float64. */
export function conv3dReference(x: HostTensor, w: HostTensor, b: HostTensor | null, s: Conv3dShape): HostTensor {
  const [ID, IH, IW] = s.i as [number, number, number], [OD, OH, OW] = s.o as [number, number, number];
  const [KD, KH, KW] = s.k as [number, number, number];
  const y = hostTensor('float32', [s.batch, s.cout, OD, OH, OW]);
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  let o = 0;
  for (let n = 0; n < s.batch; n++) for (let co = 0; co < s.cout; co++) {
    const grp = Math.floor(co / coutpg);
    for (let oz = 0; oz < OD; oz++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
      let acc = b ? b.data[co]! : 0;
      for (let c = 0; c < cinpg; c++) {
        const plane = (n * s.cin + grp * cinpg + c) * ID;
        for (let kz = 0; kz < KD; kz++) {
          const iz = oz * s.s[0]! - s.p[0]! + kz * s.d[0]!;
          if (iz < 0 || iz >= ID) continue;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * s.s[1]! - s.p[1]! + ky * s.d[1]!;
            if (iy < 0 || iy >= IH) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * s.s[2]! - s.p[2]! + kx * s.d[2]!;
              if (ix < 0 || ix >= IW) continue;
              acc += x.data[((plane + iz) * IH + iy) * IW + ix]! * w.data[(((co * cinpg + c) * KD + kz) * KH + ky) * KW + kx]!;
            }
          }
        }
      }
      y.data[o++] = acc;
    }
  }
  return y;
}

const PARAMS = {
  M: 'u32', cin: 'u32', cout: 'u32', cinpg: 'u32', coutpg: 'u32', chunks: 'u32',
  id: 'u32', ih: 'u32', iw: 'u32', od: 'u32', oh: 'u32', ow: 'u32', kd: 'u32', kh: 'u32', kw: 'u32',
  sd: 'u32', sh: 'u32', sw: 'u32', dd: 'u32', dh: 'u32', dw: 'u32', pd: 'u32', ph: 'u32', pw: 'u32',
} as const;
const sigs = new Map<string, KernelSignature>();

/** Conv's loops: input voxel = output voxel × stride − pad + tap × dilation; W is [M, C/g, kD, kH, kW]. */
const CONV_LOOPS = `  var wrow: array<u32, CT>;
  for (var j = 0u; j < CT; j++) { wrow[j] = (g * P.coutpg + min(co0 + j, P.coutpg - 1u)) * P.cinpg * kvol; }
  for (var ci = 0u; ci < P.cinpg; ci++) {
    let vol = (n * P.cin + g * P.cinpg + ci) * P.id;
    for (var kz = 0u; kz < P.kd; kz++) {
      let iz = i32(oz * P.sd + kz * P.dd) - i32(P.pd);
      if (iz < 0 || iz >= i32(P.id)) { continue; }
      for (var ky = 0u; ky < P.kh; ky++) {
        let iy = i32(oy * P.sh + ky * P.dh) - i32(P.ph);
        if (iy < 0 || iy >= i32(P.ih)) { continue; }
        let row = ((vol + u32(iz)) * P.ih + u32(iy)) * P.iw;
        for (var kx = 0u; kx < P.kw; kx++) {
          let ix = i32(ox * P.sw + kx * P.dw) - i32(P.pw);
          if (ix < 0 || ix >= i32(P.iw)) { continue; }
          let xv = X_ld(row + u32(ix));
          let k = ((ci * P.kd + kz) * P.kh + ky) * P.kw + kx;
          for (var j = 0u; j < CT; j++) { acc[j] += xv * W_ld(wrow[j] + k); }
        }
      }
    }
  }`;

export function conv3dKernel(s: Conv3dShape, io: ConvIo): KernelSpec {
  return volumeKernel(s, io, 'conv3d_direct', CONV_LOOPS);
}

/**
 * One thread per output voxel × up to CT output channels of one group; `loops` accumulates into
 * acc[j] (Conv and ConvTranspose differ only there), then the shared store applies bias and epilogue.
 */
export function volumeKernel(s: Conv3dShape, io: ConvIo, kind: string, loops: string): KernelSpec {
  const coutpg = s.cout / s.groups, cinpg = s.cin / s.groups;
  const CT = coutpg >= 8 ? 8 : coutpg >= 4 ? 4 : coutpg >= 2 ? 2 : 1;
  const chunks = Math.ceil(coutpg / CT);
  const M = s.batch * s.o[0]! * s.o[1]! * s.o[2]!;
  const [wx, wy] = dispatch1d(M, 64);
  const names = ['X', 'W'], args: KernelArg[] = [{ input: io.x }, { input: io.w }];
  if (io.bias !== null) { names.push('Bias'); args.push({ input: io.bias }); }
  if (io.residual !== null) { names.push('Res'); args.push({ input: io.residual }); }
  args.push({ output: 0 });
  const sk = names.join(',');
  let sig = sigs.get(sk);
  if (!sig) { sig = signature({ params: { ...PARAMS }, buffers: [...names.map((name) => ({ name, elem: 'f32' as const })), { name: 'Y', elem: 'f32', writes: true }] }); sigs.set(sk, sig); }
  const [id, ih, iw] = s.i as [number, number, number], [od, oh, ow] = s.o as [number, number, number];
  return declaredKernel({
    name: `${kind}_${CT}`, key: `${kind}_${CT}_${sk}_${epilogueKey(io.epi)}`, sig, args,
    params: {
      M, cin: s.cin, cout: s.cout, cinpg, coutpg, chunks, id, ih, iw, od, oh, ow, kd: s.k[0]!, kh: s.k[1]!, kw: s.k[2]!,
      sd: s.s[0]!, sh: s.s[1]!, sw: s.s[2]!, dd: s.d[0]!, dh: s.d[1]!, dw: s.d[2]!, pd: s.p[0]!, ph: s.p[1]!, pw: s.p[2]!,
    },
    workgroups: [wx, wy, chunks * s.groups],
    source: () => ({
      requires: [epilogueModule(io.epi)],
      body: `const CT = ${CT}u;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let m = gid.x + gid.y * nwg.x * 64u;
  if (m >= P.M) { return; }
  let chunk = gid.z % P.chunks; let g = gid.z / P.chunks;
  let ohw = P.oh * P.ow; let odhw = P.od * ohw;
  let n = m / odhw; let p = m - n * odhw;
  let oz = p / ohw; let q = p - oz * ohw; let oy = q / P.ow; let ox = q - oy * P.ow;
  let co0 = chunk * CT;
  let kvol = P.kd * P.kh * P.kw;
  var acc: array<f32, CT>;
${loops}
${storeChunkWgsl(io, 'odhw')}
}`,
    }),
  });
}
