/**
 * The fused attention kernel's problem, block configurations and dispatch: one dispatch computes
 * softmax(scale·Q·Kᵀ ⊕ masks)·V for every batch/head and query block (the WGSL and why it is shaped so:
 * attention-wgsl.ts). Every operand is read through strides (views of a packed QKV projection, of
 * [B, S, H, D] layouts, masks broadcast with stride 0) and the output is written through strides too.
 * The kernel is declared (gpu/signature.ts), so it runs with a bind group per dispatch or under a
 * network's shared bind group alike.
 */
import { signature, type BufferDecl, type KernelSignature, type ParamField } from '../../gpu/signature.js';
import { declaredKernel, type KernelArg, type KernelSpec } from '../types.js';
import { attentionBody, type AttentionVariant } from './attention-wgsl.js';
import type { AttentionConfig, MaskMode } from './attention-types.js';
import { prod } from './util.js';

// Declared in attention-types.ts so attention-wgsl.ts can use them without importing this file back.
export type { AttentionConfig, MaskMode } from './attention-types.js';

/** Where one operand's elements sit: element (z…, row, col) is at offset + Σ z·batch + row·s + col·d. */
export interface OperandLayout { batch: number[]; s: number; d: number; offset: number }

export interface AttentionProblem {
  /** Output batch dims (heads included), outermost first. */
  batch: number[];
  Sq: number; Sk: number; D: number; Dv: number;
  q: OperandLayout; k: OperandLayout; v: OperandLayout; out: OperandLayout;
  /** For the mask, `s` steps queries and `d` steps keys. */
  mask: OperandLayout | null;
  maskMode: MaskMode;
  /** 'f32' for additive masks; the word type of a boolean/integer mask. */
  maskType: 'f32' | 'i32' | 'u32';
  scale: number;
  /** The value a masked score takes ('keep'/'drop'). */
  fill: number;
  causal: boolean;
  /** Key j is causally masked for query i when j > i + causalOffset; it then takes causalFill. */
  causalOffset: number;
  causalFill: number;
}

export const MAX_ATTENTION_BATCH_DIMS = 8;
export const MAX_HEAD_SIZE = 256;

/** Bytes of workgroup memory a configuration uses (Q, padded K, V, probabilities, the row reduction, flags). */
export function attentionSmem(c: AttentionConfig): number {
  const d4 = c.dmax / 4;
  return 16 * (c.bq * d4 + c.bk * (d4 + 1) + c.bk * d4 + c.bq * (c.bk / 4 + 1)) + 4 * c.bq * c.t + 8;
}

/** Is the configuration well formed (divisibility the WGSL relies on) and within the device's limits? */
export function attentionConfigOk(c: AttentionConfig, maxSmem: number, maxInvocations: number): boolean {
  const d4 = c.dmax / 4;
  return [c.bq, c.bk, c.t, c.r].every((x) => Number.isInteger(x) && x > 0) && Number.isInteger(d4) && c.t % 4 === 0 && c.bk % 4 === 0
    && c.bk % c.t === 0 && d4 % c.t === 0 && c.bq % c.r === 0 && (c.bq / c.r) * c.t <= maxInvocations && attentionSmem(c) <= maxSmem;
}

/** The configuration as bench/attention.ts and the wgml_config attribute spell it: BQxBKxT, with /rR when R > 1. */
export const configName = (c: Pick<AttentionConfig, 'bq' | 'bk' | 't' | 'r'>) => `${c.bq}x${c.bk}x${c.t}${c.r > 1 ? `/r${c.r}` : ''}`;

/**
 * The configuration for a problem, derived from the H200 sweep of bench/results-2026-12-02-a (checked
 * against it by test/attention-op.test.ts) in terms that hold on any GPU:
 * - BQ = 16 query rows per workgroup, never 8: 8-row workgroups (64 threads) were up to 12× slower at
 *   ViT-B/16 and BERT-base B8 / S512 — too few threads per workgroup to hide each key block's loads and
 *   barriers — and never more than 1.6× faster.
 * - Few batch·head indices (< 64: batch-1 models, whose workgroups do not fill the GPU, so each one's
 *   serial walk over the keys is the time): T = 16 threads per row and BK = 32, the shortest walk that
 *   stayed within 1.25× of the best at S 128, 197 and 512.
 * - Many (≥ 64): BQ = 32, BK = 16, T = 8, the best at BERT-base B8.
 * Smaller devices fall back to whatever fits (16 KiB of workgroup memory is WebGPU's default). The choice
 * depends on batch, heads and head size, not on the sequence length, so a pipeline for another length
 * reuses the compiled kernel.
 */
