/**
 * DeformConv — https://onnx.ai/onnx/operators/onnx__DeformConv.html
 * Opset 19+, 2-D. A convolution whose every kernel tap samples X at its grid position plus a learned
 * offset (input 2: [N, offset_group·2·kH·kW, oH, oW], (dy, dx) per tap), bilinearly, times an optional
 * mask (input 4: [N, offset_group·kH·kW, oH, oW]); bias input 3. Input channels split into
 * `offset_group` groups that share offsets; `group` splits channels as Conv's does. Sampling follows
 * torchvision's deform_conv2d (what the exporters map to it): a point at or beyond one pixel outside
 * the image reads 0, and corners outside read 0. Video super-resolution and alignment networks
 * (EDVR, BasicVSR++) use it. GPU: one thread per output value, the taps in a loop (no im2col).
 */
import { signature } from '../../gpu/signature.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type KernelArg, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, WG } from '../shape/common.js';

interface A { kernel: number[] | null; group: number; offsetGroup: number; strides: number[]; pads: number[]; dilations: number[] }
interface G { N: number; C: number; H: number; W: number; M: number; kh: number; kw: number; oh: number; ow: number; sh: number; sw: number; pt: number; pl: number; dh: number; dw: number; group: number; og: number }

function geom(ctx: InferContext, a: A): G {
  const [x, w, off] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.inputs[2]!];
  if (x.shape.length !== 4) throw ctx.error(`X has rank ${x.shape.length}`, 'wgml runs 2-D DeformConv: X is [N, C, H, W]', { shape: x.shape });
  if (x.dtype !== 'float32' && x.dtype !== 'float16') throw ctx.error(`X is ${x.dtype}`, 'DeformConv takes float tensors');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [M, cpg, kh, kw] = w.shape as [number, number, number, number];
  if (w.shape.length !== 4 || C !== cpg * a.group || M % a.group) throw ctx.error(`W [${w.shape.join(', ')}] does not fit X's ${C} channels in ${a.group} group(s)`, 'W is [M, C / group, kH, kW] with M divisible by group', { w: w.shape });
  if (a.kernel && (a.kernel[0] !== kh || a.kernel[1] !== kw)) throw ctx.error(`kernel_shape [${a.kernel.join(', ')}] is not W's [${kh}, ${kw}]`, 'leave kernel_shape out or make it match W');
  if (C % a.offsetGroup) throw ctx.error(`${C} channels do not split into ${a.offsetGroup} offset groups`, 'offset_group divides the channel count');
  const [sh, sw] = a.strides.length ? a.strides : [1, 1];
  const [pt, pl, pb, pr] = a.pads.length ? a.pads : [0, 0, 0, 0];
  const [dh, dw] = a.dilations.length ? a.dilations : [1, 1];
  const oh = Math.floor((H + pt! + pb! - dh! * (kh - 1) - 1) / sh!) + 1, ow = Math.floor((W + pl! + pr! - dw! * (kw - 1) - 1) / sw!) + 1;
  const wantOff = [N, a.offsetGroup * 2 * kh * kw, oh, ow];
  if (off.shape.join() !== wantOff.join()) throw ctx.error(`offset [${off.shape.join(', ')}] must be [${wantOff.join(', ')}]`, '(dy, dx) per offset group and kernel tap, at every output position', { offset: off.shape });
  const b = ctx.inputs[3], mask = ctx.inputs[4];
  if (b && b.shape.join() !== String(M)) throw ctx.error(`B [${b.shape.join(', ')}] must be [${M}]`, 'one bias per output channel');
  const wantMask = [N, a.offsetGroup * kh * kw, oh, ow];
  if (mask && mask.shape.join() !== wantMask.join()) throw ctx.error(`mask [${mask.shape.join(', ')}] must be [${wantMask.join(', ')}]`, 'one mask value per offset group and kernel tap, at every output position', { mask: mask.shape });
  return { N, C, H, W, M, kh, kw, oh, ow, sh: sh!, sw: sw!, pt: pt!, pl: pl!, dh: dh!, dw: dw!, group: a.group, og: a.offsetGroup };
}

