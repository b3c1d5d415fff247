/** Helpers shared by the linalg family: axis normalization, literals, required inputs and outputs. */
import type { InferContext } from '../types.js';
import type { ValueType } from '../../ir/types.js';

export function prod(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}


/** The input's type, or a NodeError saying which input is missing. */
export function need(ctx: InferContext, i: number, name: string): ValueType {
  const t = ctx.inputs[i];
  if (!t) throw ctx.error(`input ${i} (${name}) is required`, 're-export the model; the ONNX spec requires this input');
  return t;
}

/** Is output i requested (its name non-empty)? */
export function wantsOutput(ctx: InferContext, i: number): boolean {
  return (ctx.node.outputs[i] ?? '') !== '';
}

/** Mean and (population) variance of data[base .. base + n): the statistics the CPU references of the norms share. */
export function moments(data: ArrayLike<number>, base: number, n: number): { mean: number; variance: number } {
  let m = 0, v = 0;
  for (let i = 0; i < n; i++) m += data[base + i]!;
  m /= n;
  for (let i = 0; i < n; i++) v += (data[base + i]! - m) ** 2;
  return { mean: m, variance: v / n };
}