export function attentionConfig(p: { batch: number[]; Sq: number; D: number; Dv: number }, maxSmem: number, maxInvocations: number): AttentionConfig | string {
  const widest = Math.max(p.D, p.Dv);
  if (widest > MAX_HEAD_SIZE) return `head size ${widest} is over the fused attention kernel's ${MAX_HEAD_SIZE}`;
  let dmax = 32;
  while (dmax < widest) dmax *= 2;
  const preferred = prod(p.batch) >= 64 ? [{ bq: 32, bk: 16, t: 8 }, { bq: 16, bk: 16, t: 8 }] : [{ bq: 16, bk: 32, t: 16 }, { bq: 16, bk: 16, t: 16 }];
  const fallback = [16, 8].flatMap((bq) => [32, 16, 8].flatMap((bk) => [16, 8, 4].map((t) => ({ bq, bk, t }))));
  for (const b of [...preferred, ...fallback]) {
    const c = { ...b, r: 1, dmax };
    if (attentionConfigOk(c, maxSmem, maxInvocations)) return c;
  }
  return `no attention kernel configuration fits this device's workgroup memory (${maxSmem} bytes) for head size ${widest}`;
}

/**
 * Merge adjacent batch dims that every operand steps through contiguously (e.g. [B, H] of dense
 * [B, H, S, D] tensors becomes [B·H]) and drop size-1 dims, so most problems need one or two.
 */
export function mergeBatchDims(batch: number[], strides: number[][]): { batch: number[]; strides: number[][] } {
  const dims = batch.map((n, d) => ({ n, s: strides.map((st) => st[d]!) })).filter((x) => x.n !== 1);
  const out: typeof dims = [];
  for (const x of dims) {
    const prev = out[out.length - 1];
    if (prev && prev.s.every((s, k) => s === x.s[k]! * x.n)) { prev.n *= x.n; prev.s = x.s; continue; }
    out.push({ n: x.n, s: [...x.s] });
  }
  return { batch: out.map((x) => x.n), strides: strides.map((_, k) => out.map((x) => x.s[k]!)) };
}

/** Where an operand is bound: a node input or a scratch buffer; operands with equal `key`s are one value, bound once. */
export interface OperandBinding { arg: KernelArg; key: string }
export interface AttentionBindings { q: OperandBinding; k: OperandBinding; v: OperandBinding; mask: OperandBinding | null; out: KernelArg }

/** Can q, k and v be read as vec4s: unit column stride and every offset and stride a multiple of 4 elements? */
export function vec4Layout(p: AttentionProblem): boolean {
  return vecOk(p.q, p.D) && vecOk(p.k, p.D) && vecOk(p.v, p.Dv);
}

const vecOk = (l: OperandLayout, width: number) => l.d === 1 && width % 4 === 0 && [l.s, l.offset, ...l.batch].every((x) => x % 4 === 0);

const BATCH = ['q', 'k', 'v', 'm', 'o'] as const;
const LAYOUT = ['q', 'k', 'v', 'm', 'o'] as const;

/** Parameters every variant binds; which buffers it binds depends on the operands that share a value. */
const PARAMS = {
  Sq: 'u32', Sk: 'u32', D: 'u32', Dv: 'u32', nb: 'u32', nz: 'u32', qBlocks: 'u32',
  scale: 'f32', fill: 'f32', cfill: 'f32', negInf: 'f32', coff: 'i32',
  ...Object.fromEntries(LAYOUT.flatMap((o) => [[`${o}_s`, 'u32'], [`${o}_d`, 'u32'], [`${o}_o`, 'u32']])),
  bdims: ['u32', MAX_ATTENTION_BATCH_DIMS],
  ...Object.fromEntries(BATCH.map((o) => [`b_${o}`, ['u32', MAX_ATTENTION_BATCH_DIMS]])),
} as const;

const sigs = new Map<string, KernelSignature>();
function sigFor(buffers: BufferDecl[]): KernelSignature {
  const id = JSON.stringify(buffers);
  let s = sigs.get(id);
  if (!s) { s = signature({ params: PARAMS as Record<string, ParamField>, buffers }); sigs.set(id, s); }
  return s;
}

/**
 * The kernel for one attention problem. Operands that are the same value (q, k and v of one packed
 * buffer) are bound once — WebGPU refuses two overlapping writable bindings in one dispatch — which is
 * why the ops using it declare sharedInputs.
 */
