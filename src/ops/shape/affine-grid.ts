/**
 * AffineGrid — https://onnx.ai/onnx/operators/onnx__AffineGrid.html
 * Opset 20+. The sampling grid of a spatial transformer, for GridSample: theta [N, 2, 3] (2-D) or
 * [N, 3, 4] (3-D), size (constant input 1) [N, C, H, W] or [N, C, D, H, W]; output [N, H, W, 2] or
 * [N, D, H, W, 3], each point theta·(x, y[, z], 1) over normalized coordinates in [−1, 1]: pixel
 * centres (2i + 1)/L − 1, or with `align_corners` the corners −1 + 2i/(L − 1) (−1 where L = 1, as the
 * reference's linspace gives). theta may be computed at run time: one thread per point reads it.
 */
import { signature } from '../../gpu/signature.js';
import { shapeSize, type HostTensor, isFloat } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike, grid, WG } from './common.js';

interface A { alignCorners: boolean }

/** Spatial dims (D?, H, W) and the output shape. */
function geom(ctx: InferContext, size: readonly number[]): { spatial: number[]; out: number[] } {
  const theta = ctx.inputs[0]!;
  const r = size.length;
  if (r !== 4 && r !== 5) throw ctx.error(`size has ${r} entries`, 'size is [N, C, H, W] (2-D) or [N, C, D, H, W] (3-D)', { size });
  const k = r - 2;
  const want = [size[0]!, k, k + 1];
  if (theta.shape.join() !== want.join()) throw ctx.error(`theta [${theta.shape.join(', ')}] must be [${want.join(', ')}] for size [${size.join(', ')}]`, 'one 2×3 (2-D) or 3×4 (3-D) matrix per batch entry', { theta: theta.shape });
  if (!isFloat(theta.dtype)) throw ctx.error(`theta is ${theta.dtype}`, 'theta is a float tensor');
  const spatial = size.slice(2);
  return { spatial, out: [size[0]!, ...spatial, k] };
}

/** Normalized coordinate of index i along a dim of L points. */
const coord = (i: number, L: number, align: boolean) => (align ? (L === 1 ? -1 : -1 + (2 * i) / (L - 1)) : (2 * i + 1) / L - 1);

const sig = signature({ params: { points: 'u32', k: 'u32', align: 'u32', d0: 'u32', d1: 'u32', d2: 'u32' }, buffers: [{ name: 'T', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });

export const AffineGrid: OpDef<A> = {
  type: 'AffineGrid', opsets: [20, 99], constInputs: [1],
  attrs: (a) => ({ alignCorners: a.int('align_corners', 0) === 1 }),
  infer(ctx) {
    expectInputs(ctx, 2, 2);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: geom(ctx, constInts(ctx, 1, 'size')).out }];
  },
  reference([theta, size], a, ctx): HostTensor[] {
    const { spatial, out } = geom(ctx, Array.from(size!.data, Number));
    const k = spatial.length, per = shapeSize(spatial);
    const y = emptyLike(theta!.dtype, out);
    for (let n = 0; n < out[0]!; n++) for (let p = 0; p < per; p++) {
      // spatial index p over (D?, H, W); the point is (x from W, y from H, z from D)
      const idx: number[] = [];
      let rest = p;
      for (let d = k - 1; d >= 0; d--) { idx[d] = rest % spatial[d]!; rest = Math.floor(rest / spatial[d]!); }
      const pt = [...Array(k).keys()].map((c) => coord(idx[k - 1 - c]!, spatial[k - 1 - c]!, a.alignCorners));
      for (let row = 0; row < k; row++) {
        let v = theta!.data[(n * k + row) * (k + 1) + k]!;
        for (let c = 0; c < k; c++) v += theta!.data[(n * k + row) * (k + 1) + c]! * pt[c]!;
        y.data[(n * per + p) * k + row] = v;
      }
    }
    return [y];
  },
  gpu(ctx, a) {
    const { spatial, out } = geom(ctx, constInts(ctx, 1, 'size'));
    const k = spatial.length, points = out[0]! * shapeSize(spatial);
    if (!points) return { kernels: [] };
    const dims = k === 3 ? spatial : [1, ...spatial];
    return { kernels: [declaredKernel({
      name: 'affine_grid', key: 'affine_grid', sig, args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, points),
      params: { points, k, align: a.alignCorners ? 1 : 0, d0: dims[0]!, d1: dims[1]!, d2: dims[2]! },
      source: () => ({
        requires: [linearIndex(WG)],
        body: `fn nc(i: u32, L: u32, align: bool) -> f32 {
  if (align) { return select(-1.0 + 2.0 * f32(i) / f32(L - 1u), -1.0, L == 1u); }
  return (2.0 * f32(i) + 1.0) / f32(L) - 1.0;
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let q = linear_index(gid, nwg);
  if (q >= P.points) { return; }
  let per = P.d0 * P.d1 * P.d2;
  let n = q / per; let p = q % per;
  let al = P.align == 1u;
  // (x, y, z): W, H, D coordinates; z is 0 and unused in 2-D
  let pt = vec3<f32>(nc(p % P.d2, P.d2, al), nc((p / P.d2) % P.d1, P.d1, al), nc(p / (P.d2 * P.d1), P.d0, al));
  for (var row = 0u; row < P.k; row++) {
    let base = (n * P.k + row) * (P.k + 1u);
    var v = T_ld(base + P.k);
    for (var c = 0u; c < P.k; c++) { v += T_ld(base + c) * pt[c]; }
    Y_st(q * P.k + row, v);
  }
}`,
      }),
    })] };
  },
};
