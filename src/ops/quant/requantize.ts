/**
 * The requantization QLinearMatMul and QLinearConv end with, after an exact i32 accumulation:
 * y = saturate(round_half_even(f32(acc) · m) + y_zero_point), m = x_scale · w_scale / y_scale in f32
 * (w_scale per tensor or per output channel). The product is rounded to f32 before round(), as
 * onnxruntime's requantizer does; ONNX's numpy reference multiplies in f64, which differs only where the
 * product lies within half an f32 ulp of a tie. The scale quotient is correctly rounded (`div_rn`).
 */
import type { BufferDecl, Word } from '../../gpu/signature.js';
import { shapeSize, storageType, type ElemType, type HostTensor } from '../../ir/types.js';
import type { InferContext, KernelArg } from '../types.js';
import { divRn } from '../wgsl-common.js';
import { qrange, roundHalfEven } from './common.js';

/** Where the QLinear op's scales and output zero point are among its inputs. */
export interface RequantInputs { xScale: number; wScale: number; yScale: number; yZero: number }

export interface Requant { inputs: RequantInputs; perChannel: boolean; word: Word; lo: number; hi: number; out: ElemType }

/** Checks the scales and zero point: scalars, and w_scale a scalar or one per output channel. */
export function requantFor(ctx: InferContext, inputs: RequantInputs, channels: number, what: string): Requant {
  const scalar = (i: number, name: string) => {
    const t = ctx.inputs[i];
    if (!t) throw ctx.error(`${name} is missing`, `${ctx.node.opType} needs all its scale and zero point inputs`);
    if (shapeSize(t.shape) !== 1) throw ctx.error(`${name} has shape [${t.shape.join(', ')}]`, `${name} must be a scalar (per-tensor)`, { shape: t.shape });
    return t;
  };
  scalar(inputs.xScale, 'the input scale'); scalar(inputs.yScale, 'y_scale');
  const out = scalar(inputs.yZero, 'y_zero_point').dtype;
  const range = out === 'uint8' || out === 'int8' ? qrange(out) : null;
  if (!range) throw ctx.error(`y_zero_point is ${out}`, `${ctx.node.opType} outputs uint8 or int8`);
  const ws = ctx.inputs[inputs.wScale];
  if (!ws) throw ctx.error('w_scale is missing', `${ctx.node.opType} needs all its scale and zero point inputs`);
  const n = shapeSize(ws.shape);
  if (n !== 1 && n !== channels) throw ctx.error(`the weight scale has ${n} elements`, `give a scalar or one per ${what} (${channels})`, { shape: ws.shape });
  for (const i of [inputs.xScale, inputs.wScale, inputs.yScale]) {
    if (ctx.inputs[i]!.dtype !== 'float32') throw ctx.error(`scale input ${i} is ${ctx.inputs[i]!.dtype}`, 'scales are float32');
  }
  return { inputs, perChannel: n > 1, word: storageType(out), lo: range[0], hi: range[1], out };
}

/** The buffers the requantization reads and the output it writes, to follow the accumulation's inputs. */
export const requantBuffers = (r: Requant): BufferDecl[] => [
  { name: 'XS', elem: 'f32' }, { name: 'WS', elem: 'f32' }, { name: 'YS', elem: 'f32' }, { name: 'YZ', elem: r.word }, { name: 'Y', elem: r.word, writes: true },
];

export const requantArgs = (r: Requant): KernelArg[] => [
  { input: r.inputs.xScale }, { input: r.inputs.wScale }, { input: r.inputs.yScale }, { input: r.inputs.yZero }, { output: 0 },
];

export const requantModules = [divRn];

/** WGSL storing acc (i32) at i, requantized; `ch` is the output channel (for a per-channel w_scale). */
export function requantStore(r: Requant, ch: string): string {
  // clamp in f32 before converting: i32() of an out-of-range float is not defined by WGSL
  return `let rq_m = div_rn(XS_ld(0u) * WS_ld(${r.perChannel ? ch : '0u'}), YS_ld(0u));
  let rq_q = round(f32(acc) * rq_m) + f32(YZ_ld(0u));
  Y_st(i, ${r.word}(i32(clamp(rq_q, ${r.lo}.0, ${r.hi}.0))));`;
}

/** The CPU side of requantStore, in the same f32 steps. */
export function requantCpu(r: Requant, inputs: (HostTensor | null)[], acc: number, ch: number): number {
  const xs = inputs[r.inputs.xScale]!.data[0]!, ys = inputs[r.inputs.yScale]!.data[0]!;
  const ws = inputs[r.inputs.wScale]!.data[r.perChannel ? ch : 0]!;
  const m = Math.fround(Math.fround(xs * ws) / ys);
  const q = roundHalfEven(Math.fround(Math.fround(acc) * m)) + inputs[r.inputs.yZero]!.data[0]!;
  return Math.min(r.hi, Math.max(r.lo, q));
}
