/**
 * wgml.Attention: Y = softmax(mask(scale · Q·Kᵀ)) · V in one kernel (attention-kernel.ts), made by
 * passes/fuse-attention.ts from the MatMul → scale → mask → Softmax → MatMul chains exporters emit.
 * Inputs: Q [b…, Sq, D], K [b…, Sk, D], V [b…, Sk, Dv] (batch dims broadcast numpy-style, so K/V shared
 * by several query heads cost nothing), optional mask broadcastable to [b…, Sq, Sk]. All of them may be
 * strided views (wgml_view_i) — q, k and v of one packed projection are one binding — and the output
 * may be written through a view (wgml_out_view), e.g. straight into [B, S, H·D].
 * Attributes, applied in this order to each score s = scale · q·k:
 *   scale (default 1/√D);
 *   causal (0/1), causal_offset (default Sk − Sq): key j is masked for query i when j > i + offset, and
 *     s becomes causal_fill (default −inf);
 *   mask_mode 'add' (s + m, float mask), 'keep' (m ≠ 0 ? s : mask_fill) or 'drop' (m ≠ 0 ? mask_fill : s)
 *     for boolean/integer masks, mask_fill default −inf.
 * Every intermediate is rounded to f32 as the unfused graph rounds it, so a fully masked row comes out
 * exactly as Softmax → MatMul gives it: NaN for −inf fills, the mean of V for finite ones.
 */
import { fmtShape, hostTensor, isFloat, shapeSize, storageType, type HostTensor } from '../../ir/types.js';
import { denseView, expandView, type View } from '../../ir/view.js';
import { broadcastShapes } from '../shape/expand.js';
import type { InferContext, OpDef } from '../types.js';
import { attentionConfig, attentionKernel, type AttentionConfig, type AttentionProblem, type MaskMode, type OperandLayout } from './attention-kernel.js';
import { need, prod } from './util.js';

export interface AttentionAttrs {
  scale: number | null;
  causal: boolean;
  causalOffset: number | null;
  causalFill: number;
  maskMode: Exclude<MaskMode, 'none'>;
  maskFill: number;
  /** Forced block configuration (tests and the benchmark); chosen per shape when absent. */
  config: AttentionConfig | null;
}

const MODES = ['add', 'keep', 'drop'] as const;

interface Shape { batch: number[]; Sq: number; Sk: number; D: number; Dv: number }

