/**
 * Pow — https://onnx.ai/onnx/operators/onnx__Pow.html
 * Base and exponent may differ in type (opset 12+). Float base: C pow semantics (pow(x, 0) = 1,
 * pow(1, y) = 1, negative base needs an integral exponent, 0^-y = Inf). Integer base with integer
 * exponent: exact by squaring, wrapping; with float exponent: float pow truncated toward zero.
 */
import { storageType } from '../../ir/types.js';
import { cpuIpow, cpuPow, requireKind } from './formula.js';
import { elementwiseOp, spec } from './op.js';

export const Pow = elementwiseOp<Record<string, never>>({
  type: 'Pow', spec: spec('Pow'), arity: [2, 2],
  params: () => ({}),
  formula(_p, ins, fail) {
    const t = requireKind('Pow', ins[0] ?? null, ['float', 'int'], fail, 'base X');
    const te = requireKind('Pow', ins[1] ?? null, ['float', 'int', 'uint'], fail, 'exponent Y');
    const sb = storageType(t), se = storageType(te);
    const fy = (y: string) => (se === 'f32' ? y : `f32(${y})`);
    if (sb === 'f32') return { out: t, wgsl: ([x, y]) => `ew_pow(${x}, ${fy(y!)})`, cpu: ([x, y]) => cpuPow(x!, y!) };
    if (se === 'f32') {
      return {
        out: t,
        wgsl: ([x, y]) => `i32(clamp(ew_pow(f32(${x}), ${y}), -2147483648.0, 2147483520.0))`,
        cpu: ([x, y]) => Math.trunc(Math.min(2147483520, Math.max(-2147483648, Math.fround(cpuPow(x!, y!))))),
      };
    }
    return { out: t, wgsl: ([x, y]) => `ew_ipow(${x}, ${se === 'u32' ? `i32(min(${y}, 64u))` : y})`, cpu: ([x, y]) => cpuIpow(x!, Math.min(y!, 64)) };
  },
}, { fusable: true });
