/**
 * Elementwise ops as formulas: one WGSL expression and one independent CPU function per op, over
 * 32-bit words (f32 / i32 / u32, see storageType). The same formulas drive the single-op kernels,
 * the fused `wgml.FusedElementwise` kernel and both CPU references, so fusing never changes results.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { ElemType } from '../../ir/types.js';
import { storageType } from '../../ir/types.js';
import type { WgslModule } from '../../gpu/wgsl.js';
import { floatLit } from '../../gpu/wgsl-literal.js';
import { activations, divRn, sincosReduced } from '../wgsl-common.js';

export type Stor = 'f32' | 'i32' | 'u32';
export type Kind = 'float' | 'int' | 'uint' | 'bool';
export type Fail = (message: string, hint: string, details?: Record<string, unknown>) => Error;

/** One op's scalar function for fixed input dtypes. Args are null for omitted optional inputs. */
export interface Formula {
  out: ElemType;
  /** WGSL expression over argument expressions (plain identifiers), each in its input's storage type. */
  wgsl(args: (string | null)[]): string;
  /** The same function on the CPU, on values already in their storage type. */
  cpu(args: (number | null)[]): number;
}

export interface EwDef<P = unknown> {
  type: string;
  /** Spec page, kept with the definition for error hints. */
  spec: string;
  arity: readonly [number, number];
  opsets?: readonly [number, number];
  params(a: Attrs, opset: number): P;
  formula(p: P, ins: (ElemType | null)[], fail: Fail): Formula;
  /** Output shape; default: numpy broadcast of the present inputs. */
  shape?(shapes: (number[] | null)[], fail: Fail): number[];
}

export function kindOf(t: ElemType): Kind {
  if (t === 'bool') return 'bool';
  const s = storageType(t);
  return s === 'f32' ? 'float' : s === 'u32' ? 'uint' : 'int';
}

/** Refuse dtypes the op does not define (ONNX type constraints, reduced to word kinds). */
export function requireKind(type: string, t: ElemType | null, kinds: readonly Kind[], fail: Fail, what = 'input'): ElemType {
  if (t === null) throw fail(`${what} is missing`, `${type} needs this input`);
  if (t === 'string' || !kinds.includes(kindOf(t))) {
    throw fail(`${type} does not accept ${what} of type ${t}`, `${type} is defined for ${kinds.join('/')} tensors; insert a Cast before it`, { dtype: t });
  }
  return t;
}

export function requireSame(type: string, ts: (ElemType | null)[], fail: Fail): void {
  const present = ts.filter((t): t is ElemType => t !== null);
  if (present.some((t) => t !== present[0])) {
    throw fail(`${type} inputs must share one dtype, got ${present.join(', ')}`, 'insert a Cast so that all inputs have the same type', { dtypes: present });
  }
}

/** A WGSL literal of storage type s. Non-finite floats are written as bit patterns (WGSL has no inf literal). */
export function lit(v: number, s: Stor): string {
  if (s === 'u32') return `${v >>> 0}u`;
  if (s === 'i32') return `i32(${v | 0})`;
  if (Number.isNaN(v)) return 'ew_nan()';
  if (!Number.isFinite(v)) return v > 0 ? 'ew_inf()' : '(-ew_inf())';
  return `f32(${floatLit(Math.fround(v))})`;
}

/** Convert a JS number to the value a word of storage type s holds (what the GPU computes). */
export function store(s: Stor, v: number): number {
  if (s === 'f32') return Math.fround(v);
  // ToInt32/ToUint32 truncate then wrap modulo 2^32 exactly, like WGSL integer arithmetic.
  return s === 'i32' ? v | 0 : v >>> 0;
}