function shapes(ctx: InferContext, a: AttentionAttrs): Shape {
  const q = need(ctx, 0, 'Q'), k = need(ctx, 1, 'K'), v = need(ctx, 2, 'V');
  for (const [n, t] of [['Q', q], ['K', k], ['V', v]] as const) {
    if (t.shape.length < 2) throw ctx.error(`${n} ${fmtShape(t.shape)} must have rank ≥ 2 ([batch…, S, D])`, 'this node is made by the attention pass; report the model');
    if (!isFloat(t.dtype)) throw ctx.error(`${n} is ${t.dtype}; attention needs float inputs`, 'cast the inputs to float');
  }
  const [Sq, D] = q.shape.slice(-2) as [number, number];
  const [Sk, Dk] = k.shape.slice(-2) as [number, number];
  const [Sv, Dv] = v.shape.slice(-2) as [number, number];
  if (Dk !== D) throw ctx.error(`Q ${fmtShape(q.shape)} and K ${fmtShape(k.shape)} differ in head size`, 'Q and K must have the same last dim');
  if (Sv !== Sk) throw ctx.error(`K ${fmtShape(k.shape)} and V ${fmtShape(v.shape)} differ in sequence length`, 'K and V must have the same second-to-last dim');
  const batch = broadcastShapes(ctx, broadcastShapes(ctx, q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  const m = ctx.inputs[3];
  if (m) {
    const full = [...batch, Sq, Sk];
    const b = broadcastShapes(ctx, m.shape, full);
    if (b.length !== full.length || b.some((d, i) => d !== full[i])) throw ctx.error(`mask ${fmtShape(m.shape)} does not broadcast to the scores ${fmtShape(full)}`, 'the mask must broadcast to [batch…, Sq, Sk]');
    if (a.maskMode === 'add' && !isFloat(m.dtype)) throw ctx.error(`an additive mask must be float, got ${m.dtype}`, "use mask_mode 'keep' or 'drop' for boolean masks");
  }
  return { batch, Sq, Sk, D, Dv };
}

const scaleOf = (a: AttentionAttrs, s: Shape) => a.scale ?? 1 / Math.sqrt(s.D);
const offsetOf = (a: AttentionAttrs, s: Shape) => a.causalOffset ?? s.Sk - s.Sq;

/** Dense row-major strides of `shape` aligned to `rank` dims of `full`, 0 where `shape` broadcasts. */
function bcastStrides(shape: readonly number[], full: readonly number[]): number[] {
  return expandView(denseView(shape), full)!.strides;
}

/** An operand's layout from its view, batch strides aligned to the output's batch dims. */
function layout(v: View, batch: number[]): OperandLayout {
  const r = v.shape.length;
  const bv = expandView({ shape: v.shape.slice(0, r - 2), strides: v.strides.slice(0, r - 2), offset: 0 }, batch)!;
  return { batch: bv.strides, s: v.strides[r - 2]!, d: v.strides[r - 1]!, offset: v.offset };
}

export const Attention: OpDef<AttentionAttrs> = {
  type: 'Attention', domain: 'wgml',
  viewInputs: [0, 1, 2, 3], viewOutput: true, sharedInputs: true,
  attrs(a) {
    const mode = a.string('mask_mode', 'add');
    if (!(MODES as readonly string[]).includes(mode)) throw a.error(`mask_mode '${mode}' is not one of ${MODES.join(', ')}`, 'this attribute is written by the attention pass');
    const cfg = a.has('wgml_config') ? a.ints('wgml_config') : null;
    return {
      scale: a.has('scale') ? a.float('scale') : null,
      causal: a.int('causal', 0) !== 0,
      causalOffset: a.has('causal_offset') ? a.int('causal_offset') : null,
      causalFill: a.float('causal_fill', -Infinity),
      maskMode: mode as AttentionAttrs['maskMode'],
      maskFill: a.float('mask_fill', -Infinity),
      config: cfg ? { bq: cfg[0]!, bk: cfg[1]!, t: cfg[2]!, dmax: cfg[3]! } : null,
    };
  },
  infer(ctx, a) {
    const s = shapes(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [...s.batch, s.Sq, s.Dv] }];
  },
  // Plain softmax per row, f32 rounding after each step as the unfused graph rounds.
  reference(inputs, a, ctx): HostTensor[] {
    const [q, k, v, m] = inputs as [HostTensor, HostTensor, HostTensor, HostTensor | null];
    const s = shapes(ctx, a);
    const { Sq, Sk, D, Dv } = s;
    const y = hostTensor(q.dtype, [...s.batch, Sq, Dv]);
    const nb = s.batch.length;
    const full = (t: HostTensor, tail: number[]) => bcastStrides(t.shape, [...s.batch, ...tail]);
    const sq = full(q, [Sq, D]), sk = full(k, [Sk, D]), sv = full(v, [Sk, Dv]), sm = m ? full(m, [Sq, Sk]) : null;
    const scale = Math.fround(scaleOf(a, s)), off = offsetOf(a, s);
    const f = Math.fround;
    const row = new Float64Array(Sk);
    for (let z = 0; z < prod(s.batch); z++) {
      let rem = z, oq = 0, ok = 0, ov = 0, om = 0;
      for (let d = nb - 1; d >= 0; d--) {
        const c = rem % s.batch[d]!; rem = Math.floor(rem / s.batch[d]!);
        oq += c * sq[d]!; ok += c * sk[d]!; ov += c * sv[d]!; if (sm) om += c * sm[d]!;
      }
      for (let i = 0; i < Sq; i++) {
        let mx = -Infinity;
        for (let j = 0; j < Sk; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q.data[oq + i * sq[nb]! + d * sq[nb + 1]!]! * k.data[ok + j * sk[nb]! + d * sk[nb + 1]!]!;
          let x = f(f(dot) * scale);
          if (a.causal && j > i + off) x = f(a.causalFill);
          if (m && sm) {
            const mv = m.data[om + i * sm[nb]! + j * sm[nb + 1]!]!;
            if (a.maskMode === 'add') x = f(x + mv);
            else if ((mv !== 0) === (a.maskMode === 'drop')) x = f(a.maskFill);
          }
          row[j] = x;
          mx = Math.max(mx, x);
        }
        // −inf everywhere: −inf − (−inf) = NaN, as Softmax gives
        let sum = 0;
        for (let j = 0; j < Sk; j++) { row[j] = Math.exp(row[j]! - mx); sum += row[j]!; }
        for (let e = 0; e < Dv; e++) {
          let acc = 0;
          for (let j = 0; j < Sk; j++) acc += (row[j]! / sum) * v.data[ov + j * sv[nb]! + e * sv[nb + 1]!]!;
          y.data[(z * Sq + i) * Dv + e] = acc;
        }
      }
    }
    return [y];
  },
  gpu(ctx, a) {
    const s = shapes(ctx, a);
    const m = ctx.inputs[3] ?? null;
    const names = ctx.node.inputs;
    const view = (i: number): View => ctx.views?.[i] ?? denseView(ctx.inputs[i]!.shape);
    const outView = ctx.outView ?? denseView([...s.batch, s.Sq, s.Dv]);
    let mask: OperandLayout | null = null;
    if (m) {
      const mv = expandView(view(3), [...s.batch, s.Sq, s.Sk])!;
      mask = layout(mv, s.batch);
    }
    const p: AttentionProblem = {
      ...s, q: layout(view(0), s.batch), k: layout(view(1), s.batch), v: layout(view(2), s.batch), out: layout(outView, s.batch),
      mask, maskMode: m ? a.maskMode : 'none', maskType: m ? storageType(m.dtype) : 'f32',
      scale: scaleOf(a, s), fill: a.maskFill, causal: a.causal, causalOffset: offsetOf(a, s), causalFill: a.causalFill,
    };
    if (shapeSize([...s.batch, s.Sq, s.Dv]) === 0) return { kernels: [] };
    const c = a.config ?? attentionConfig(s, ctx.caps.maxComputeWorkgroupStorageSize, ctx.caps.maxComputeInvocationsPerWorkgroup);
    if (typeof c === 'string') return c;
    const operand = (i: number) => ({ arg: { input: i }, key: names[i]! });
    const k = attentionKernel(p, c, { q: operand(0), k: operand(1), v: operand(2), mask: m ? operand(3) : null, out: { output: 0 } }, ctx.caps.maxComputeWorkgroupsPerDimension);
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};

