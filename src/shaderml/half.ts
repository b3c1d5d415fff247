/** IEEE half conversions on the host (Float16Array is not in every runtime wgml supports). */
import { f32ToF16Bits, f16BitsToF32, f32ArrayToF16Bits, f16BitsToF32Array } from '../tensor/dtype.js';
import { floatLit } from '../gpu/wgsl-literal.js';

/** Round-to-nearest-even f32 → f16 bits. */
export const toHalf = f32ToF16Bits;
export const fromHalf = f16BitsToF32;
export const packHalf = f32ArrayToF16Bits;
export const unpackHalf = f16BitsToF32Array;

/** Round every element through f16 (what a shader computing in f16 sees). */
export function roundHalf(a: Float32Array): Float32Array {
  return a.map((v) => fromHalf(toHalf(v)));
}

export { crc32 } from '../ir/checksum.js';

/** A weight baked into WGSL at precision p: rounded to what the shader stores, so its digits are that value's. */
export function precisionLit(v: number, p: 'f32' | 'f16'): string {
  return floatLit(p === 'f16' ? fromHalf(toHalf(v)) : Math.fround(v));
}
