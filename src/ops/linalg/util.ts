/** Helpers shared by the linalg family: axis normalization, literals, required inputs and outputs. */
import type { InferContext } from '../types.js';
import type { ValueType } from '../../ir/types.js';

/** Normalize a possibly negative axis against `rank`, throwing a NodeError naming the node. */
export function normAxis(ctx: InferContext, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw ctx.error(`${what} ${axis} is out of range for rank ${rank}`, `use an ${what} in [-${rank}, ${rank - 1}]`, { axis, rank });
  return a;
}

export function prod(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** A WGSL f32 literal for any JS number (infinities clamp to the f32 range). */
export function f32Lit(x: number): string {
  if (Number.isNaN(x)) return 'bitcast<f32>(0x7fc00000u)';
  if (!Number.isFinite(x)) return x > 0 ? '3.4028234663852886e38' : '-3.4028234663852886e38';
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
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
