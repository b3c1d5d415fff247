/**
 * Dropout (https://onnx.ai/onnx/operators/onnx__Dropout.html): identity at inference. The optional
 * mask output and training_mode=true (unless the ratio is a constant 0) are refused: wgml runs
 * inference. A mask nothing reads (torch exports one for F.dropout in torchvision's swin_t) is
 * dropped before this rule sees the node.
 */
import type { OpDef } from '../types.js';

export const dropoutOp: OpDef<Record<string, never>> = {
  type: 'Dropout',
  optionalOutputs: 1,
  attrs: () => ({}),
  infer: (ctx) => {
    if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) throw ctx.error('the mask output is not supported', 'wgml runs inference; drop the mask output when exporting (model.eval())');
    // training_mode=true with ratio 0 drops nothing: torchvision's swin_t calls F.dropout(p=0.0)
    // without training=, which exports exactly that.
    const tm = ctx.constant(2), ratio = ctx.constant(1);
    const dropsNothing = !!ratio && ratio.data[0] === 0;
    if (ctx.node.inputs[2] && (!tm || tm.data[0] !== 0) && !dropsNothing)
      throw ctx.error('training_mode must be a constant false (or the ratio a constant 0)', 'export the model in eval mode');
    return [ctx.inputs[0]!];
  },
  reference: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() }],
  alias: () => 0,
};
