/**
 * Dropout (https://onnx.ai/onnx/operators/onnx__Dropout.html): identity at inference. The optional
 * mask output and training_mode=true are refused (wgml runs inference).
 */
import type { OpDef } from '../types.js';

export const dropoutOp: OpDef<Record<string, never>> = {
  type: 'Dropout',
  attrs: () => ({}),
  infer: (ctx) => {
    if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) throw ctx.error('the mask output is not supported', 'wgml runs inference; drop the mask output when exporting (model.eval())');
    const tm = ctx.constant(2);
    if (ctx.node.inputs[2] && (!tm || tm.data[0] !== 0)) throw ctx.error('training_mode must be a constant false', 'export the model in eval mode');
    return [ctx.inputs[0]!];
  },
  reference: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() }],
  alias: () => 0,
};
