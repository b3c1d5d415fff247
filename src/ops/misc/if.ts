/**
 * If (https://onnx.ai/onnx/operators/onnx__If.html): registered so models with If load; the node
 * itself never reaches a kernel, since specialization expands it (see ir/control-flow.ts).
 */
import type { OpDef } from '../types.js';

export const ifOp: OpDef<Record<string, never>> = {
  type: 'If',
  attrs: () => ({}),
  infer: (ctx) => { throw ctx.error('If reached shape inference unexpanded', 'this is a wgml bug: specialization expands If'); },
  reference: (_i, _a, ctx) => { throw ctx.error('If has no direct reference', 'specialization expands If into its branches'); },
};
