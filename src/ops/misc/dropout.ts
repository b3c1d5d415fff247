/**
 * Dropout (https://onnx.ai/onnx/operators/onnx__Dropout.html; opsets 1–22): identity at inference, and its
 * optional mask output (opset 12+) all true, as the spec's reference returns it. The mask follows from the
 * shape alone, so it is a constant (constantOutputs) and no kernel writes it. training_mode=true is refused
 * unless the ratio is a constant 0: wgml runs inference. A mask nothing reads (torch exports one for F.dropout
 * in torchvision's swin_t) is dropped before this rule sees the node.
 */
import type { HostTensor, ValueType } from '../../ir/types.js';
import type { OpDef } from '../types.js';

const allTrue = (t: ValueType): HostTensor => ({ dtype: 'bool', shape: [...t.shape], data: new Int32Array(t.shape.reduce((a, b) => a * b, 1)).fill(1) });

export const dropoutOp: OpDef<Record<string, never>> = {
  type: 'Dropout',
  optionalOutputs: 1,
  attrs: () => ({}),
  infer: (ctx) => {
    // training_mode=true with ratio 0 drops nothing: torchvision's swin_t calls F.dropout(p=0.0)
    // without training=, which exports exactly that.
    const tm = ctx.constant(2), ratio = ctx.constant(1);
    const dropsNothing = !!ratio && ratio.data[0] === 0;
    if (ctx.node.inputs[2] && (!tm || tm.data[0] !== 0) && !dropsNothing)
      throw ctx.error('training_mode must be a constant false (or the ratio a constant 0)', 'export the model in eval mode');
    const x = ctx.inputs[0]!;
    return ctx.node.outputs[1] ? [x, { dtype: 'bool', shape: [...x.shape] }] : [x];
  },
  constantOutputs: (ctx, _a, outs) => new Map(ctx.node.outputs[1] && outs[1] ? [[1, allTrue(outs[1])]] : []),
  reference: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() }, allTrue(x!)],
  alias: () => 0,
};
