/**
 * Cast — https://onnx.ai/onnx/operators/onnx__Cast.html
 * Between the 32-bit word representations: float → int truncates toward zero (NaN → 0, out of
 * range saturates as WGSL's conversion does), anything → bool is != 0 (NaN → true), int8/int16/
 * uint8/uint16 results wrap to their width, float16/bfloat16 results are rounded to nearest even.
 * int64/uint64 are computed as 32-bit words. Cast-1's type name ('FLOAT') becomes its code at import
 * (onnx/legacy.ts). Opset 19's `saturate` only concerns float8 (unsupported).
 */
import type { ElemType } from '../../ir/types.js';
import { storageType } from '../../ir/types.js';
import { cpuBf16Round, cpuF16Round, kindOf, requireKind } from './formula.js';
import { elementwiseOp, spec } from './op.js';

/** TensorProto.DataType → ElemType for the types wgml stores as words. */
const ONNX_TYPES: Record<number, ElemType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** Largest f32 values that convert to i32/u32 without overflow: WGSL clamps to these. */
const I32_HI = 2147483520, U32_HI = 4294967040;

function wrapWgsl(t: ElemType, v: string): string {
  switch (t) {
    case 'int8': return `((${v} << 24u) >> 24u)`;
    case 'int16': return `((${v} << 16u) >> 16u)`;
    case 'uint8': return `(${v} & 0xffu)`;
    case 'uint16': return `(${v} & 0xffffu)`;
    default: return v;
  }
}

function wrapCpu(t: ElemType, v: number): number {
  switch (t) {
    case 'int8': return (v << 24) >> 24;
    case 'int16': return (v << 16) >> 16;
    case 'uint8': return v & 0xff;
    case 'uint16': return v & 0xffff;
    default: return v;
  }
}

export const Cast = elementwiseOp<{ to: ElemType }>({
  type: 'Cast', spec: spec('Cast'), arity: [1, 1],
  params: (a) => {
    const code = a.int('to');
    const to = ONNX_TYPES[code];
    if (!to) throw a.error(`cannot cast to ONNX type ${code}`, 'wgml supports casts to float/float16/bfloat16/double, (u)int8–64 and bool; strings and float8 are not supported');
    return { to };
  },
  formula(p, ins, fail) {
    const from = requireKind('Cast', ins[0] ?? null, ['float', 'int', 'uint', 'bool'], fail);
    const fk = kindOf(from), sf = storageType(from), to = p.to, st = storageType(to);
    if (to === 'bool') {
      const z = sf === 'f32' ? '0.0' : sf === 'u32' ? '0u' : '0i';
      // NaN is true; tested on the bits because compilers may assume x != 0.0 is false for NaN.
      const nan = (x: string) => (sf === 'f32' ? `ew_isnan(${x}) || ` : '');
      return { out: to, wgsl: ([x]) => `ew_b(${nan(x!)}${x} != ${z})`, cpu: ([x]) => (x !== 0 ? 1 : 0) };
    }
    if (st === 'f32') {
      const round = to === 'float16' ? 'ew_f16' : to === 'bfloat16' ? 'ew_bf16' : '';
      const r = to === 'float16' ? cpuF16Round : to === 'bfloat16' ? cpuBf16Round : (v: number) => v;
      return {
        out: to,
        wgsl: ([x]) => { const v = sf === 'f32' ? x! : `f32(${x})`; return round ? `${round}(${v})` : v; },
        cpu: ([x]) => r(Math.fround(x!)),
      };
    }
    if (fk === 'float') {
      const hi = st === 'i32' ? I32_HI : U32_HI, lo = st === 'i32' ? -2147483648 : 0;
      return {
        out: to,
        wgsl: ([x]) => wrapWgsl(to, `select(${st}(${x}), 0${st === 'i32' ? 'i' : 'u'}, ew_isnan(${x}))`),
        cpu: ([x]) => (Number.isNaN(x) ? 0 : wrapCpu(to, st === 'i32' ? Math.trunc(Math.min(hi, Math.max(lo, x!))) | 0 : Math.trunc(Math.min(hi, Math.max(lo, x!))) >>> 0)),
      };
    }
    // Integer → integer: reinterpret the word, then wrap to the target width.
    return {
      out: to,
      wgsl: ([x]) => wrapWgsl(to, sf === st ? x! : `bitcast<${st}>(${x})`),
      cpu: ([x]) => wrapCpu(to, st === 'i32' ? x! | 0 : x! >>> 0),
    };
  },
}, { fusable: true });