export function attentionKernel(p: AttentionProblem, c: AttentionConfig, bind: AttentionBindings, maxPerDim: number): KernelSpec | string {
  const none: OperandLayout = { batch: [], s: 0, d: 0, offset: 0 };
  const ops = [p.q, p.k, p.v, p.mask ?? none, p.out];
  const full = (l: OperandLayout) => [...new Array<number>(p.batch.length - l.batch.length).fill(0), ...l.batch];
  const merged = mergeBatchDims(p.batch, ops.map(full));
  if (merged.batch.length > MAX_ATTENTION_BATCH_DIMS) return `more than ${MAX_ATTENTION_BATCH_DIMS} batch dims that cannot be merged`;
  const qBlocks = Math.ceil(p.Sq / c.bq);
  const groups = prod(merged.batch) * qBlocks;
  const gy = Math.ceil(groups / maxPerDim);
  if (gy > maxPerDim) return `${groups} workgroups exceed the device's dispatch limits`;
  const vecIn = vec4Layout(p);
  const vecOut = vecOk(p.out, p.Dv);
  // One buffer per distinct value, in the order q, k, v, mask, then the output.
  const buffers: BufferDecl[] = [];
  const args: KernelArg[] = [];
  const slot = new Map<string, string>();
  const add = (name: string, o: OperandBinding, elem: BufferDecl['elem'], vec4: boolean): string => {
    const have = slot.get(o.key);
    if (have) return have;
    slot.set(o.key, name);
    buffers.push({ name, elem, ...(vec4 ? { vec4 } : {}) });
    args.push(o.arg);
    return name;
  };
  const qn = add('Q', bind.q, 'f32', vecIn), kn = add('K', bind.k, 'f32', vecIn), vn = add('V', bind.v, 'f32', vecIn);
  if (bind.mask && slot.has(bind.mask.key)) return 'the mask is the same value as Q, K or V';
  const mask = bind.mask && p.mask && p.maskMode !== 'none';
  const mn = mask ? add('M', bind.mask!, p.maskType, false) : null;
  buffers.push({ name: 'Y', elem: 'f32', writes: true, ...(vecOut ? { vec4: true } : {}) });
  args.push(bind.out);
  // Causal block skipping: exact with a −inf fill, checked with a finite one; a keep/drop mask could
  // give masked keys a finite fill again, and an additive mask could lift a finite fill.
  const skip = !p.causal ? '' : p.causalFill === -Infinity && (p.maskMode === 'none' || p.maskMode === 'add') ? 'inf' : p.maskMode === 'none' && Number.isFinite(p.causalFill) ? 'finite' : '';
  const variant: AttentionVariant = {
    c, vecIn, vecOut, exact: p.D === c.dmax && p.Dv === c.dmax, maskMode: mask ? p.maskMode : 'none', maskType: p.maskType,
    maskRow: !!mask && p.mask!.s === 0, causal: p.causal, skip, names: { q: qn, k: kn, v: vn, m: mn },
  };
  const aliases = [['K', kn], ['V', vn]].filter(([a, n]) => a !== n).map(([a, n]) => `#${a}=${n}`).join('');
  const key = `attention|${configName(c)}x${c.dmax}${vecIn ? 'v4' : ''}${vecOut ? 'o4' : ''}${variant.exact ? 'e' : ''}`
    + `|${variant.maskMode}:${p.maskType}${variant.maskRow ? 'r' : ''}|${p.causal ? `c${skip}` : ''}${aliases}`;
  const lay: Record<string, number> = {};
  ops.forEach((l, k) => { lay[`${LAYOUT[k]}_s`] = l.s; lay[`${LAYOUT[k]}_d`] = l.d; lay[`${LAYOUT[k]}_o`] = l.offset; });
  const bstr: Record<string, number[]> = {};
  BATCH.forEach((o, k) => { bstr[`b_${o}`] = merged.strides[k]!; });
  return declaredKernel({
    name: `attention_${configName(c).replace('/', '_')}`, key, sig: sigFor(buffers), args,
    params: {
      Sq: p.Sq, Sk: p.Sk, D: p.D, Dv: p.Dv, nb: merged.batch.length, nz: prod(merged.batch), qBlocks,
      scale: p.scale, fill: p.fill, cfill: p.causalFill, negInf: -Infinity, coff: p.causalOffset,
      ...lay, bdims: merged.batch, ...bstr,
    },
    workgroups: groups === 0 ? [0, 0, 0] : [Math.ceil(groups / gy), gy, 1],
    source: () => ({ body: attentionBody(variant) }),
  });
}
