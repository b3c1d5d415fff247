/**
 * Microsoft's attention contrib ops, as onnxruntime-optimized models carry them:
 * - com.microsoft.Attention (https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.Attention):
 *   input [B, S, E] × packed weights [E, Dq+Dk+Dv] (+ bias) → q, k, v split into num_heads heads;
 * - com.microsoft.MultiHeadAttention (…#com.microsoft.MultiHeadAttention): projected query [B, S, D],
 *   key/value [B, L, D] (+ bias), or packed QKV [B, S, N, 3, H], packed KV [B, L, N, 2, H], or key/value
 *   already in [B, N, L, H].
 * Both: scores = scale·Q·Kᵀ + mask + attention_bias [B|1, N|1, S, T], where the mask is onnxruntime's:
 * mask_filter_value (default −10000) at keys that mask_index / key_padding_mask masks ([B] key lengths,
 * [2B] end and start positions, [B, T] or [B, S, T] 0/1), plus mask_filter_value above the diagonal when
 * unidirectional and S > 1. Output [B, S, N·Hv]. GPU: the projection GEMM (Attention) or the bias add
 * (MultiHeadAttention), the mask kernel when there is a mask, then the fused attention kernel reading
 * q/k/v through strides and writing [B, S, N·Hv] directly. past/present state, rotary embeddings,
 * 4-D Megatron masks and the qk output are refused with a reason.
 */
import type { Attrs } from '../../ir/attrs.js';
import { fmtShape, hostTensor, isFloat, type HostTensor, type ValueType } from '../../ir/types.js';
import type { GpuPlan, InferContext, KernelArg, KernelContext, OpDef } from '../types.js';
import { attentionConfig, attentionKernel, type OperandBinding, type OperandLayout } from './attention-kernel.js';
import { msBiasKernel, msMaskKernel, type MsMaskKind } from './attention-ms-kernels.js';
import { denseView, expandView } from '../../ir/view.js';
import { gemmProblem } from './gemm-layout.js';
import { gemmPlan } from './matmul-kernel.js';
import { need, wantsOutput } from './util.js';

interface MsAttrs { heads: number; causal: boolean; filter: number; scale: number; qkvSizes: number[] | null; rotary: boolean }

function msAttrs(a: Attrs): MsAttrs {
  const heads = a.int('num_heads');
  if (heads < 1) throw a.error(`num_heads ${heads} must be ≥ 1`, 'fix the model');
  return {
    heads, causal: a.int('unidirectional', 0) !== 0, filter: a.float('mask_filter_value', -10000),
    scale: a.float('scale', 0), qkvSizes: a.has('qkv_hidden_sizes') ? a.ints('qkv_hidden_sizes') : null, rotary: a.int('do_rotary', 0) !== 0,
  };
}

/** One head-split operand: element (b, h, s, d) at offset + b·sb + h·sh + s·ss + d. */
interface Operand { offset: number; sb: number; sh: number; ss: number; len: number; hs: number }

interface MsPlan {
  B: number; S: number; T: number; N: number; Hq: number; Hv: number;
  q: Operand; k: Operand; v: Operand;
  mask: { kind: MsMaskKind; input: number } | null;
  bias: { input: number; sb: number; sh: number } | null;
}

const dense = (B: number, L: number, N: number, H: number, offset = 0, row = N * H): Operand => ({ offset, sb: L * row, sh: H, ss: row, len: L, hs: H });

function maskKind(ctx: InferContext, i: number, B: number, S: number, T: number): { kind: MsMaskKind; input: number } | null {
  const m = ctx.inputs[i];
  if (!m) return null;
  if (m.dtype !== 'int32') throw ctx.error(`mask ${fmtShape(m.shape)} is ${m.dtype}; it must be int32`, 'convert the mask to int32');
  const s = m.shape;
  if (s.length === 1 && s[0] === B) return { kind: 'lengths', input: i };
  if (s.length === 1 && s[0] === 2 * B) return { kind: 'endStart', input: i };
  // [1, 1] and [B, 1] are onnxruntime's dummy masks: no mask
  if (s.length === 2 && s[1] === 1 && T > 1 && (s[0] === 1 || s[0] === B)) return null;
  if (s.length === 2 && s[0] === B && s[1] === T) return { kind: 'raw2d', input: i };
  if (s.length === 3 && s[0] === B && s[1] === S && s[2] === T) return { kind: 'raw3d', input: i };
  throw ctx.error(`mask ${fmtShape(s)} is none of the supported forms [${B}], [${2 * B}], [${B}, ${T}], [${B}, ${S}, ${T}]`, '4-D Megatron masks and [3B+2] masks are not supported; give a [B, T] 0/1 mask');
}

