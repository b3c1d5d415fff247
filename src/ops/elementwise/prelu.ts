/**
 * PRelu — https://onnx.ai/onnx/operators/onnx__PRelu.html
 * x < 0 ? slope x : x, slope broadcast unidirectionally to X (the output has X's shape). Opset 16 adds ints.
 */
import { fmtShape, storageType } from '../../ir/types.js';
import { broadcastShapes } from './broadcast.js';
import { requireKind, requireSame, lit } from './formula.js';
import { elementwiseOp, spec } from './op.js';

export const PRelu = elementwiseOp<Record<string, never>>({
  type: 'PRelu', spec: spec('PRelu'), arity: [2, 2],
  params: () => ({}),
  formula(_p, ins, fail) {
    const t = requireKind('PRelu', ins[0] ?? null, ['float', 'int', 'uint'], fail, 'X');
    requireSame('PRelu', ins, fail);
    const s = storageType(t);
    return {
      out: t,
      wgsl: ([x, k]) => `select(${x}, ${k} * ${x}, ${x} < ${lit(0, s)})`,
      cpu: ([x, k]) => (x! < 0 ? (s === 'f32' ? k! * x! : Math.imul(k!, x!)) : x!),
    };
  },
  shape([x, slope], fail) {
    const out = broadcastShapes([x!, slope!], fail);
    if (out.length !== x!.length || out.some((d, i) => d !== x![i])) {
      throw fail(`slope ${fmtShape(slope!)} does not broadcast to X ${fmtShape(x!)}`, 'PRelu broadcasts the slope to X only (unidirectional); reshape the slope');
    }
    return out;
  },
}, { fusable: true });
