/**
 * Where — https://onnx.ai/onnx/operators/onnx__Where.html
 * cond ? X : Y with numpy broadcasting over all three; X and Y share a dtype (any type).
 */
import { requireKind, requireSame } from './formula.js';
import { elementwiseOp, spec } from './op.js';

export const Where = elementwiseOp<Record<string, never>>({
  type: 'Where', spec: spec('Where'), arity: [3, 3],
  params: () => ({}),
  formula(_p, ins, fail) {
    requireKind('Where', ins[0] ?? null, ['bool'], fail, 'condition');
    const t = requireKind('Where', ins[1] ?? null, ['float', 'int', 'uint', 'bool'], fail, 'X');
    requireSame('Where', ins.slice(1), fail);
    return { out: t, wgsl: ([c, x, y]) => `select(${y}, ${x}, ${c} != 0i)`, cpu: ([c, x, y]) => (c !== 0 ? x! : y!) };
  },
}, { fusable: true });
