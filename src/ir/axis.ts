/** Axis attributes: one normalisation and one error for every op that takes an axis. */
import type { RuleContext } from './infer.js';

/**
 * `axis` in [-rank, rank - 1] as a non-negative index, or the node's error. Scalars have no axis (ONNX
 * defines axis attributes for rank ≥ 1 only), and non-integers (a float attribute) are refused here
 * rather than indexing shapes with them.
 */
export function normAxis(ctx: Pick<RuleContext, 'error'>, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    const hint = rank === 0 ? `the input is a scalar, which has no ${what} to choose; reshape it to rank 1` : `use an ${what} in [-${rank}, ${rank - 1}]`;
    throw ctx.error(`${what} ${axis} is out of range for rank ${rank}`, hint, { axis, rank });
  }
  return a;
}