function attnBias(ctx: InferContext, i: number, B: number, N: number, S: number, T: number): MsPlan['bias'] {
  const t = ctx.inputs[i];
  if (!t) return null;
  const s = t.shape;
  if (s.length !== 4 || (s[0] !== 1 && s[0] !== B) || (s[1] !== 1 && s[1] !== N) || s[2] !== S || s[3] !== T)
    throw ctx.error(`attention_bias ${fmtShape(s)} is not [${B} or 1, ${N} or 1, ${S}, ${T}]`, 'give attention_bias of that shape');
  return { input: i, sb: s[0] === 1 ? 0 : s[1]! * S * T, sh: s[1] === 1 ? 0 : S * T };
}

function refuseState(ctx: InferContext, a: MsAttrs, stateInputs: number[], stateOutputs: number[]): void {
  if (a.rotary) throw ctx.error('do_rotary is not supported', 'apply rotary embeddings before the op');
  for (const i of stateInputs) if (ctx.inputs[i]) throw ctx.error(`input ${i} (past state) is not supported`, 'wgml runs attention without a KV cache; export without past inputs');
  for (const o of stateOutputs) if (wantsOutput(ctx, o)) throw ctx.error(`output ${o} (present state / qk) is not supported`, 'export without present outputs');
}

function attentionPlan(ctx: InferContext, a: MsAttrs): MsPlan {
  refuseState(ctx, a, [4, 6], [1]);
  const x = need(ctx, 0, 'input'), w = need(ctx, 1, 'weights');
  if (x.shape.length !== 3 || w.shape.length !== 2 || w.shape[0] !== x.shape[2]) throw ctx.error(`input ${fmtShape(x.shape)} and weights ${fmtShape(w.shape)} are not [B, S, E] and [E, 3·D]`, 'check the model');
  const [B, S] = x.shape as [number, number];
  const total = w.shape[1]!;
  const [Dq, Dk, Dv] = a.qkvSizes ?? [total / 3, total / 3, total / 3];
  if (Dq! + Dk! + Dv! !== total || Dq !== Dk || Dq! % a.heads || Dv! % a.heads) throw ctx.error(`q/k/v hidden sizes ${[Dq, Dk, Dv].join(', ')} do not split weights ${fmtShape(w.shape)} into ${a.heads} heads`, 'check qkv_hidden_sizes and num_heads');
  const bias = ctx.inputs[2];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== total)) throw ctx.error(`bias ${fmtShape(bias.shape)} is not [${total}]`, 'check the model');
  const N = a.heads, Hq = Dq! / N, Hv = Dv! / N;
  return {
    B, S, T: S, N, Hq, Hv,
    q: dense(B, S, N, Hq, 0, total), k: dense(B, S, N, Hq, Dq!, total), v: dense(B, S, N, Hv, Dq! + Dk!, total),
    mask: maskKind(ctx, 3, B, S, S), bias: attnBias(ctx, 5, B, N, S, S),
  };
}

