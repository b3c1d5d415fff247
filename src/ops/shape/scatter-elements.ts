/**
 * ScatterElements — https://onnx.ai/onnx/operators/onnx__ScatterElements.html
 * Opset 11+; `reduction` none/add/mul from 16, max/min from 18. Output = data with updates written
 * at indices along `axis` (negative indices count from the back). Duplicate indices: updates apply
 * in index order, so `none` keeps the last one and add/mul/max/min accumulate, as the reference
 * implementation does. GPU: a copy, then one thread per line along `axis` of updates; lines write
 * disjoint outputs (they differ in a non-axis coordinate), so no atomics are needed.
 */
import { signature, type ParamField, type Word } from '../../gpu/signature.js';
import { shapeSize, type ElemType, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { checkRank, denseStrides, grid, MAX_RANK, stridedKernel, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';

export type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';
interface A { axis: number; reduction: Reduction }

/** Scatter kernels' buffers: indices (i32 words, int64 included), updates, and the output they write into. */
export const scatterSig = <T extends Record<string, ParamField>>(w: Word, params: T) => signature({
  params, buffers: [{ name: 'I', elem: 'i32' }, { name: 'U', elem: w }, { name: 'Y', elem: w, writes: true }],
});
const sig = (w: Word) => scatterSig(w, { lines: 'u32', rank: 'u32', L: 'u32', D: 'u32', uAxis: 'u32', yAxis: 'u32', shape: ['u32', MAX_RANK], ust: ['u32', MAX_RANK], yst: ['u32', MAX_RANK] });

export function parseReduction(r: string, opset: number, fail: (m: string, h: string) => Error): Reduction {
  const ok: Reduction[] = opset >= 18 ? ['none', 'add', 'mul', 'max', 'min'] : opset >= 16 ? ['none', 'add', 'mul'] : ['none'];
  if (!(ok as string[]).includes(r)) throw fail(`reduction '${r}' is not defined at opset ${opset}`, `use one of ${ok.join(', ')}`);
  return r as Reduction;
}

/** CPU combine, rounded to the word type by the caller's typed array. */
export function combineCpu(r: Reduction, old: number, v: number): number {
  switch (r) {
    case 'none': return v;
    case 'add': return old + v;
    case 'mul': return old * v;
    case 'max': return Math.max(old, v);
    case 'min': return Math.min(old, v);
  }
}

export function combineWgsl(r: Reduction, old: string, v: string): string {
  switch (r) {
    case 'none': return v;
    case 'add': return `${old} + ${v}`;
    case 'mul': return `${old} * ${v}`;
    case 'max': return `max(${old}, ${v})`;
    case 'min': return `min(${old}, ${v})`;
  }
}

export function checkScatterTypes(ctx: InferContext, data: ElemType, upd: ElemType, idx: ElemType): void {
  if (data === 'string') throw ctx.error('string tensors are not supported', 'wgml stores numbers only');
  if (upd !== data) throw ctx.error(`updates (${upd}) must have data's type ${data}`, 'insert a Cast on updates', { data, updates: upd });
  if (idx !== 'int64' && idx !== 'int32') throw ctx.error(`indices must be int32/int64, got ${idx}`, 'cast the indices to int64', { dtype: idx });
}

function check(ctx: InferContext, a: A): number {
  const [x, idx, upd] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.inputs[2]!];
  checkScatterTypes(ctx, x.dtype, upd.dtype, idx.dtype);
  if (idx.shape.join() !== upd.shape.join()) throw ctx.error(`indices [${idx.shape}] and updates [${upd.shape}] must have one shape`, 'see the ScatterElements spec', { indices: idx.shape, updates: upd.shape });
  if (idx.shape.length !== x.shape.length) throw ctx.error(`indices have rank ${idx.shape.length}, data rank ${x.shape.length}`, 'indices, updates and data share one rank');
  checkRank(ctx, x.shape, 'data');
  const axis = normAxis(ctx, a.axis, x.shape.length);
  idx.shape.forEach((d, i) => { if (i !== axis && d > x.shape[i]!) throw ctx.error(`indices dim ${i} (${d}) exceeds data's (${x.shape[i]})`, 'updates must fit inside data off the axis', { indices: idx.shape, data: x.shape }); });
  return axis;
}

export const ScatterElements: OpDef<A> = {
  type: 'ScatterElements', opsets: [11, 99],
  attrs: (a, opset) => ({ axis: a.int('axis', 0), reduction: parseReduction(a.string('reduction', 'none'), opset, (m, h) => a.error(m, h)) }),
  infer(ctx, a) {
    expectInputs(ctx, 3);
    check(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [...ctx.inputs[0]!.shape] }];
  },
  reference([x, idx, upd], a, ctx) {
    const axis = check(ctx, a);
    const y = { dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() as HostTensor["data"] };
    const xs = denseStrides(x!.shape), us = upd!.shape;
    for (let i = 0; i < upd!.data.length; i++) {
      let rem = i, off = 0;
      for (let d = us.length - 1; d >= 0; d--) {
        const c = rem % us[d]!; rem = Math.floor(rem / us[d]!);
        if (d === axis) {
          let q = idx!.data[i]!;
          if (q < 0) q += x!.shape[axis]!;
          if (q < 0 || q >= x!.shape[axis]!) throw ctx.error(`index ${idx!.data[i]} out of range for axis of size ${x!.shape[axis]}`, 'indices must lie in [-d, d-1]');
          off += q * xs[d]!;
        } else off += c * xs[d]!;
      }
      y.data[off] = combineCpu(a.reduction, y.data[off]!, upd!.data[i]!);
    }
    return [y];
  },
  gpu(ctx, a) {
    const axis = check(ctx, a);
    const x = ctx.inputs[0]!, upd = ctx.inputs[2]!;
    const w = wordType(x.dtype);
    const kernels = shapeSize(x.shape) ? [stridedKernel(ctx, 'scatterelements_copy', 0, 0, x.dtype, x.shape, denseStrides(x.shape))] : [];
    const L = upd.shape[axis]!, lines = shapeSize(upd.shape) / Math.max(1, L);
    if (!lines || !L) return { kernels };
    const lineShape = upd.shape.map((d, i) => (i === axis ? 1 : d));
    kernels.push(declaredKernel({
      name: 'scatterelements', key: `scatterelements_${w}_${a.reduction}`, sig: sig(w), args: [{ input: 1 }, { input: 2 }, { output: 0 }], workgroups: grid(ctx, lines),
      params: { lines, rank: x.shape.length, L, D: x.shape[axis]!, uAxis: denseStrides(upd.shape)[axis]!, yAxis: denseStrides(x.shape)[axis]!,
        shape: lineShape, ust: denseStrides(upd.shape), yst: denseStrides(x.shape) },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 't', 'P.lines', `  var rem = t;
  var uo = 0u;
  var yo = 0u;
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let n = P_shape(u32(d));
    let c = rem % n;
    rem = rem / n;
    uo += c * P_ust(u32(d));
    yo += c * P_yst(u32(d));
  }
  for (var j = 0u; j < P.L; j++) {
    let k = uo + j * P.uAxis;
    var q = I_ld(k);
    if (q < 0) { q += i32(P.D); }
    if (q < 0 || q >= i32(P.D)) { continue; }
    let o = yo + u32(q) * P.yAxis;
    Y_st(o, ${combineWgsl(a.reduction, 'Y_ld(o)', 'U_ld(k)')});
  }`),
      }),
    }));
    return { kernels };
  },
};
