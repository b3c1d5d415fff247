/** Shared by ArgMax and ArgMin: attributes, shape rule, reference and a thread-per-output kernel. */
import { signature, type Word } from '../../gpu/signature.js';
import { hostTensor, storageType, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { need, prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

export interface ArgAttrs { axis: number; keepdims: boolean; last: boolean }

// Indices are int64, stored as i32 words.
const sig = (t: Word) => signature({ params: { n: 'u32', R: 'u32', inner: 'u32' }, buffers: [{ name: 'X', elem: t }, { name: 'Y', elem: 'i32', writes: true }] });

function split(ctx: InferContext, a: ArgAttrs): { outer: number; R: number; inner: number; out: number[] } {
  const s = need(ctx, 0, 'data').shape;
  const ax = normAxis(ctx, a.axis, s.length);
  const out = s.flatMap((d, i) => (i !== ax ? [d] : a.keepdims ? [1] : []));
  return { outer: prod(s.slice(0, ax)), R: s[ax]!, inner: prod(s.slice(ax + 1)), out };
}

export function argOp(type: 'ArgMax' | 'ArgMin'): OpDef<ArgAttrs> {
  const max = type === 'ArgMax';
  return {
    type,
    attrs: (a, opset) => ({ axis: a.int('axis', 0), keepdims: a.int('keepdims', 1) === 1, last: opset >= 12 && a.int('select_last_index', 0) === 1 }),
    infer(ctx, a) {
      const { R, out } = split(ctx, a);
      if (R === 0) throw ctx.error('the reduced axis is empty', `${type} of an empty axis is undefined`);
      return [{ dtype: 'int64', shape: out }];
    },
    reference([x], a, ctx): HostTensor[] {
      const { outer, R, inner, out } = split(ctx, a);
      const y = hostTensor('int64', out);
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let r = 1; r < R; r++) {
          const v = x!.data[(o * R + r) * inner + i]!, b = x!.data[(o * R + best) * inner + i]!;
          if (max ? v > b || (a.last && v === b) : v < b || (a.last && v === b)) best = r;
        }
        y.data[o * inner + i] = best;
      }
      return [y];
    },
    gpu(ctx, a) {
      const { outer, R, inner } = split(ctx, a);
      const t = storageType(ctx.inputs[0]!.dtype);
      const cmp = `${max ? 'v > b' : 'v < b'}${a.last ? ' || v == b' : ''}`;
      const n = outer * inner;
      return { kernels: [declaredKernel({
        name: type.toLowerCase(), key: `linalg_${type}_${t}_${a.last}`, sig: sig(t), params: { n, R, inner }, args: [{ input: 0 }, { output: 0 }],
        workgroups: dispatch1d(n, 64),
        source: () => ({
          requires: [linearIndex(64)],
          body: `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let idx = linear_index(gid, nwg);
  if (idx >= P.n) { return; }
  let base = (idx / P.inner) * P.R * P.inner + idx % P.inner;
  var best = 0u; var b = X_ld(base);
  for (var r = 1u; r < P.R; r++) {
    let v = X_ld(base + r * P.inner);
    if (${cmp}) { best = r; b = v; }
  }
  Y_st(idx, i32(best));
}`,
        }),
      })] };
    },
  };
}
