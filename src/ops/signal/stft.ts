/**
 * STFT — https://onnx.ai/onnx/operators/onnx__STFT.html
 * Opset 17+. signal [batch, length, 1 | 2]; frame_step (constant input 1); window (input 2, optional,
 * [W], may be computed at run time); frame_length (constant input 3, optional: W, else the signal
 * length) is the transform length L. Frame f takes W samples from f·frame_step (zeros past the
 * signal's end), times the window, zero-padded or truncated to L (ONNX's reference), and is
 * transformed as DFT does (dft.ts); there are 1 + ⌊(length − L) / frame_step⌋ frames. `onesided`
 * (default 1) keeps bins 0..⌊L/2⌋. Output [batch, frames, bins, 2].
 */
import { signature } from '../../gpu/signature.js';
import { isFloat, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { grid, optConstInts, WG } from '../shape/common.js';
import { dftLoop, dftRef, twiddleModule, type DftGeom } from './dft.js';

interface A { onesided: boolean }
interface Frames { batch: number; length: number; complex: boolean; step: number; W: number; L: number; frames: number; bins: number }

function frames(ctx: InferContext, shape: readonly number[], a: A, step: number | undefined, window: readonly number[] | null, frameLength: number | undefined): Frames {
  if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 2)) throw ctx.error(`signal [${shape.join(', ')}] must be [batch, length, 1 or 2]`, 'add a trailing dim of 1 to a real signal', { shape });
  if (step === undefined || !Number.isInteger(step) || step < 1) throw ctx.error(`frame_step ${step} must be a positive integer`, 'give the hop between frames in samples', { frameStep: step });
  if (window && window.length !== 1) throw ctx.error(`window has rank ${window.length}`, 'the window is a 1-D tensor of frame length', { window });
  const [batch, length] = shape as [number, number];
  const L = frameLength ?? window?.[0] ?? length;
  const W = window?.[0] ?? L;
  if (!Number.isInteger(L) || L < 1 || L > length) throw ctx.error(`frame_length ${L} must be in 1..${length} (the signal length)`, 'give a frame no longer than the signal', { frameLength: L, length });
  const complex = shape[2] === 2;
  if (a.onesided && complex) throw ctx.error('onesided output needs a real signal (last dim 1)', 'set onesided=0 for complex signals');
  return { batch, length, complex, step, W, L, frames: 1 + Math.floor((length - L) / step), bins: a.onesided ? Math.floor(L / 2) + 1 : L };
}

const sigs = [false, true].map((win) => signature({
  params: { total: 'u32', frames: 'u32', bins: 'u32', length: 'u32', step: 'u32', W: 'u32', L: 'u32', complex: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, ...(win ? [{ name: 'Wn', elem: 'f32' as const }] : []), { name: 'Y', elem: 'f32', writes: true }],
}));

export const STFT: OpDef<A> = {
  type: 'STFT', opsets: [17, 99], constInputs: [1, 3],
  attrs: (a) => ({ onesided: a.int('onesided', 1) === 1 }),
  infer(ctx, a) {
    expectInputs(ctx, 2, 4);
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) throw ctx.error(`signal is ${x.dtype}`, 'STFT takes float signals');
    const f = frames(ctx, x.shape, a, optConstInts(ctx, 1, 'frame_step')?.[0], ctx.inputs[2]?.shape ?? null, optConstInts(ctx, 3, 'frame_length')?.[0]);
    return [{ dtype: x.dtype, shape: [f.batch, f.frames, f.bins, 2] }];
  },
  reference(inputs, a, ctx): HostTensor[] {
    const [x, step, win, fl] = inputs;
    const f = frames(ctx, x!.shape, a, step ? Number(step.data[0]) : undefined, win?.shape ?? null, fl ? Number(fl.data[0]) : undefined);
    const g: DftGeom = { outer: f.batch * f.frames, n: f.L, inner: 1, complex: f.complex, L: f.L, bins: f.bins, shape: [f.batch, f.frames, f.bins, 2] };
    const cs = f.complex ? 2 : 1;
    return [dftRef(x!, g, false, (o, m) => {
      const b = Math.floor(o / f.frames), s = (o % f.frames) * f.step + m;
      if (m >= f.W || s >= f.length) return null;
      const w = win ? win.data[m]! : 1, p = (b * f.length + s) * cs;
      return [x!.data[p]! * w, f.complex ? x!.data[p + 1]! * w : 0];
    })];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!, hasWin = !!ctx.inputs[2];
    const f = frames(ctx, x.shape, a, optConstInts(ctx, 1, 'frame_step')?.[0], ctx.inputs[2]?.shape ?? null, optConstInts(ctx, 3, 'frame_length')?.[0]);
    const total = f.batch * f.frames * f.bins;
    if (total === 0) return { kernels: [] };
    return { kernels: [declaredKernel({
      name: 'stft', key: `stft_${hasWin ? 'window' : 'plain'}`, sig: sigs[hasWin ? 1 : 0]!,
      args: [{ input: 0 }, ...(hasWin ? [{ input: 2 }] : []), { output: 0 }], workgroups: grid(ctx, total),
      params: { total, frames: f.frames, bins: f.bins, length: f.length, step: f.step, W: f.W, L: f.L, complex: f.complex ? 1 : 0 },
      source: () => ({
        requires: [linearIndex(WG), twiddleModule],
        body: perItemMain(WG, 'idx', 'P.total', `  let k = idx % P.bins; let fr = (idx / P.bins) % P.frames; let b = idx / (P.bins * P.frames);
  let sgn = -1.0;
  let terms = min(P.W, P.L);
  let cs = select(1u, 2u, P.complex == 1u);
  ${dftLoop(`let s = fr * P.step + m;
    var v = vec2<f32>(0.0);
    if (s < P.length) {
      let p = (b * P.length + s) * cs;
      v.x = X_ld(p);
      if (P.complex == 1u) { v.y = X_ld(p + 1u); }
      ${hasWin ? 'v *= Wn_ld(m);' : ''}
    }`)}
  Y_st(idx * 2u, acc.x);
  Y_st(idx * 2u + 1u, acc.y);`),
      }),
    })] };
  },
};
