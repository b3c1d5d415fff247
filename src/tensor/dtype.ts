/**
 * Tensor element types. 8-bit types are packed four to a 32-bit word in storage (WGSL has no 8-bit
 * storage type); f16 needs the device feature `shader-f16`.
 */
import { DTypeError } from '../errors.js';

export type DType = 'f32' | 'f16' | 'i32' | 'u32' | 'i8' | 'u8';
export const DTYPES: readonly DType[] = ['f32', 'f16', 'i32', 'u32', 'i8', 'u8'];

export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array
  : D extends 'f16' ? Uint16Array
  : D extends 'i32' ? Int32Array
  : D extends 'u32' ? Uint32Array
  : D extends 'i8' ? Int8Array
  : Uint8Array;
export type AnyTypedArray = Float32Array | Uint16Array | Int32Array | Uint32Array | Int8Array | Uint8Array;

/** Bytes one element takes in a buffer. */
export function dtypeBytes(d: DType): number {
  switch (d) {
    case 'f32': case 'i32': case 'u32': return 4;
    case 'f16': return 2;
    case 'i8': case 'u8': return 1;
  }
}

/** The WGSL scalar a kernel computes with for this dtype. */
export function wgslScalar(d: DType): 'f32' | 'f16' | 'i32' | 'u32' {
  switch (d) {
    case 'f32': return 'f32';
    case 'f16': return 'f16';
    case 'i32': case 'i8': return 'i32';
    case 'u32': case 'u8': return 'u32';
  }
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function assertDType(x: unknown, device?: GPUDevice): asserts x is DType {
  if (!isDType(x)) throw new DTypeError(`unknown dtype '${String(x)}'`, `use one of ${DTYPES.join(', ')}`, { dtype: x });
  if (x === 'f16' && device && !device.features.has('shader-f16'))
    throw new DTypeError("dtype 'f16' needs the device feature 'shader-f16', which this device lacks",
      "use 'f32', or request a device on an adapter with shader-f16 (wgml.requestDevice asks for it when the adapter has it)", { dtype: x });
}

export function typedArrayCtor(d: DType): { new(buf: ArrayBuffer, off?: number, len?: number): AnyTypedArray; BYTES_PER_ELEMENT: number } {
  switch (d) {
    case 'f32': return Float32Array;
    case 'f16': return Uint16Array;
    case 'i32': return Int32Array;
    case 'u32': return Uint32Array;
    case 'i8': return Int8Array;
    case 'u8': return Uint8Array;
  }
}

/** Which typed array `write()` expects for each dtype (f16 as raw bits in a Uint16Array, or f32 values). */
export function typedArrayName(d: DType): string {
  return typedArrayCtor(d).name;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE binary16 bits of an f32 value, rounded to nearest even (overflow to ±Infinity, NaN kept). */
export function f32ToF16Bits(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the mantissa with its implicit 1 and round to nearest even.
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) { m++; if (m === 0x400) { m = 0; e++; if (e >= 0x1f) return sign | 0x7c00; } }
  return sign | (e << 10) | m;
}

/** Every binary16 value, by its bits: built on first use (256 KiB), ~20× faster than computing it (weights by the million). */
let HALF_VALUES: Float32Array | null = null;

/** The f32 value of IEEE binary16 bits. */
export function f16BitsToF32(h: number): number {
  if (!HALF_VALUES) {
    HALF_VALUES = new Float32Array(0x10000);
    for (let b = 0; b < 0x10000; b++) HALF_VALUES[b] = f16BitsToF32Slow(b);
  }
  return HALF_VALUES[h & 0xffff]!;
}

function f16BitsToF32Slow(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Convert f32 values to f16 bits (what `write()` of an f16 tensor takes). */
export function f32ArrayToF16Bits(a: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f32ToF16Bits(a[i]!);
  return out;
}

/** Convert f16 bits (what `read()` of an f16 tensor returns) to f32 values. */
export function f16BitsToF32Array(a: Uint16Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f16BitsToF32(a[i]!);
  return out;
}