function mhaPlan(ctx: InferContext, a: MsAttrs): MsPlan {
  refuseState(ctx, a, [6, 7, 9], [1, 2, 3]);
  const q = need(ctx, 0, 'query'), k = ctx.inputs[1], v = ctx.inputs[2];
  const N = a.heads;
  const bad = () => ctx.error(`query ${fmtShape(q.shape)}, key ${k ? fmtShape(k.shape) : '-'}, value ${v ? fmtShape(v.shape) : '-'} are none of the supported layouts`, 'give [B, S, D] query with [B, L, D] key/value, packed [B, S, N, 3, H] QKV, packed [B, L, N, 2, H] KV, or [B, N, L, H] key/value');
  let p: Pick<MsPlan, 'B' | 'S' | 'T' | 'Hq' | 'Hv' | 'q' | 'k' | 'v'>;
  if (q.shape.length === 5) {
    const [B, S, n, three, H] = q.shape as [number, number, number, number, number];
    if (k || v || n !== N || three !== 3) throw bad();
    const row = 3 * N * H;
    const op = (w: number): Operand => ({ offset: w * H, sb: S * row, sh: 3 * H, ss: row, len: S, hs: H });
    p = { B, S, T: S, Hq: H, Hv: H, q: op(0), k: op(1), v: op(2) };
  } else {
    if (q.shape.length !== 3 || !k || q.shape[2]! % N) throw bad();
    const [B, S, D] = q.shape as [number, number, number];
    const H = D / N;
    if (k.shape.length === 5) {
      const [kb, L, n, two, kh] = k.shape as [number, number, number, number, number];
      if (v || kb !== B || n !== N || two !== 2 || kh !== H) throw bad();
      const row = 2 * N * H;
      const op = (w: number): Operand => ({ offset: w * H, sb: L * row, sh: 2 * H, ss: row, len: L, hs: H });
      p = { B, S, T: L, Hq: H, Hv: H, q: dense(B, S, N, H), k: op(0), v: op(1) };
    } else if (k.shape.length === 4 && v && v.shape.length === 4) {
      const [kb, kn, L, kh] = k.shape as [number, number, number, number];
      const [vb, vn, vl, vh] = v.shape as [number, number, number, number];
      if (kb !== B || kn !== N || kh !== H || vb !== B || vn !== N || vl !== L) throw bad();
      const bnsh = (Lx: number, Hx: number): Operand => ({ offset: 0, sb: N * Lx * Hx, sh: Lx * Hx, ss: Hx, len: Lx, hs: Hx });
      p = { B, S, T: L, Hq: H, Hv: vh, q: dense(B, S, N, H), k: bnsh(L, H), v: bnsh(L, vh) };
    } else if (k.shape.length === 3 && v && v.shape.length === 3) {
      const L = k.shape[1]!;
      if (k.shape[0] !== B || k.shape[2] !== D || v.shape[0] !== B || v.shape[1] !== L || v.shape[2]! % N) throw bad();
      p = { B, S, T: L, Hq: H, Hv: v.shape[2]! / N, q: dense(B, S, N, H), k: dense(B, L, N, H), v: dense(B, L, N, v.shape[2]! / N) };
    } else throw bad();
  }
  const bias = ctx.inputs[3];
  if (bias && !(q.shape.length === 3 && k?.shape.length === 3 && bias.shape.length === 1 && bias.shape[0] === 2 * q.shape[2]! + v!.shape[2]!))
    throw ctx.error(`bias ${fmtShape(bias.shape)} needs [B, S, D] query, key and value and shape [2·D + Dv]`, 'add the bias before the op for packed or [B, N, L, H] inputs');
  return { ...p, N, mask: maskKind(ctx, 4, p.B, p.S, p.T), bias: attnBias(ctx, 5, p.B, N, p.S, p.T) };
}

/** Mask and attention_bias as onnxruntime adds them to each score. */
function maskValue(m: MsPlan, a: MsAttrs, mi: HostTensor | null, ab: HostTensor | null, b: number, h: number, i: number, j: number): number | null {
  const f = Math.fround;
  let x = 0;
  const d = mi?.data;
  if (m.mask && d) {
    const masked = m.mask.kind === 'lengths' ? j >= d[b]! : m.mask.kind === 'endStart' ? j >= d[b]! || j < Math.min(d[b + m.B]!, m.T)
      : m.mask.kind === 'raw2d' ? d[b * m.T + j]! <= 0 : d[(b * m.S + i) * m.T + j]! <= 0;
    if (masked) x = f(a.filter);
  }
  const causal = a.causal && m.S > 1;
  if (causal && j > i) x = f(x + a.filter);
  if (ab && m.bias) return f(ab.data[b * m.bias.sb + h * m.bias.sh + i * m.T + j]! + x);
  return m.mask || causal ? x : null;
}

/** Plain attention over head-split operands read from flat arrays. */
function reference(m: MsPlan, a: MsAttrs, src: { q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> }, mi: HostTensor | null, ab: HostTensor | null, dtype: ValueType['dtype']): HostTensor {
  const { B, S, T, N, Hq, Hv } = m;
  const scale = a.scale || 1 / Math.sqrt(Hq);
  const y = hostTensor(dtype, [B, S, N * Hv]);
  const at = (o: Operand, b: number, h: number, s: number) => o.offset + b * o.sb + h * o.sh + s * o.ss;
  const sc = new Float64Array(T);
  for (let b = 0; b < B; b++) for (let h = 0; h < N; h++) for (let i = 0; i < S; i++) {
    let mx = -Infinity;
    for (let j = 0; j < T; j++) {
      let dot = 0;
      const qo = at(m.q, b, h, i), ko = at(m.k, b, h, j);
      for (let d = 0; d < Hq; d++) dot += src.q[qo + d]! * src.k[ko + d]!;
      const add = maskValue(m, a, mi, ab, b, h, i, j);
      sc[j] = Math.fround(Math.fround(scale * dot) + (add ?? 0));
      mx = Math.max(mx, sc[j]!);
    }
    let sum = 0;
    for (let j = 0; j < T; j++) { sc[j] = Math.exp(sc[j]! - mx); sum += sc[j]!; }
    for (let d = 0; d < Hv; d++) {
      let acc = 0;
      for (let j = 0; j < T; j++) acc += (sc[j]! / sum) * src.v[at(m.v, b, h, j) + d]!;
      y.data[(b * S + i) * N * Hv + h * Hv + d] = acc;
    }
  }
  return y;
}

