/**
 * Ops whose output size depends on the values they read: NonZero (https://onnx.ai/onnx/operators/onnx__NonZero.html,
 * opsets 9, 13) and Compress (https://onnx.ai/onnx/operators/onnx__Compress.html, opsets 9, 11). wgml plans every
 * shape before the first dispatch, so they run only where those values are compile-time constants (initializers,
 * folded shape arithmetic, a fixed `inputValues`), folded at specialization by their CPU reference. Otherwise they are
 * refused with the reason and what to use instead. No GPU kernel: the folded value is a constant.
 */
import { hostTensor, shapeSize, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { RuntimeValueError } from '../../errors.js';

/** Input i's value, or a refusal saying the output's size would depend on run-time values. */
function known(ctx: InferContext, i: number, instead: string): HostTensor {
  const c = ctx.constant(i);
  if (!c) throw new RuntimeValueError(ctx.node, `its output size depends on the values of input ${i} ('${ctx.node.inputs[i]}'), known only at run time`, instead);
  return c;
}

const nonZeroAt = (x: HostTensor): number[] => { const at: number[] = []; x.data.forEach((v, i) => { if (v !== 0) at.push(i); }); return at; };

export const NonZero: OpDef<Record<string, never>> = {
  type: 'NonZero', opsets: [9, 99],
  attrs: () => ({}),
  infer(ctx) {
    const x = known(ctx, 0, 'use a mask (Where, Mul) of static shape instead of the indices it lists');
    if (!x.shape.length) throw ctx.error('X is a scalar', 'NonZero lists the indices of a tensor of rank 1 or more');
    return [{ dtype: 'int64', shape: [x.shape.length, nonZeroAt(x).length] }];
  },
  reference([x]) {
    const at = nonZeroAt(x!), r = x!.shape.length, y = hostTensor('int64', [r, at.length]);
    at.forEach((flat, k) => {
      for (let d = r - 1, rem = flat; d >= 0; d--) { y.data[d * at.length + k] = rem % x!.shape[d]!; rem = Math.floor(rem / x!.shape[d]!); }
    });
    return [y];
  },
};

interface CompressA { axis: number | null }

/**
 * Where Compress's condition `c` is true, within the selected dimension's extent (a shorter condition selects
 * fewer), and the output's shape.
 */
function selected(ctx: InferContext, a: CompressA, x: HostTensor, c: HostTensor): { axis: number | null; keep: number[]; shape: number[] } {
  if (c.shape.length !== 1) throw ctx.error(`condition has shape [${c.shape.join(', ')}]`, 'condition is 1-D');
  let axis = a.axis;
  if (axis !== null) {
    const r = x.shape.length;
    if (axis < -r || axis >= r) throw ctx.error(`axis ${axis} is outside rank ${r}`, `give an axis in [${-r}, ${r - 1}]`);
    if (axis < 0) axis += r;
  }
  const extent = axis === null ? shapeSize(x.shape) : x.shape[axis]!;
  const keep: number[] = [];
  for (let i = 0; i < Math.min(extent, c.data.length); i++) if (c.data[i]) keep.push(i);
  return { axis, keep, shape: axis === null ? [keep.length] : x.shape.map((d, k) => (k === axis ? keep.length : d)) };
}

export const Compress: OpDef<CompressA> = {
  type: 'Compress', opsets: [9, 99],
  attrs: (a) => ({ axis: a.has('axis') ? a.int('axis', 0) : null }),
  infer(ctx, a) {
    const c = known(ctx, 1, 'use a mask (Where, Mul) of static shape, or a Gather with constant indices');
    const x = ctx.constant(0);
    // a constant condition fixes the shape, but wgml has no kernel that selects from a run-time input: say so
    if (!x) throw new RuntimeValueError(ctx.node, `input 0 ('${ctx.node.inputs[0]}') is known only at run time, and wgml folds Compress on constants only`, 'with a constant condition, a Gather of the kept indices (a constant) does the same on the GPU');
    return [{ dtype: x.dtype, shape: selected(ctx, a, x, c).shape }];
  },
  reference([x, c], a, ctx) {
    const { axis, keep, shape } = selected(ctx, a, x!, c!);
    const y = hostTensor(x!.dtype, shape);
    if (axis === null) { keep.forEach((i, j) => { y.data[j] = x!.data[i]!; }); return [y]; }
    const outer = shapeSize(x!.shape.slice(0, axis)), inner = shapeSize(x!.shape.slice(axis + 1)), d = x!.shape[axis]!;
    for (let o = 0; o < outer; o++) keep.forEach((i, j) => { for (let q = 0; q < inner; q++) y.data[(o * keep.length + j) * inner + q] = x!.data[(o * d + i) * inner + q]!; });
    return [y];
  },
};
