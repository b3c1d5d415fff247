/**
 * BitShift — https://onnx.ai/onnx/operators/onnx__BitShift.html
 * Unsigned only. Shifts of the type's width or more give 0; uint8/uint16 results keep their width.
 */
import { storageType } from '../../ir/types.js';
import { requireKind, requireSame } from './formula.js';
import { elementwiseOp, spec } from './op.js';

export const BitShift = elementwiseOp<{ left: boolean }>({
  type: 'BitShift', spec: spec('BitShift'), arity: [2, 2], opsets: [11, 99],
  params: (a) => {
    const d = a.string('direction');
    if (d !== 'LEFT' && d !== 'RIGHT') throw a.error(`direction must be LEFT or RIGHT, got '${d}'`, 'see https://onnx.ai/onnx/operators/onnx__BitShift.html');
    return { left: d === 'LEFT' };
  },
  formula(p, ins, fail) {
    const t = requireKind('BitShift', ins[0] ?? null, ['uint'], fail, 'X');
    requireSame('BitShift', ins, fail);
    if (storageType(t) !== 'u32') throw fail(`BitShift needs unsigned inputs, got ${t}`, 'insert a Cast to uint32');
    const bits = t === 'uint8' ? 8 : t === 'uint16' ? 16 : 32;
    const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    return {
      out: t,
      wgsl: ([x, y]) => `select(((${x} ${p.left ? '<<' : '>>'} min(${y}, 31u)) & ${mask >>> 0}u), 0u, ${y} >= ${bits}u)`,
      cpu: ([x, y]) => (y! >= bits ? 0 : ((p.left ? x! << y! : x! >>> y!) & mask) >>> 0),
    };
  },
}, { fusable: true });