/** The mask kernel (when there is one) and the attention kernel reading q/k/v from `src`. */
function attentionKernels(ctx: KernelContext, m: MsPlan, a: MsAttrs, src: { q: OperandBinding; k: OperandBinding; v: OperandBinding }, maskScratch: number): GpuPlan | string {
  const causal = a.causal && m.S > 1;
  const hasMask = !!m.mask || causal || !!m.bias;
  const Nb = m.bias && m.bias.sh ? m.N : 1;
  const kernels = [];
  if (hasMask) kernels.push(msMaskKernel({ B: m.B, S: m.S, T: m.T, Nb, kind: m.mask?.kind ?? 'none', maskInput: m.mask?.input ?? null, causal, filter: a.filter, bias: m.bias }, { scratch: maskScratch }, ctx.caps.maxComputeWorkgroupsPerDimension));
  const lay = (o: Operand): OperandLayout => ({ batch: [o.sb, o.sh], s: o.ss, d: 1, offset: o.offset });
  const shape = { batch: [m.B, m.N], Sq: m.S, D: m.Hq, Dv: m.Hv };
  const c = attentionConfig(shape, ctx.caps.maxComputeWorkgroupStorageSize, ctx.caps.maxComputeInvocationsPerWorkgroup);
  if (typeof c === 'string') return c;
  const k = attentionKernel({
    batch: [m.B, m.N], Sq: m.S, Sk: m.T, D: m.Hq, Dv: m.Hv,
    q: lay(m.q), k: lay(m.k), v: lay(m.v), out: { batch: [m.S * m.N * m.Hv, m.Hv], s: m.N * m.Hv, d: 1, offset: 0 },
    mask: hasMask ? { batch: [Nb * m.S * m.T, Nb > 1 ? m.S * m.T : 0], s: m.T, d: 1, offset: 0 } : null,
    maskMode: hasMask ? 'add' : 'none', maskType: 'f32', scale: a.scale || 1 / Math.sqrt(m.Hq), fill: 0,
    causal: false, causalOffset: 0, causalFill: -Infinity,
  }, c, { ...src, mask: hasMask ? { arg: { scratch: maskScratch }, key: '#mask' } : null, out: { output: 0 } }, ctx.caps.maxComputeWorkgroupsPerDimension);
  if (typeof k === 'string') return k;
  kernels.push(k);
  return { kernels, scratch: hasMask ? [Nb * m.B * m.S * m.T * 4] : [] };
}

function floatInputs(ctx: InferContext, idx: number[]): void {
  for (const i of idx) { const t = ctx.inputs[i]; if (t && !isFloat(t.dtype)) throw ctx.error(`input ${i} is ${t.dtype}; it must be float`, 'cast it to float'); }
}

