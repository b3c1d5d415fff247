/**
 * Col2Im — https://onnx.ai/onnx/operators/onnx__Col2Im.html
 * Opset 18+, 2-D (torch's F.fold). input [N, C·bh·bw, L] holds L column blocks; image_shape [H, W] and
 * block_shape [bh, bw] are constant inputs 1 and 2. Output [N, C, H, W]: each pixel sums the block
 * entries that land on it (blocks overlap where the stride is below the block). L must equal the
 * blocks that fit, ((H + pads − dilation·(bh − 1) − 1) / stride + 1) per dim. GPU: one thread per
 * output pixel walks the block taps that could cover it (a gather: no atomics).
 */
import { signature } from '../../gpu/signature.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike, grid, WG } from './common.js';

interface A { strides: number[]; pads: number[]; dilations: number[] }
interface G { N: number; C: number; H: number; W: number; bh: number; bw: number; nh: number; nw: number; sh: number; sw: number; pt: number; pl: number; dh: number; dw: number }

function geom(ctx: InferContext, a: A, image: readonly number[], block: readonly number[]): G {
  const x = ctx.inputs[0]!;
  if (image.length !== 2 || block.length !== 2) throw ctx.error(`image_shape [${image.join(', ')}] and block_shape [${block.join(', ')}] must be 2-D`, 'wgml runs 2-D Col2Im (torch F.fold)', { image, block });
  if (x.shape.length !== 3) throw ctx.error(`input has rank ${x.shape.length}`, 'input is [N, C·bh·bw, L]', { shape: x.shape });
  if (x.dtype !== 'float32' && x.dtype !== 'float16') throw ctx.error(`input is ${x.dtype}`, 'Col2Im takes float tensors');
  const [H, W] = image as [number, number], [bh, bw] = block as [number, number];
  const [sh, sw] = a.strides.length ? a.strides : [1, 1];
  const [pt, pl, pb, pr] = a.pads.length ? a.pads : [0, 0, 0, 0];
  const [dh, dw] = a.dilations.length ? a.dilations : [1, 1];
  const nh = Math.floor((H + pt! + pb! - dh! * (bh - 1) - 1) / sh!) + 1, nw = Math.floor((W + pl! + pr! - dw! * (bw - 1) - 1) / sw!) + 1;
  const [N, CB, L] = x.shape as [number, number, number];
  if (CB % (bh * bw) || L !== nh * nw) throw ctx.error(`input [${x.shape.join(', ')}] must be [N, C·${bh * bw}, ${nh * nw}] for image [${H}, ${W}] and block [${bh}, ${bw}]`, 'the block count follows image, block, strides, pads and dilations', { shape: x.shape, blocks: nh * nw });
  return { N, C: CB / (bh * bw), H, W, bh, bw, nh, nw, sh: sh!, sw: sw!, pt: pt!, pl: pl!, dh: dh!, dw: dw! };
}

const sig = signature({
  params: { n: 'u32', C: 'u32', H: 'u32', W: 'u32', bh: 'u32', bw: 'u32', nh: 'u32', nw: 'u32', sh: 'u32', sw: 'u32', pt: 'i32', pl: 'i32', dh: 'u32', dw: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

export const Col2Im: OpDef<A> = {
  type: 'Col2Im', opsets: [18, 99], constInputs: [1, 2],
  attrs: (a) => ({ strides: a.ints('strides', []), pads: a.ints('pads', []), dilations: a.ints('dilations', []) }),
  infer(ctx, a) {
    expectInputs(ctx, 3, 3);
    const g = geom(ctx, a, constInts(ctx, 1, 'image_shape'), constInts(ctx, 2, 'block_shape'));
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [g.N, g.C, g.H, g.W] }];
  },
  reference([x, image, block], a, ctx): HostTensor[] {
    const g = geom(ctx, a, Array.from(image!.data, Number), Array.from(block!.data, Number));
    const y = emptyLike(x!.dtype, [g.N, g.C, g.H, g.W]);
    // scatter every block entry onto the pixel it covers
    for (let n = 0; n < g.N; n++) for (let c = 0; c < g.C; c++) for (let ky = 0; ky < g.bh; ky++) for (let kx = 0; kx < g.bw; kx++)
      for (let by = 0; by < g.nh; by++) for (let bx = 0; bx < g.nw; bx++) {
        const yy = by * g.sh - g.pt + ky * g.dh, xx = bx * g.sw - g.pl + kx * g.dw;
        if (yy < 0 || yy >= g.H || xx < 0 || xx >= g.W) continue;
        y.data[((n * g.C + c) * g.H + yy) * g.W + xx] += x!.data[((n * g.C + c) * g.bh * g.bw + ky * g.bw + kx) * g.nh * g.nw + by * g.nw + bx]!;
      }
    return [y];
  },
  gpu(ctx, a) {
    const g = geom(ctx, a, constInts(ctx, 1, 'image_shape'), constInts(ctx, 2, 'block_shape'));
    const n = g.N * g.C * g.H * g.W;
    if (!n || !shapeSize(ctx.inputs[0]!.shape)) return { kernels: [] };
    return { kernels: [declaredKernel({
      name: 'col2im', key: 'col2im', sig, args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, C: g.C, H: g.H, W: g.W, bh: g.bh, bw: g.bw, nh: g.nh, nw: g.nw, sh: g.sh, sw: g.sw, pt: g.pt, pl: g.pl, dh: g.dh, dw: g.dw },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let x = i32(i % P.W); let y = i32((i / P.W) % P.H); let nc = i / (P.W * P.H);
  var acc = 0.0;
  for (var ky = 0u; ky < P.bh; ky++) {
    // the block row by with by·sh − pt + ky·dh = y
    let ry = y + P.pt - i32(ky * P.dh);
    if (ry < 0 || ry % i32(P.sh) != 0) { continue; }
    let by = u32(ry) / P.sh;
    if (by >= P.nh) { continue; }
    for (var kx = 0u; kx < P.bw; kx++) {
      let rx = x + P.pl - i32(kx * P.dw);
      if (rx < 0 || rx % i32(P.sw) != 0) { continue; }
      let bx = u32(rx) / P.sw;
      if (bx >= P.nw) { continue; }
      acc += X_ld(((nc * P.bh + ky) * P.bw + kx) * P.nh * P.nw + by * P.nw + bx);
    }
  }
  Y_st(i, acc);`),
      }),
    })] };
  },
};
