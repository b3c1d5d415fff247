/**
 * Mod — https://onnx.ai/onnx/operators/onnx__Mod.html
 * fmod = 0 (integers only): the result has the divisor's sign (Python %). fmod = 1: the dividend's
 * sign (C fmod), required for floats. x mod 0 is 0 for integers (ONNX leaves it undefined).
 */
import { storageType } from '../../ir/types.js';
import { requireKind, requireSame } from './formula.js';
import { elementwiseOp, spec } from './op.js';

export const Mod = elementwiseOp<{ fmod: boolean }>({
  type: 'Mod', spec: spec('Mod'), arity: [2, 2], opsets: [10, 99],
  params: (a) => ({ fmod: a.int('fmod', 0) === 1 }),
  formula(p, ins, fail) {
    const t = requireKind('Mod', ins[0] ?? null, ['float', 'int', 'uint'], fail, 'input A');
    requireSame('Mod', ins, fail);
    const s = storageType(t);
    if (s === 'f32') {
      if (!p.fmod) throw fail(`fmod = 0 is not defined for ${t} inputs`, 'set fmod = 1 for floating-point Mod, as the ONNX spec requires');
      // WGSL's f32 % is x - y * trunc(x / y), the C fmod up to rounding.
      return { out: t, wgsl: ([a, b]) => `${a} % ${b}`, cpu: ([a, b]) => a! % b! };
    }
    const z = s === 'u32' ? '0u' : '0i';
    if (p.fmod || s === 'u32') {
      return { out: t, wgsl: ([a, b]) => `select(${a} % ${b}, ${z}, ${b} == ${z})`, cpu: ([a, b]) => (b === 0 ? 0 : a! % b!) };
    }
    return {
      out: t,
      wgsl: ([a, b]) => `ew_mod_i(${a}, ${b})`,
      cpu: ([a, b]) => { if (b === 0) return 0; const r = a! % b!; return r !== 0 && (r < 0) !== (b! < 0) ? r + b! : r; },
    };
  },
}, { fusable: true });