/** Helpers every elementwise shader includes: NaN/Inf tests on the bits (comparisons may be folded away). */
export const ewHelpers: WgslModule = {
  name: 'ew_helpers',
  requires: [activations, divRn, sincosReduced],
  code: `
// NaN and Inf from private vars: WGSL const-expressions may not produce them.
var<private> ew_nan_bits: u32 = 0x7fc00000u;
var<private> ew_inf_bits: u32 = 0x7f800000u;
fn ew_nan() -> f32 { return bitcast<f32>(ew_nan_bits); }
fn ew_inf() -> f32 { return bitcast<f32>(ew_inf_bits); }
fn ew_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn ew_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn ew_b(c: bool) -> i32 { return select(0i, 1i, c); }
// tanh without the inf/inf of exp overflow, exact near 0 via the builtin.
fn ew_tanh(x: f32) -> f32 { return select(tanh(clamp(x, -15.0, 15.0)), x, ew_isnan(x)); }
// (sin x, cos x) to ~1e-7 absolute for |x| < 102000 (sincos_rr); past that range the builtins, which hardware
// evaluates after reducing the argument in f32 and so loses about |x|·2^-24; NaN for NaN and ±Inf.
fn ew_sincos(x: f32) -> vec2<f32> {
  if (!(abs(x) <= 102000.0)) { return select(vec2<f32>(sin(x), cos(x)), vec2<f32>(ew_nan()), ew_isnan(x) || ew_isinf(x)); }
  return sincos_rr(x);
}
fn ew_tan(x: f32) -> f32 { let v = ew_sincos(x); return v.x / v.y; }
// log(1 + exp(x)) without overflow, with the log1p trick so tiny results keep their precision.
fn ew_softplus(x: f32) -> f32 {
  let e = exp(-abs(x));
  let u = 1.0 + e;
  let l = select(log(u) * e / (u - 1.0), e, u == 1.0);
  return max(x, 0.0) + l;
}
// pow with C semantics for the cases WGSL leaves undefined (x <= 0, y == 0, NaN).
fn ew_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (ew_isnan(x) || ew_isnan(y)) { return x + y; }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) { r = select(ew_inf(), 0.0, y > 0.0); }
  else if (ew_isinf(y)) { r = select(select(0.0, ew_inf(), y > 0.0), select(ew_inf(), 0.0, y > 0.0), ax < 1.0); if (ax == 1.0) { r = 1.0; } }
  else { r = pow(ax, y); }
  if (x < 0.0 && !ew_isinf(y)) {
    if (fract(y) != 0.0) { return ew_nan(); }
    if (fract(y * 0.5) != 0.0) { r = -r; }
  }
  return r;
}
// Max/Min that propagate NaN (ONNX follows numpy here; WGSL max/min may return either operand).
fn ew_maxf(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, ew_isnan(a) || ew_isnan(b)); }
fn ew_minf(a: f32, b: f32) -> f32 { return select(min(a, b), a + b, ew_isnan(a) || ew_isnan(b)); }
// Integer Mod with fmod = 0: the result takes the divisor's sign (Python's %); x % 0 is 0.
fn ew_mod_i(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } let r = a % b; return select(r, r + b, r != 0 && ((r < 0) != (b < 0))); }
// Round to float16 on the bits (pack/unpack2x16float may be folded into a no-op): normal range keeps
// 10 mantissa bits, the subnormal range is a 2^-24 grid, beyond the largest half it overflows.
fn ew_f16(x: f32) -> f32 {
  let a = abs(x);
  if (ew_isnan(x)) { return x; }
  if (a >= 65520.0) { return select(-ew_inf(), ew_inf(), x > 0.0); }
  if (a < 6.103515625e-05) { return round(x * 16777216.0) / 16777216.0; }
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}
fn ew_bf16(x: f32) -> f32 { let b = bitcast<u32>(x); return select(bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u), x, ew_isnan(x)); }
// Integer power by squaring (wrapping like the CPU's Math.imul); negative exponents truncate to 0 except for |x| = 1.
fn ew_ipow(x: i32, y: i32) -> i32 {
  if (y < 0) { return select(select(0i, select(-1i, 1i, (y & 1) == 0), x == -1), 1i, x == 1); }
  var r = 1i; var b = x; var e = y;
  for (var k = 0; k < 32 && e > 0; k++) { if ((e & 1) == 1) { r = r * b; } b = b * b; e = e >> 1u; }
  return r;
}
`,
};

/** CPU counterparts of the helpers above, written from the ONNX/C definitions. */
export function cpuPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x < 0 && Number.isFinite(y) && !Number.isInteger(y)) return NaN;
  if (Math.abs(x) === 1 && !Number.isFinite(y)) return 1;
  return Math.pow(x, y);
}

export function cpuIpow(x: number, y: number): number {
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
  let r = 1, b = x | 0, e = y;
  while (e > 0) { if (e & 1) r = Math.imul(r, b); b = Math.imul(b, b); e >>>= 1; }
  return r;
}

export function cpuSoftplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/** Round half to even, as ONNX Round (and WGSL round) define it. */
export function cpuRoundEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x), d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Nearest float16 value (round to nearest even), for Cast to float16 stored as f32. */
export function cpuF16Round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++;
  const q = 2 ** (Math.max(e, -14) - 10);
  return Math.sign(x) * cpuRoundEven(a / q) * q;
}

/** Nearest bfloat16 value (round to nearest even on the bits). */
export function cpuBf16Round(x: number): number {
  if (Number.isNaN(x)) return x;
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  u[0] = ((u[0]! + 0x7fff + ((u[0]! >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f[0]!;
}
