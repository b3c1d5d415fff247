/**
 * MelWeightMatrix — https://onnx.ai/onnx/operators/onnx__MelWeightMatrix.html
 * Opset 17+. [⌊dft_length/2⌋ + 1, num_mel_bins] triangular filters that map a onesided spectrum to mel
 * bins: num_mel_bins + 2 points evenly spaced in mel (2595·log10(1 + f/700)) from lower_edge_hertz to
 * upper_edge_hertz (step = span / (num_mel_bins + 2), as ONNX's reference has it), each mapped to the
 * spectrum bin ⌊(dft_length + 1)·f / sample_rate⌋; filter i rises from point i to i + 1 and falls to
 * i + 2. Every input is a compile-time constant, so the matrix is folded when the network is planned:
 * no kernel.
 */
import type { ElemType, HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike } from '../shape/common.js';
import { FLOAT_TYPES } from './windows.js';

interface A { dtype: ElemType }

function sizes(ctx: Parameters<OpDef<A>['infer']>[0]): { mels: number; bins: number } {
  const [mels] = constInts(ctx, 0, 'num_mel_bins'), [dft] = constInts(ctx, 1, 'dft_length');
  if (!Number.isInteger(mels) || mels! < 1 || !Number.isInteger(dft) || dft! < 1) throw ctx.error(`num_mel_bins ${mels} and dft_length ${dft} must be positive integers`, 'give the filter count and the transform length', { mels, dft });
  return { mels: mels!, bins: Math.floor(dft! / 2) + 1 };
}

export const MelWeightMatrix: OpDef<A> = {
  type: 'MelWeightMatrix', opsets: [17, 99], constInputs: [0, 1, 2, 3, 4],
  attrs(a) {
    const code = a.int('output_datatype', 1);
    const dtype = FLOAT_TYPES[code];
    if (!dtype) throw a.error(`output_datatype ${code} is not a float type`, 'use 1 (FLOAT), 10 (FLOAT16), 11 (DOUBLE) or 16 (BFLOAT16)', { outputDatatype: code });
    return { dtype };
  },
  infer(ctx, a) {
    expectInputs(ctx, 5, 5);
    const { mels, bins } = sizes(ctx);
    const [rate] = constInts(ctx, 2, 'sample_rate');
    if (!(rate! > 0)) throw ctx.error(`sample_rate ${rate} must be positive`, 'give the signal\'s sample rate in Hz', { sampleRate: rate });
    return [{ dtype: a.dtype, shape: [bins, mels] }];
  },
  reference(inputs, a): HostTensor[] {
    const [mels, dft, rate, lo, hi] = inputs.map((t) => Number(t!.data[0]));
    const bins = Math.floor(dft! / 2) + 1;
    const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
    const m0 = mel(lo!), step = (mel(hi!) - m0) / (mels! + 2);
    const point = Array.from({ length: mels! + 2 }, (_, j) => Math.floor(((dft! + 1) * 700 * (10 ** ((j * step + m0) / 2595) - 1)) / rate!));
    const y = emptyLike(a.dtype, [bins, mels!]);
    const set = (row: number, col: number, v: number) => { if (row >= 0 && row < bins) y.data[row * mels! + col] = v; };
    for (let i = 0; i < mels!; i++) {
      const [l, c, r] = [point[i]!, point[i + 1]!, point[i + 2]!];
      if (c === l) set(c, i, 1);
      else for (let j = l; j <= c; j++) set(j, i, (j - l) / (c - l));
      for (let j = c; j < r; j++) set(j, i, (r - j) / (r - c));
    }
    return [y];
  },
};
