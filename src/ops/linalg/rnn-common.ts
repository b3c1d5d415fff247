/**
 * Shared by LSTM, GRU and RNN: attributes, input/output layouts (layout 0: time-major, 1: batch-major,
 * opset ≥ 14), activations and the CPU references' building blocks.
 */
import type { Attrs } from '../../ir/attrs.js';
import { fmtShape, hostTensor, isFloat, type HostTensor, type ValueType } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { actKind, rnnPlan, type Cell, type RnnAttrs, type RnnDims } from './rnn-kernel.js';
import { need } from './util.js';
import { activationRef } from '../epilogue.js';

export type { Cell, RnnAttrs, RnnDims } from './rnn-kernel.js';

export const GATES: Record<Cell, number> = { lstm: 4, gru: 3, rnn: 1 };
/** Activations with no parameters that both the reference and the kernels implement. */
export const RNN_ACTS = ['Sigmoid', 'Tanh', 'Relu'] as const;

export function rnnAttrs(a: Attrs, opset: number, cell: Cell): RnnAttrs {
  const dir = a.string('direction', 'forward');
  const dirs: ('fwd' | 'rev')[] = dir === 'forward' ? ['fwd'] : dir === 'reverse' ? ['rev'] : dir === 'bidirectional' ? ['fwd', 'rev'] : [];
  if (!dirs.length) throw a.error(`unknown direction '${dir}'`, "use 'forward', 'reverse' or 'bidirectional'");
  const per = cell === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : cell === 'gru' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
  let acts = a.strings('activations', dirs.flatMap(() => per));
  // onnxruntime reuses a single RNN activation for both directions; do the same rather than refuse.
  if (cell === 'rnn' && dirs.length === 2 && acts.length === 1) acts = [acts[0]!, acts[0]!];
  if (acts.length !== per.length * dirs.length) throw a.error(`expected ${per.length * dirs.length} activations, got ${acts.length}`, 'list f, g(, h) once per direction');
  if (cell === 'lstm' && a.int('input_forget', 0) !== 0) throw a.error('input_forget=1 is not supported', 're-export the LSTM without coupled input/forget gates');
  const clip = a.has('clip') ? a.float('clip') : null;
  return {
    cell, dirs, H: a.int('hidden_size'), layout: (opset >= 14 ? a.int('layout', 0) : 0) as 0 | 1,
    acts: acts.map((s) => s), clip, linearBeforeReset: cell === 'gru' && a.int('linear_before_reset', 0) === 1,
  };
}


export function rnnDims(ctx: InferContext, a: RnnAttrs): RnnDims {
  const x = need(ctx, 0, 'X'), w = need(ctx, 1, 'W'), r = need(ctx, 2, 'R');
  if (x.shape.length !== 3) throw ctx.error(`X ${fmtShape(x.shape)} must be 3-D`, 'X is [seq, batch, input] (layout 0) or [batch, seq, input] (layout 1)');
  const [S, B] = a.layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  const I = x.shape[2]!, D = a.dirs.length, H = a.H, G = GATES[a.cell];
  const expect = (t: ValueType | null | undefined, shape: number[], name: string) => {
    if (t && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])))
      throw ctx.error(`${name} is ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`, `check hidden_size=${H} and direction`, { [name]: t.shape });
  };
  expect(w, [D, G * H, I], 'W'); expect(r, [D, G * H, H], 'R'); expect(ctx.inputs[3], [D, 2 * G * H], 'B');
  const st = a.layout === 0 ? [D, B, H] : [B, D, H];
  expect(ctx.inputs[5], st, 'initial_h');
  if (a.cell === 'lstm') { expect(ctx.inputs[6], st, 'initial_c'); expect(ctx.inputs[7], [D, 3 * H], 'P'); }
  for (const act of a.acts) if (!(RNN_ACTS as readonly string[]).includes(act)) throw ctx.error(`activation '${act}' is not supported`, `wgml implements ${RNN_ACTS.join(', ')} in recurrent cells`);
  return { S, B, I, D, H };
}

export function rnnOutputs(ctx: InferContext, a: RnnAttrs): ValueType[] {
  const { S, B, D, H } = rnnDims(ctx, a);
  const dtype = ctx.inputs[0]!.dtype;
  const y = a.layout === 0 ? [S, D, B, H] : [B, S, D, H];
  const st = a.layout === 0 ? [D, B, H] : [B, D, H];
  const n = a.cell === 'lstm' ? 3 : 2;
  return [{ dtype, shape: y }, { dtype, shape: st }, { dtype, shape: [...st] }].slice(0, Math.max(1, Math.min(n, ctx.node.outputs.length)));
}

/** sequence_lens as a per-batch array (all S when absent); the GPU only takes the all-S case. */
export function seqLens(ctx: InferContext, S: number, B: number): number[] {
  if (!ctx.inputs[4]) return new Array<number>(B).fill(S);
  const t = ctx.constant(4);
  if (!t) throw ctx.error('sequence_lens is not a constant', 'make sequence_lens an initializer or drop it');
  return Array.from(t.data);
}

export const actRef = (name: string, x: number): number => activationRef(actKind(name), [], x);

/** Index helpers shared by the references. */
export function layoutIdx(a: RnnAttrs, d: RnnDims) {
  return {
    x: (t: number, b: number, k: number) => (a.layout === 0 ? (t * d.B + b) * d.I + k : (b * d.S + t) * d.I + k),
    y: (t: number, dir: number, b: number, j: number) => (a.layout === 0 ? ((t * d.D + dir) * d.B + b) * d.H + j : ((b * d.S + t) * d.D + dir) * d.H + j),
    st: (dir: number, b: number, j: number) => (a.layout === 0 ? (dir * d.B + b) * d.H + j : (b * d.D + dir) * d.H + j),
  };
}

/** Σ_k M[row, k] · v[k] for a row-major matrix slice starting at `off` with `n` columns. */
export function dotRow(m: HostTensor['data'], off: number, row: number, n: number, v: ArrayLike<number>, vOff = 0): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += m[off + row * n + k]! * v[vOff + k]!;
  return s;
}

/** The OpDef of a recurrent cell: attributes, shape rule and GPU plan are shared; only the CPU reference differs. */
/** What every recurrent CPU reference starts from: dims, lengths, indexing, zeroed outputs, clip. */
export function referenceSetup(a: RnnAttrs, ctx: InferContext) {
  const d = rnnDims(ctx, a);
  return {
    d, lens: seqLens(ctx, d.S, d.B), ix: layoutIdx(a, d),
    outs: rnnOutputs(ctx, a).map((t) => hostTensor(t.dtype, t.shape)),
    clip: (v: number) => (a.clip === null ? v : Math.min(a.clip, Math.max(-a.clip, v))),
  };
}

export function rnnOp(type: string, cell: Cell, reference: OpDef<RnnAttrs>['reference']): OpDef<RnnAttrs> {
  return {
    type,
    constInputs: [4],
    attrs: (a, opset) => rnnAttrs(a, opset, cell),
    infer(ctx, a) {
      if (!isFloat(ctx.inputs[0]?.dtype ?? 'float32')) throw ctx.error(`X must be a float type, got ${ctx.inputs[0]!.dtype}`, 'cast the input to float first');
      return rnnOutputs(ctx, a);
    },
    reference,
    gpu(ctx, a) {
      const d = rnnDims(ctx, a);
      return rnnPlan(ctx, a, d, seqLens(ctx, d.S, d.B));
    },
  };
}
