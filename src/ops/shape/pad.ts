/**
 * Pad — https://onnx.ai/onnx/operators/onnx__Pad.html
 * Opsets 2–10: `pads`/`value` attributes; 11+: pads (input 1) and constant_value (optional input 2)
 * as compile-time constants; 18 adds `axes` (input 3). Modes constant, reflect, edge, wrap (19).
 * Negative pads crop. Output coordinate c reads input c − begin, folded back by the mode.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { shapeSize } from '../../ir/types.js';
import { UniformWriter, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { checkRank, denseStrides, gatherRef, grid, normAxis, optConstInts, constInts, WG, wordType } from './common.js';

const MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;
interface A { mode: number; pads: number[]; value: number }

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
  type: 'Pad', opsets: [2, 99], constInputs: [1, 2, 3],
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
    const x = ctx.inputs[0]!, out = ctx.outputs[0]!.shape;
    const { begin, value } = params(ctx, a);
    const w = wordType(x.dtype);
    const n = shapeSize(out);
    const u = new UniformWriter().u32(n, out.length, a.mode);
    if (w === 'f32') u.f32(value); else if (w === 'i32') u.i32(value); else u.u32(value);
    u.u32Array(out.map((d) => Math.max(1, d)), 2).i32Array(x.shape, 2).i32Array(begin, 2).u32Array(denseStrides(x.shape), 2);
    return { kernels: [{
      name: `pad_${MODES[a.mode]}`, key: `pad_${w}`, args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n), uniforms: u.finish(),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: `array<${w}>` }, { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
        requires: [linearIndex(WG)],
        body: `struct Params { n: u32, rank: u32, mode: u32, value: ${w}, out_shape: array<vec4<u32>, 2>, in_shape: array<vec4<i32>, 2>, begin: array<vec4<i32>, 2>, strides: array<vec4<u32>, 2> }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  var rem = i;
  var src = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let e = P.out_shape[k >> 2u][k & 3];
    let d = P.in_shape[k >> 2u][k & 3];
    var s = i32(rem % e) - P.begin[k >> 2u][k & 3];
    rem = rem / e;
    if (s < 0 || s >= d) {
      if (P.mode == 0u) { Y[i] = P.value; return; }
      if (P.mode == 2u) { s = clamp(s, 0, d - 1); }
      else if (P.mode == 3u) { s = ((s % d) + d) % d; }
      else if (d == 1) { s = 0; }
      else { let p = 2 * (d - 1); let m = ((s % p) + p) % p; s = select(p - m, m, m < d); }
    }
    src += u32(s) * P.strides[k >> 2u][k & 3];
  }
  Y[i] = X[src];
}`,
      }),
    }] };
  },
};
