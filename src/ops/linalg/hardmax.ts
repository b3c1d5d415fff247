/**
 * Hardmax — https://onnx.ai/onnx/operators/onnx__Hardmax.html
 * 1 at the first maximum along the axis, 0 elsewhere. Opset 13+: one axis (default -1). Opsets 1–12:
 * the input is coerced to 2-D at `axis` (default 1) and the hardmax runs over the flattened tail.
 * One GPU thread per row: a row is (outer, inner) with R elements `inner` apart.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number }
const WG = 64;
const SIG = signature({ params: { rows: 'u32', R: 'u32', inner: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });

function split(ctx: InferContext, a: A): [number, number, number] {
  const shape = ctx.inputs[0]!.shape;
  if (shape.length === 0) return [1, 1, 1];
  const ax = normAxis(ctx, a.axis, shape.length);
  if (ctx.opset >= 13) return [prod(shape.slice(0, ax)), shape[ax]!, prod(shape.slice(ax + 1))];
  return [prod(shape.slice(0, ax)), prod(shape.slice(ax)), 1];
}

export const Hardmax: OpDef<A> = {
  type: 'Hardmax',
  attrs: (a, opset) => ({ axis: a.int('axis', opset >= 13 ? -1 : 1) }),
  infer(ctx, a) {
    expectInputs(ctx, 1);
    const t = ctx.inputs[0]!;
    if (!isFloat(t.dtype)) throw ctx.error(`Hardmax needs a float input, got ${t.dtype}`, 'cast the input to float first', { dtype: t.dtype });
    split(ctx, a);
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  },
  reference([x], a, ctx): HostTensor[] {
    const [outer, R, inner] = split(ctx, a);
    const y = hostTensor(x!.dtype, x!.shape);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let r = 1; r < R; r++) if (x!.data[(o * R + r) * inner + i]! > x!.data[(o * R + best) * inner + i]!) best = r;
      if (R > 0) y.data[(o * R + best) * inner + i] = 1;
    }
    return [y];
  },
  gpu(ctx, a) {
    const [outer, R, inner] = split(ctx, a);
    const rows = outer * inner;
    if (rows === 0 || R === 0) return { kernels: [] };
    return { kernels: [declaredKernel({
      name: 'hardmax', key: 'hardmax', sig: SIG, params: { rows, R, inner }, args: [{ input: 0 }, { output: 0 }],
      workgroups: dispatch1d(rows, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'row', 'P.rows', `  let base = (row / P.inner) * P.R * P.inner + row % P.inner;
  var best = 0u;
  var m = X_ld(base);
  for (var r = 1u; r < P.R; r++) {
    let v = X_ld(base + r * P.inner);
    if (v > m) { m = v; best = r; }
  }
  for (var r = 0u; r < P.R; r++) { Y_st(base + r * P.inner, select(0.0, 1.0, r == best)); }`),
      }),
    })] };
  },
};
