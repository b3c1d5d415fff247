/**
 * Reshape — https://onnx.ai/onnx/operators/onnx__Reshape.html
 * Opset 5+: the shape is input 1 (must be a compile-time constant here); 0 copies the input dim unless
 * `allowzero` (opset 14) is 1, -1 is inferred. Opsets 1–4 (shape attribute) arrive here in
 * the later form: the importer turns the attribute into input 1 (onnx/legacy.ts).
 * Pure reinterpretation: no kernel runs.
 */
import type { OpDef } from '../types.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { constInts, checkRank } from './common.js';
import type { InferContext } from '../types.js';
import { expectInputs } from '../arity.js';

interface A { allowzero: boolean }

export function reshapeTarget(ctx: InferContext, inShape: readonly number[], spec: readonly number[], allowzero: boolean): number[] {
  const out = spec.map((d, i) => (d === 0 && !allowzero ? inShape[i] ?? NaN : d));
  if (out.some((d) => Number.isNaN(d))) throw ctx.error(`shape ${JSON.stringify(spec)} copies a dim (0) past the input's rank ${inShape.length}`, 'fix the shape constant', { spec, inShape });
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1 || out.some((d) => d < -1)) throw ctx.error(`invalid shape ${JSON.stringify(spec)}`, 'at most one -1, other dims non-negative', { spec });
  const n = shapeSize(inShape);
  if (neg) {
    const known = out.reduce((a, d) => (d === -1 ? a : a * d), 1);
    if (known === 0 || n % known) throw ctx.error(`cannot reshape [${inShape.join(', ')}] to ${JSON.stringify(spec)}`, 'the element counts must match', { spec, inShape });
    out[out.indexOf(-1)] = n / known;
  }
  if (shapeSize(out) !== n) throw ctx.error(`cannot reshape [${inShape.join(', ')}] (${n} elements) to [${out.join(', ')}]`, 'the element counts must match', { spec, inShape });
  return out;
}

export const Reshape: OpDef<A> = {
  type: 'Reshape', constInputs: [1],
  attrs: (a) => ({ allowzero: a.int('allowzero', 0) === 1 }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 2, 2);
    const x = ctx.inputs[0]!;
    const shape = reshapeTarget(ctx, x.shape, constInts(ctx, 1, 'shape'), a.allowzero);
    checkRank(ctx, shape, 'output');
    return [{ dtype: x.dtype, shape }];
  },
  reference(inputs, a, ctx): HostTensor[] {
    const x = inputs[0]!;
    const shape = reshapeTarget(ctx, x.shape, Array.from(inputs[1]!.data), a.allowzero);
    return [{ dtype: x.dtype, shape, data: x.data.slice() }];
  },
  alias: () => 0,
};
