/**
 * Pad — https://onnx.ai/onnx/operators/onnx__Pad.html
 * Opsets 2–10: `pads`/`value` attributes (Pad-1's `paddings` is renamed to `pads` at import, onnx/legacy.ts); 11+: pads (input 1) and constant_value (optional input 2)
 * as compile-time constants; 18 adds `axes` (input 3). Modes constant, reflect, edge, wrap (19).
 * Negative pads crop. Output coordinate c reads input c − begin, folded back by the mode.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type InferContext, type KernelContext, type KernelSpec, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { checkRank, denseStrides, gatherRef, grid, optConstInts, constInts, MAX_RANK, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';

const MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
interface A { mode: number; pads: number[]; value: number }

const sig = (w: Word) => signature({
  params: { n: 'u32', rank: 'u32', mode: 'u32', value: w, out_shape: ['u32', MAX_RANK], in_shape: ['i32', MAX_RANK], begin: ['i32', MAX_RANK], strides: ['u32', MAX_RANK] },
  buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }],
});

function params(ctx: InferContext, a: A): { begin: number[]; end: number[]; value: number } {
  const x = ctx.inputs[0]!, r = x.shape.length;
  let pads = a.pads, value = a.value;
  let axes = [...Array(r).keys()];
  if (ctx.opset >= 11) {
    pads = constInts(ctx, 1, 'pads');
    value = optConstInts(ctx, 2, 'constant_value')?.[0] ?? 0;
    const ax = optConstInts(ctx, 3, 'axes');
    if (ax) axes = ax.map((v) => normAxis(ctx, v, r, 'pad axis'));
  }
  if (pads.length !== 2 * axes.length) throw ctx.error(`pads has ${pads.length} entries for ${axes.length} axes`, 'give a begin and an end pad per axis', { pads });
  const begin = Array(r).fill(0), end = Array(r).fill(0);
  axes.forEach((k, i) => { begin[k] = pads[i]!; end[k] = pads[i + axes.length]!; });
  return { begin, end, value };
}

function srcIndex(s: number, d: number, mode: number): number | null {
  if (s >= 0 && s < d) return s;
  switch (MODES[mode]) {
    case 'constant': return null;
    case 'edge': return Math.min(Math.max(s, 0), d - 1);
    case 'wrap': return ((s % d) + d) % d;
    default: {
      if (d === 1) return 0;
      const p = 2 * (d - 1);
      const m = ((s % p) + p) % p;
      return m < d ? m : p - m;
    }
  }
}

export const Pad: OpDef<A> = {
  type: 'Pad', constInputs: [1, 2, 3],
  attrs(a, opset) {
    const mode = MODES.indexOf(a.string('mode', 'constant') as typeof MODES[number]);
    if (mode < 0) throw a.error(`unknown mode '${a.string('mode')}'`, `use one of ${MODES.join(', ')}`);
    return { mode, pads: opset < 11 ? a.ints('pads') : [], value: opset < 11 ? a.float('value', 0) : 0 };
  },
  infer(ctx, a) {
    const x = ctx.inputs[0]!;
    checkRank(ctx, x.shape);
    const { begin, end } = params(ctx, a);
    const shape = x.shape.map((d, k) => d + begin[k]! + end[k]!);
    if (shape.some((d) => d < 0)) throw ctx.error(`pads crop [${x.shape.join(', ')}] below zero`, 'check the negative pads', { begin, end });
    if (a.mode !== 0 && x.shape.some((d, k) => d === 0 && shape[k]! > 0)) throw ctx.error(`mode ${MODES[a.mode]} cannot pad an empty axis`, 'use constant mode');
    return [{ dtype: x.dtype, shape }];
  },
  reference([x], a, ctx) {
    const { begin, end, value } = params(ctx, a);
    const shape = x!.shape.map((d, k) => d + begin[k]! + end[k]!);
    return [gatherRef(x!, shape, (c) => {
      const s: number[] = [];
      for (let k = 0; k < c.length; k++) { const v = srcIndex(c[k]! - begin[k]!, x!.shape[k]!, a.mode); if (v === null) return null; s.push(v); }
      return s;
    }, value)];
  },
  gpu(ctx, a) {
    const { begin, value } = params(ctx, a);
    return { kernels: [padKernel(ctx, begin, a.mode, value)] };
  },
};

/**
 * Input 0 placed at `begin` (per axis; negative crops) in output 0's shape, the rest filled by `mode`
 * (0 constant `value`, 1 reflect, 2 edge, 3 wrap). Also CenterCropPad's kernel.
 */
export function padKernel(ctx: KernelContext, begin: readonly number[], mode: number, value: number): KernelSpec {
  const x = ctx.inputs[0]!, out = ctx.outputs[0]!.shape;
  const w = wordType(x.dtype);
  const n = shapeSize(out);
  return declaredKernel({
    name: `pad_${MODES[mode]}`, key: `pad_${w}`, sig: sig(w), args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n),
    params: { n, rank: out.length, mode, value, out_shape: out.map((d) => Math.max(1, d)), in_shape: x.shape, begin: [...begin], strides: denseStrides(x.shape) },
    source: () => ({
      requires: [linearIndex(WG)],
      body: perItemMain(WG, 'i', 'P.n', `  var rem = i;
  var src = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let e = P_out_shape(u32(k));
    let d = P_in_shape(u32(k));
    var s = i32(rem % e) - P_begin(u32(k));
    rem = rem / e;
    if (s < 0 || s >= d) {
      if (P.mode == 0u) { Y_st(i, P.value); return; }
      if (P.mode == 2u) { s = clamp(s, 0, d - 1); }
      else if (P.mode == 3u) { s = ((s % d) + d) % d; }
      else if (d == 1) { s = 0; }
      else { let p = 2 * (d - 1); let m = ((s % p) + p) % p; s = select(p - m, m, m < d); }
    }
    src += u32(s) * P_strides(u32(k));
  }
  Y_st(i, X_ld(src));`),
    }),
  });
}
