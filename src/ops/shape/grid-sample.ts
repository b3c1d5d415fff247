/**
 * GridSample — https://onnx.ai/onnx/operators/onnx__GridSample.html (opset 16; 20 renamed the modes
 * linear/cubic and allowed N-D, of which wgml runs the 4-D case). torch's F.grid_sample exports it
 * (torchvision's RAFT warps features and looks up its correlation pyramid with it).
 * X [N, C, H, W] is sampled at grid [N, Ho, Wo, 2] (x along W, y along H, normalized to [-1, 1]):
 * modes nearest (round half to even), bilinear and bicubic (Keys, a = -0.75), padding zeros, border
 * and reflection, align_corners. Follows onnxruntime's CPU kernel: an out-of-range sample point is
 * clamped (border; not for bicubic, which like PyTorch clamps each tap only) or reflected
 * (reflection) first, then each tap is read through the padding rule.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize } from '../../ir/types.js';
import { declaredKernel, type OpDef } from '../types.js';
import { linearIndex, divRn } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { grid, WG } from './common.js';

const PADS = ['zeros', 'border', 'reflection'] as const;
interface A { mode: number; pad: number; align: boolean }

const SIG = signature({
  params: { n: 'u32', C: 'u32', H: 'u32', W: 'u32', Ho: 'u32', Wo: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'G', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

/** onnxruntime's GsReflect: fold x into [lo, hi] by reflecting at the ends. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const d = lo - x, n = Math.floor(d / range), r = d - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const d = x - hi, n = Math.floor(d / range), r = d - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function cubicCoeffs(t: number): number[] {
  const a = -0.75, x = Math.abs(t);
  return [
    ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a,
    ((a + 2) * x - (a + 3)) * x * x + 1,
    ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1,
    ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a,
  ];
}

const roundEven = (v: number): number => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};

export const GridSample: OpDef<A> = {
  type: 'GridSample', opsets: [16, 99],
  attrs(a, opset) {
    const m = a.string('mode', opset >= 20 ? 'linear' : 'bilinear');
    const mode = ({ nearest: 0, bilinear: 1, linear: 1, bicubic: 2, cubic: 2 } as Record<string, number>)[m];
    if (mode === undefined) throw a.error(`unknown mode '${m}'`, 'use nearest, linear (bilinear) or cubic (bicubic)');
    const p = a.string('padding_mode', 'zeros');
    const pad = PADS.indexOf(p as typeof PADS[number]);
    if (pad < 0) throw a.error(`unknown padding_mode '${p}'`, 'use zeros, border or reflection');
    return { mode, pad, align: a.int('align_corners', 0) === 1 };
  },
  infer(ctx) {
    expectInputs(ctx, 2);
    const [x, g] = [ctx.inputs[0]!, ctx.inputs[1]!];
    if (x.shape.length !== 4) throw ctx.error(`X has rank ${x.shape.length}; wgml samples 4-D [N, C, H, W] inputs only`, 'reshape volumes into 2-D slices', { shape: x.shape });
    if (g.shape.length !== 4 || g.shape[0] !== x.shape[0] || g.shape[3] !== 2)
      throw ctx.error(`grid shape [${g.shape}] is not [N, Ho, Wo, 2] with N = ${x.shape[0]}`, 'the grid holds one (x, y) pair per output position', { grid: g.shape });
    if (!isFloat(x.dtype) || !isFloat(g.dtype)) throw ctx.error(`GridSample of ${x.dtype} by a ${g.dtype} grid`, 'X and grid must be float tensors');
    return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, g.shape[1]!, g.shape[2]!] }];
  },
  reference([x, gr], a) {
    const [N, C, H, W] = x!.shape as [number, number, number, number];
    const [, Ho, Wo] = gr!.shape as [number, number, number];
    const y = hostTensor(x!.dtype, [N, C, Ho, Wo]);
    const [xlo, xhi, ylo, yhi] = a.align ? [0, W - 1, 0, H - 1] : [-0.5, W - 0.5, -0.5, H - 0.5];
    const at = (base: number, r: number, c: number): number => {
      if (a.pad === 0) return r >= 0 && r < H && c >= 0 && c < W ? x!.data[base + r * W + c]! : 0;
      if (a.pad === 1) { r = Math.min(Math.max(r, 0), H - 1); c = Math.min(Math.max(c, 0), W - 1); } else { r = Math.trunc(reflect(r, ylo, yhi)); c = Math.trunc(reflect(c, xlo, xhi)); }
      return x!.data[base + r * W + c]!;
    };
    for (let n = 0; n < N; n++) for (let i = 0; i < Ho * Wo; i++) {
      const gx = gr!.data[(n * Ho * Wo + i) * 2]!, gy = gr!.data[(n * Ho * Wo + i) * 2 + 1]!;
      let px = a.align ? ((gx + 1) / 2) * (W - 1) : ((gx + 1) * W - 1) / 2;
      let py = a.align ? ((gy + 1) / 2) * (H - 1) : ((gy + 1) * H - 1) / 2;
      if (a.mode === 0) { px = roundEven(px); py = roundEven(py); }
      if (px < xlo || px > xhi || py < ylo || py > yhi) {
        if (a.pad === 1 && a.mode !== 2) { px = Math.min(Math.max(px, 0), W - 1); py = Math.min(Math.max(py, 0), H - 1); }
        if (a.pad === 2) { px = reflect(px, xlo, xhi); py = reflect(py, ylo, yhi); }
      }
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * H * W;
        let v: number;
        if (a.mode === 0) v = at(base, py, px);
        else if (a.mode === 1) {
          const x1 = Math.floor(px), y1 = Math.floor(py), dx = px - x1, dy = py - y1;
          v = (1 - dy) * ((1 - dx) * at(base, y1, x1) + dx * at(base, y1, x1 + 1)) + dy * ((1 - dx) * at(base, y1 + 1, x1) + dx * at(base, y1 + 1, x1 + 1));
        } else {
          const x0 = Math.floor(px) - 1, y0 = Math.floor(py) - 1;
          const cx = cubicCoeffs(px - x0 - 1), cy = cubicCoeffs(py - y0 - 1);
          v = 0;
          for (let h = 0; h < 4; h++) {
            let row = 0;
            for (let w = 0; w < 4; w++) row += cx[w]! * at(base, y0 + h, x0 + w);
            v += cy[h]! * row;
          }
        }
        y.data[((n * C + c) * Ho * Wo) + i] = v;
      }
    }
    return [y];
  },
  gpu(ctx, a) {
    const [x, g] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const [, C, H, W] = x.shape as [number, number, number, number];
    const [, Ho, Wo] = g.shape as [number, number, number];
    const n = shapeSize(ctx.outputs[0]!.shape);
    const [xlo, xhi, ylo, yhi] = a.align ? ['0.0', 'f32(P.W) - 1.0', '0.0', 'f32(P.H) - 1.0'] : ['-0.5', 'f32(P.W) - 0.5', '-0.5', 'f32(P.H) - 0.5'];
    const tapIndex = [
      'if (r < 0 || r >= i32(P.H) || c < 0 || c >= i32(P.W)) { return 0.0; }\n  let rr = r; let cc = c;',
      'let rr = clamp(r, 0, i32(P.H) - 1); let cc = clamp(c, 0, i32(P.W) - 1);',
      `let rr = i32(gs_reflect(f32(r), ${ylo}, ${yhi})); let cc = i32(gs_reflect(f32(c), ${xlo}, ${xhi}));`,
    ][a.pad]!;
    const outside = [
      '',
      a.mode === 2 ? '' : 'px = clamp(px, 0.0, f32(P.W) - 1.0); py = clamp(py, 0.0, f32(P.H) - 1.0);',
      `px = gs_reflect(px, ${xlo}, ${xhi}); py = gs_reflect(py, ${ylo}, ${yhi});`,
    ][a.pad]!;
    const sample = [
      'v = gs_at(base, i32(py), i32(px));',
      `let x1 = floor(px); let y1 = floor(py); let dx = px - x1; let dy = py - y1;
  let c1 = i32(x1); let r1 = i32(y1);
  v = (1.0 - dy) * ((1.0 - dx) * gs_at(base, r1, c1) + dx * gs_at(base, r1, c1 + 1)) + dy * ((1.0 - dx) * gs_at(base, r1 + 1, c1) + dx * gs_at(base, r1 + 1, c1 + 1));`,
      `let x0 = floor(px) - 1.0; let y0 = floor(py) - 1.0;
  let cx = gs_cubic(px - x0 - 1.0); let cy = gs_cubic(py - y0 - 1.0);
  for (var h = 0; h < 4; h++) {
    var row = 0.0;
    for (var w = 0; w < 4; w++) { row += cx[w] * gs_at(base, i32(y0) + h, i32(x0) + w); }
    v += cy[h] * row;
  }`,
    ][a.mode]!;
    return { kernels: [declaredKernel({
      name: 'grid_sample', key: `grid_sample_${a.mode}_${a.pad}_${a.align ? 1 : 0}`, sig: SIG, args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, C, H, W, Ho, Wo },
      source: () => ({
        requires: [linearIndex(WG), divRn],
        body: `fn gs_reflect(x: f32, lo: f32, hi: f32) -> f32 {
  let range = hi - lo;
  if (range <= 0.0) { return lo; }
  if (x < lo) {
    let d = lo - x; let k = floor(div_rn(d, range)); let r = d - k * range;
    return select(hi - r, lo + r, k % 2.0 == 0.0);
  }
  if (x > hi) {
    let d = x - hi; let k = floor(div_rn(d, range)); let r = d - k * range;
    return select(lo + r, hi - r, k % 2.0 == 0.0);
  }
  return x;
}
fn gs_cubic(t: f32) -> vec4<f32> {
  let a = -0.75; let x = abs(t);
  return vec4<f32>(((a * (x + 1.0) - 5.0 * a) * (x + 1.0) + 8.0 * a) * (x + 1.0) - 4.0 * a,
    ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0,
    ((a + 2.0) * (1.0 - x) - (a + 3.0)) * (1.0 - x) * (1.0 - x) + 1.0,
    ((a * (2.0 - x) - 5.0 * a) * (2.0 - x) + 8.0 * a) * (2.0 - x) - 4.0 * a);
}
fn gs_at(base: u32, r: i32, c: i32) -> f32 {
  ${tapIndex}
  return X_ld(base + u32(rr) * P.W + u32(cc));
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  let hw = P.Ho * P.Wo;
  let pos = i % hw;
  let nc = i / hw;
  let b = nc / P.C;
  let gi = (b * hw + pos) * 2u;
  let gx = G_ld(gi); let gy = G_ld(gi + 1u);
  var px = ${a.align ? '(gx + 1.0) / 2.0 * (f32(P.W) - 1.0)' : '((gx + 1.0) * f32(P.W) - 1.0) / 2.0'};
  var py = ${a.align ? '(gy + 1.0) / 2.0 * (f32(P.H) - 1.0)' : '((gy + 1.0) * f32(P.H) - 1.0) / 2.0'};
  ${a.mode === 0 ? 'px = round(px); py = round(py);' : ''}
  if (px < ${xlo} || px > ${xhi} || py < ${ylo} || py > ${yhi}) { ${outside} }
  let base = nc * P.H * P.W;
  var v = 0.0;
  ${sample}
  Y_st(i, v);
}`,
      }),
    })] };
  },
};