export const MsAttention: OpDef<MsAttrs> = {
  type: 'Attention', domain: 'com.microsoft',
  attrs: (a) => msAttrs(a),
  infer(ctx, a) {
    floatInputs(ctx, [0, 1, 2, 5]);
    const m = attentionPlan(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [m.B, m.S, m.N * m.Hv] }];
  },
  reference(inputs, a, ctx) {
    const m = attentionPlan(ctx, a);
    const [x, w, bias] = inputs as [HostTensor, HostTensor, HostTensor | null];
    const E = x.shape[2]!, C = w.shape[1]!, rows = m.B * m.S;
    const qkv = new Float32Array(rows * C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += x.data[r * E + e]! * w.data[e * C + c]!;
      qkv[r * C + c] = s + (bias ? bias.data[c]! : 0);
    }
    return [reference(m, a, { q: qkv, k: qkv, v: qkv }, inputs[3] ?? null, inputs[5] ?? null, x.dtype)];
  },
  gpu(ctx, a) {
    const m = attentionPlan(ctx, a);
    const E = ctx.inputs[0]!.shape[2]!, C = ctx.inputs[1]!.shape[1]!, rows = m.B * m.S;
    const bias = ctx.inputs[2];
    // scratch 0: the projection [B·S, Dq+Dk+Dv], the layout the head-split strides read; 1: the mask
    const qkv: OperandBinding = { arg: { scratch: 0 }, key: '#qkv' };
    const rest = attentionKernels(ctx, m, a, { q: qkv, k: qkv, v: qkv }, 1);
    if (typeof rest === 'string') return rest;
    const mine = 1 + (rest.scratch?.length ?? 0);
    const proj = gemmPlan(gemmProblem(denseView([rows, E]), denseView([E, C]), denseView([rows, C]), bias ? [expandView(denseView([C]), [rows, C])!] : []), {
      a: 0, b: 1, ext: bias ? [{ input: 2, dtype: bias.dtype }] : [], hasC: !!bias, alpha: 1, beta: 1, epilogue: null,
    }, ctx.caps, 'ms_attention_qkv', null, null, ctx.splitKPairs === 'all');
    if (typeof proj === 'string') return proj;
    // the GEMM writes scratch 0 instead of the node's output; its own scratch (split-K partials) follows ours
    const moved = proj.kernels.map((k) => ({ ...k, args: k.args.map((x): KernelArg => ('output' in x ? { scratch: 0 } : 'scratch' in x ? { scratch: mine + x.scratch } : x)) }));
    return { kernels: [...moved, ...rest.kernels], scratch: [rows * C * 4, ...(rest.scratch ?? []), ...(proj.scratch ?? [])] };
  },
};

export const MsMultiHeadAttention: OpDef<MsAttrs> = {
  type: 'MultiHeadAttention', domain: 'com.microsoft', sharedInputs: true,
  attrs: (a) => msAttrs(a),
  infer(ctx, a) {
    floatInputs(ctx, [0, 1, 2, 3, 5]);
    const m = mhaPlan(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [m.B, m.S, m.N * m.Hv] }];
  },
  reference(inputs, a, ctx) {
    const m = mhaPlan(ctx, a);
    const [q, k, v, bias] = inputs as [HostTensor, HostTensor | null, HostTensor | null, HostTensor | null];
    const kk = k ?? q, vv = v ?? k ?? q;
    const D = q.shape[q.shape.length - 1]!;
    const plus = (t: HostTensor, off: number, width: number) => (bias ? Float32Array.from(t.data, (x, i) => x + bias.data[off + (i % width)]!) : t.data);
    return [reference(m, a, { q: plus(q, 0, D), k: plus(kk, D, D), v: plus(vv, 2 * D, vv.shape[vv.shape.length - 1]!) }, inputs[4] ?? null, inputs[5] ?? null, q.dtype)];
  },
  gpu(ctx, a) {
    const m = mhaPlan(ctx, a);
    const names = ctx.node.inputs;
    const q = 0, k = ctx.inputs[1] ? 1 : 0, v = ctx.inputs[2] ? 2 : k;
    if (!ctx.inputs[3]) {
      const op = (i: number): OperandBinding => ({ arg: { input: i }, key: names[i]! });
      return attentionKernels(ctx, m, a, { q: op(q), k: op(k), v: op(v) }, 0);
    }
    // q, k, v + bias into scratch 0, one after the other (dense [B, S, D], [B, L, D], [B, L, Dv]).
    const D = m.N * m.Hq, Dv = m.N * m.Hv;
    const nq = m.B * m.S * D, nk = m.B * m.T * D, nv = m.B * m.T * Dv;
    const add = msBiasKernel({ nq, nk, nv, D, Dv }, { q, k, v, bias: 3 }, names, { scratch: 0 }, ctx.caps.maxComputeWorkgroupsPerDimension);
    const at = (o: Operand, base: number): Operand => ({ ...o, offset: o.offset + base });
    const shifted: MsPlan = { ...m, k: at(m.k, nq), v: at(m.v, nq + nk) };
    const s: OperandBinding = { arg: { scratch: 0 }, key: '#qkv' };
    const rest = attentionKernels(ctx, shifted, a, { q: s, k: s, v: s }, 1);
    if (typeof rest === 'string') return rest;
    return { kernels: [add, ...rest.kernels], scratch: [(nq + nk + nv) * 4, ...(rest.scratch ?? [])] };
  },
};
