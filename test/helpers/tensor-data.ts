/** Seeded raw data for tensor tests, per dtype, in the typed array a tensor of that dtype reads and writes. */
import { f32ArrayToF16Bits, type AnyTypedArray, type DType } from '../../src/tensor/dtype.js';
import { randInt, randn } from './random.js';

/** Random raw data for a buffer of n elements of dtype (f16 as bits; u32 odd, so never 0). */
export function randomData(dtype: DType, n: number, r: () => number): AnyTypedArray {
  switch (dtype) {
    case 'f32': return randn(r, n);
    case 'f16': return f32ArrayToF16Bits(randn(r, n));
    case 'i32': return randInt(r, n, -2_000_000_000, 2_000_000_000);
    case 'u32': return Uint32Array.from(randInt(r, n, 0, 2_000_000_000), (v) => v * 2 + 1);
    case 'i8': return Int8Array.from(randInt(r, n, -128, 127));
    case 'u8': return Uint8Array.from(randInt(r, n, 0, 255));
  }
}