/** X[n, c] at (y, x): bilinear, zero beyond one pixel outside and at corners outside (torchvision's rule). */
function sample(x: HostTensor, g: G, n: number, c: number, y: number, xx: number): number {
  if (y <= -1 || y >= g.H || xx <= -1 || xx >= g.W) return 0;
  const y0 = Math.floor(y), x0 = Math.floor(xx), fy = y - y0, fx = xx - x0;
  const at = (yy: number, xi: number) => (yy >= 0 && yy < g.H && xi >= 0 && xi < g.W ? x.data[((n * g.C + c) * g.H + yy) * g.W + xi]! : 0);
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

const sig = (b: boolean, m: boolean) => signature({
  params: { n: 'u32', C: 'u32', H: 'u32', W: 'u32', M: 'u32', kh: 'u32', kw: 'u32', oh: 'u32', ow: 'u32', sh: 'u32', sw: 'u32', pt: 'i32', pl: 'i32', dh: 'u32', dw: 'u32', group: 'u32', og: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Wt', elem: 'f32' }, { name: 'Off', elem: 'f32' }, ...(b ? [{ name: 'B', elem: 'f32' as const }] : []), ...(m ? [{ name: 'Mk', elem: 'f32' as const }] : []), { name: 'Y', elem: 'f32', writes: true }],
});

export const DeformConv: OpDef<A> = {
  type: 'DeformConv', opsets: [19, 99],
  attrs: (a) => ({
    kernel: a.has('kernel_shape') ? a.ints('kernel_shape') : null, group: a.int('group', 1), offsetGroup: a.int('offset_group', 1),
    strides: a.ints('strides', []), pads: a.ints('pads', []), dilations: a.ints('dilations', []),
  }),
  infer(ctx, a) {
    expectInputs(ctx, 3, 5);
    const g = geom(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [g.N, g.M, g.oh, g.ow] }];
  },
  reference([x, w, off, b, mask], a, ctx): HostTensor[] {
    const g = geom(ctx, a);
    const y = emptyLike(x!.dtype, [g.N, g.M, g.oh, g.ow]);
    const cpg = g.C / g.group, mpg = g.M / g.group, cpo = g.C / g.og, taps = g.kh * g.kw;
    for (let n = 0; n < g.N; n++) for (let m = 0; m < g.M; m++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
      let acc = b ? b.data[m]! : 0;
      const grp = Math.floor(m / mpg);
      for (let cl = 0; cl < cpg; cl++) {
        const c = grp * cpg + cl, o = Math.floor(c / cpo);
        for (let t = 0; t < taps; t++) {
          const ky = Math.floor(t / g.kw), kx = t % g.kw;
          const pos = (ch: number) => ((n * off!.shape[1]! + ch) * g.oh + oy) * g.ow + ox;
          const dy = off!.data[pos((o * taps + t) * 2)]!, dx = off!.data[pos((o * taps + t) * 2 + 1)]!;
          const mk = mask ? mask.data[((n * g.og * taps + o * taps + t) * g.oh + oy) * g.ow + ox]! : 1;
          const v = sample(x!, g, n, c, oy * g.sh - g.pt + ky * g.dh + dy, ox * g.sw - g.pl + kx * g.dw + dx);
          acc += w!.data[((m * cpg + cl) * g.kh + ky) * g.kw + kx]! * v * mk;
        }
      }
      y.data[((n * g.M + m) * g.oh + oy) * g.ow + ox] = acc;
    }
    return [y];
  },
  gpu(ctx, a) {
    const g = geom(ctx, a);
    const total = g.N * g.M * g.oh * g.ow;
    if (!total) return { kernels: [] };
    const hasB = !!ctx.inputs[3], hasM = !!ctx.inputs[4];
    const args: KernelArg[] = [{ input: 0 }, { input: 1 }, { input: 2 }, ...(hasB ? [{ input: 3 }] : []), ...(hasM ? [{ input: 4 }] : []), { output: 0 }];
    return { kernels: [declaredKernel({
      name: 'deform_conv', key: `deform_conv|b${hasB ? 1 : 0}|m${hasM ? 1 : 0}`, sig: sig(hasB, hasM), args, workgroups: grid(ctx, total),
      params: { n: total, C: g.C, H: g.H, W: g.W, M: g.M, kh: g.kh, kw: g.kw, oh: g.oh, ow: g.ow, sh: g.sh, sw: g.sw, pt: g.pt, pl: g.pl, dh: g.dh, dw: g.dw, group: g.group, og: g.og },
      source: () => ({
        requires: [linearIndex(WG)],
        body: `fn px(base: u32, y: i32, x: i32, H: i32, W: i32) -> f32 {
  if (y < 0 || y >= H || x < 0 || x >= W) { return 0.0; }
  return X_ld(base + u32(y * W + x));
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  let ox = i % P.ow; let oy = (i / P.ow) % P.oh; let m = (i / (P.ow * P.oh)) % P.M; let n = i / (P.ow * P.oh * P.M);
  let cpg = P.C / P.group; let grp = m / (P.M / P.group); let cpo = P.C / P.og; let taps = P.kh * P.kw;
  let H = i32(P.H); let W = i32(P.W);
  let plane = P.oh * P.ow; let at = oy * P.ow + ox;
  var acc = ${hasB ? 'B_ld(m)' : '0.0'};
  for (var cl = 0u; cl < cpg; cl++) {
    let c = grp * cpg + cl; let o = c / cpo;
    let base = (n * P.C + c) * P.H * P.W;
    for (var t = 0u; t < taps; t++) {
      let ky = t / P.kw; let kx = t % P.kw;
      let ch = (o * taps + t) * 2u;
      let dy = Off_ld((n * P.og * taps * 2u + ch) * plane + at);
      let dx = Off_ld((n * P.og * taps * 2u + ch + 1u) * plane + at);
      let y = f32(i32(oy * P.sh) - P.pt + i32(ky * P.dh)) + dy;
      let x = f32(i32(ox * P.sw) - P.pl + i32(kx * P.dw)) + dx;
      var v = 0.0;
      if (y > -1.0 && y < f32(H) && x > -1.0 && x < f32(W)) {
        let y0 = i32(floor(y)); let x0 = i32(floor(x)); let fy = y - floor(y); let fx = x - floor(x);
        v = (1.0 - fy) * ((1.0 - fx) * px(base, y0, x0, H, W) + fx * px(base, y0, x0 + 1, H, W))
          + fy * ((1.0 - fx) * px(base, y0 + 1, x0, H, W) + fx * px(base, y0 + 1, x0 + 1, H, W));
      }
      ${hasM ? 'v *= Mk_ld((n * P.og * taps + o * taps + t) * plane + at);' : ''}
      acc += Wt_ld(((m * cpg + cl) * P.kh + ky) * P.kw + kx) * v;
    }
  }
  Y_st(i, acc);
}`,
      }),
    })] };
  },
};
