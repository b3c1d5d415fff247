/**
 * Input-count checks every shape rule starts with: a node with too few or too many inputs (fuzzed or
 * hand-edited models) is refused with a NodeError naming the op's arity, instead of crashing deeper
 * in the rule on an undefined input.
 */
import type { InferContext } from './types.js';

/**
 * Throw unless the node has between `min` and `max` inputs (trailing '' counts: it is an omitted
 * optional input) and each of the first `min` (the required ones) is present.
 */
export function expectInputs(ctx: InferContext, min: number, max = min): void {
  const n = Math.max(ctx.node.inputs.length, ctx.inputs.length);
  const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min}–${max}`;
  if (n < min || n > max) {
    throw ctx.error(`expects ${want} input(s), got ${n} input(s)`, `see https://onnx.ai/onnx/operators/onnx__${ctx.node.opType}.html for the inputs of ${ctx.node.opType}`, { inputs: n, min, max });
  }
  for (let i = 0; i < min; i++) {
    if (!ctx.inputs[i]) throw ctx.error(`required input ${i} is missing`, `${ctx.node.opType} needs inputs 0..${min - 1}; re-export the model`, { input: i });
  }
}
