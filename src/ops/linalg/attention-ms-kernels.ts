/**
 * Helper kernels of the com.microsoft attention ops (attention-ms.ts), run before the fused attention
 * kernel: the additive mask onnxruntime builds from mask_index / key_padding_mask, unidirectional and
 * attention_bias, and the input-projection bias of MultiHeadAttention added to q, k and v. Both are
 * declared kernels (gpu/signature.ts): they run under a network's shared bind group too.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { declaredKernel, dispatch1d, type KernelArg, type KernelSpec } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';

/**
 * How a mask_index / key_padding_mask reads (onnxruntime's AttentionMaskType): key lengths [B] (keys at
 * or after the end are masked), end and start positions [2B], a raw 0/1 mask [B, T] or [B, S, T].
 */
export type MsMaskKind = 'none' | 'lengths' | 'endStart' | 'raw2d' | 'raw3d';

export interface MsMaskProblem {
  B: number; S: number; T: number;
  /** Heads of the mask made: N when attention_bias varies per head, else 1. */
  Nb: number;
  kind: MsMaskKind;
  /** The node input holding mask_index, when kind ≠ 'none'. */
  maskInput: number | null;
  causal: boolean;
  filter: number;
  /** attention_bias [B|1, N|1, S, T]: its input index and batch / head strides (0 where it broadcasts). */
  bias: { input: number; sb: number; sh: number } | null;
}

const MASK_WGSL: Record<MsMaskKind, string> = {
  none: '',
  lengths: 'if (i32(j) >= MI_ld(b)) { m = P.maskFill; }',
  endStart: 'if (i32(j) >= MI_ld(b) || i32(j) < min(MI_ld(b + P.B), i32(P.T))) { m = P.maskFill; }',
  raw2d: 'if (MI_ld(b * P.T + j) <= 0) { m = P.maskFill; }',
  raw3d: 'if (MI_ld((b * P.S + i) * P.T + j) <= 0) { m = P.maskFill; }',
};

/** Writes the [B, Nb, S, T] additive mask: mask_index → filter, + filter above the diagonal when causal, + attention_bias. */
export function msMaskKernel(p: MsMaskProblem, out: KernelArg, maxPerDim: number): KernelSpec {
  const n = p.B * p.Nb * p.S * p.T;
  const buffers: BufferDecl[] = [];
  const args: KernelArg[] = [];
  if (p.kind !== 'none') { buffers.push({ name: 'MI', elem: 'i32' }); args.push({ input: p.maskInput! }); }
  if (p.bias) { buffers.push({ name: 'AB', elem: 'f32' }); args.push({ input: p.bias.input }); }
  buffers.push({ name: 'Y', elem: 'f32', writes: true });
  args.push(out);
  return declaredKernel({
    name: 'ms_attention_mask', key: `ms_attention_mask|${p.kind}|${p.causal}|${!!p.bias}`, args,
    sig: signature({ params: { n: 'u32', B: 'u32', S: 'u32', T: 'u32', Nb: 'u32', sb: 'u32', sh: 'u32', maskFill: 'f32' }, buffers }),
    params: { n, B: p.B, S: p.S, T: p.T, Nb: p.Nb, sb: p.bias?.sb ?? 0, sh: p.bias?.sh ?? 0, maskFill: p.filter },
    workgroups: dispatch1d(n, 256, maxPerDim),
    source: () => ({
      requires: [linearIndex(256)],
      body: perItemMain(256, 'idx', 'P.n', `  let j = idx % P.T; let i = (idx / P.T) % P.S; let h = (idx / (P.T * P.S)) % P.Nb; let b = idx / (P.T * P.S * P.Nb);
  var m = 0.0;
  ${MASK_WGSL[p.kind]}
  ${p.causal ? 'if (j > i) { m = m + P.maskFill; }' : ''}
  ${p.bias ? 'm = AB_ld(b * P.sb + h * P.sh + i * P.T + j) + m;' : ''}
  Y_st(idx, m);`),
    }),
  });
}

/**
 * q + bias[0:D], k + bias[D:2D], v + bias[2D:] into one scratch buffer, q then k then v, each dense as
 * given. Inputs that are one value are bound once.
 */
export function msBiasKernel(sizes: { nq: number; nk: number; nv: number; D: number; Dv: number }, ins: { q: number; k: number; v: number; bias: number }, names: readonly string[], out: KernelArg, maxPerDim: number): KernelSpec {
  const n = sizes.nq + sizes.nk + sizes.nv;
  const buffers: BufferDecl[] = [];
  const args: KernelArg[] = [];
  const slot = new Map<string, string>();
  const add = (w: string, i: number) => {
    const have = slot.get(names[i]!);
    if (have) return have;
    slot.set(names[i]!, w);
    buffers.push({ name: w, elem: 'f32' });
    args.push({ input: i });
    return w;
  };
  const q = add('Xq', ins.q), k = add('Xk', ins.k), v = add('Xv', ins.v), bias = add('Bias', ins.bias);
  buffers.push({ name: 'Y', elem: 'f32', writes: true });
  args.push(out);
  return declaredKernel({
    name: 'ms_attention_bias', key: `ms_attention_bias|${q}${k}${v}`, args,
    sig: signature({ params: { n: 'u32', nq: 'u32', nk: 'u32', D: 'u32', Dv: 'u32' }, buffers }),
    params: { n, nq: sizes.nq, nk: sizes.nk, D: sizes.D, Dv: sizes.Dv },
    workgroups: dispatch1d(n, 256, maxPerDim),
    source: () => ({
      requires: [linearIndex(256)],
      body: perItemMain(256, 'idx', 'P.n', `  if (idx < P.nq) { Y_st(idx, ${q}_ld(idx) + ${bias}_ld(idx % P.D)); return; }
  let e = idx - P.nq;
  if (e < P.nk) { Y_st(idx, ${k}_ld(e) + ${bias}_ld(P.D + e % P.D)); return; }
  let f = e - P.nk;
  Y_st(idx, ${v}_ld(f) + ${bias}_ld(2u * P.D + f % P.Dv));`),
    }),
  });
}
