/**
 * OneHot — https://onnx.ai/onnx/operators/onnx__OneHot.html
 * Opset 9+ (11: negative indices count from the back; negative axis). Output = indices' shape with
 * `depth` inserted at `axis` (default -1), values[1] where the index matches and values[0] elsewhere;
 * out-of-range indices give an all-off row. depth must be a compile-time constant (it sets the shape);
 * values is bound as a runtime input. Float indices are truncated toward zero.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { checkRank, constInts, emptyLike, grid, WG, wordType } from './common.js';

interface A { axis: number }

const sig = (w: Word, wi: Word) => signature({
  params: { n: 'u32', depth: 'u32', inner: 'u32' },
  buffers: [{ name: 'I', elem: wi }, { name: 'V', elem: w }, { name: 'Y', elem: w, writes: true }],
});

function plan(ctx: InferContext, a: A): { depth: number; axis: number; shape: number[] } {
  const idx = ctx.inputs[0]!, values = ctx.inputs[2]!;
  const d = constInts(ctx, 1, 'depth');
  if (d.length !== 1) throw ctx.error(`depth must hold one value, got ${d.length}`, 'make depth a scalar or a 1-element tensor', { depth: d });
  const depth = Math.trunc(d[0]!);
  if (!(depth > 0)) throw ctx.error(`depth must be positive, got ${d[0]}`, 'use depth >= 1', { depth: d[0] });
  if (shapeSize(values.shape) !== 2) throw ctx.error(`values must hold 2 elements [off, on], got shape [${values.shape}]`, 'pass values as a 2-element tensor', { shape: values.shape });
  const r = idx.shape.length + 1;
  const axis = a.axis < 0 ? a.axis + r : a.axis;
  if (axis < 0 || axis >= r) throw ctx.error(`axis ${a.axis} is out of range for output rank ${r}`, `use an axis in [-${r}, ${r - 1}]`, { axis: a.axis });
  const shape = [...idx.shape.slice(0, axis), depth, ...idx.shape.slice(axis)];
  checkRank(ctx, shape, 'output');
  return { depth, axis, shape };
}

export const OneHot: OpDef<A> = {
  type: 'OneHot', opsets: [9, 99], constInputs: [1],
  attrs: (a) => ({ axis: a.int('axis', -1) }),
  infer(ctx, a) {
    expectInputs(ctx, 3);
    if (ctx.inputs[0]!.dtype === 'string' || ctx.inputs[2]!.dtype === 'string') throw ctx.error('string tensors are not supported', 'wgml stores numbers only');
    return [{ dtype: ctx.inputs[2]!.dtype, shape: plan(ctx, a).shape }];
  },
  reference([idx, , values], a, ctx) {
    const { depth, axis, shape } = plan(ctx, a);
    const y = emptyLike(values!.dtype, shape);
    const inner = shapeSize(idx!.shape.slice(axis)), outer = shapeSize(idx!.shape.slice(0, axis));
    for (let o = 0; o < outer; o++) for (let d = 0; d < depth; d++) for (let i = 0; i < inner; i++) {
      let q = Math.trunc(idx!.data[o * inner + i]!);
      if (q < 0) q += depth;
      y.data[(o * depth + d) * inner + i] = values!.data[q === d ? 1 : 0]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const { depth, axis } = plan(ctx, a);
    const out = ctx.outputs[0]!, idx = ctx.inputs[0]!;
    const n = shapeSize(out.shape);
    if (n === 0) return { kernels: [] };
    const w = wordType(out.dtype), wi = wordType(idx.dtype);
    const inner = shapeSize(idx.shape.slice(axis));
    return { kernels: [declaredKernel({
      name: 'onehot', key: `onehot_${w}_${wi}`, sig: sig(w, wi), args: [{ input: 0 }, { input: 2 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, depth, inner: Math.max(1, inner) },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let r = i % P.inner;
  let d = (i / P.inner) % P.depth;
  let o = i / (P.inner * P.depth);
  var q = i32(I_ld(o * P.inner + r));
  if (q < 0) { q += i32(P.depth); }
  Y_st(i, V_ld(select(0u, 1u, q == i32(d))));`),
      }),
    })] };
  },
};
