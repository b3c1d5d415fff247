/** Shared pieces of the quantization ops: integer ranges, round-half-to-even, per-axis indexing. */
import type { ElemType } from '../../ir/types.js';
import { shapeSize } from '../../ir/types.js';
import type { InferContext } from '../types.js';

export function qrange(t: ElemType): [number, number] | null {
  switch (t) {
    case 'uint8': return [0, 255];
    case 'int8': return [-128, 127];
    case 'uint16': return [0, 65535];
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    default: return null;
  }
}

/** Rounds ties to the even neighbour, as ONNX's quantizers (and WGSL's round()) do. */
export function roundHalfEven(x: number): number {
  const fl = Math.floor(x), d = x - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

/**
 * Where the scale/zero point of element i comes from: per-tensor (len 1) or per-axis (len = dim).
 * Returns { axis, dim, inner } so channel = floor(i / inner) % dim.
 */
export function perAxis(ctx: InferContext, shape: readonly number[], paramLen: number, axisAttr: number): { dim: number; inner: number } {
  if (paramLen === 1) return { dim: 1, inner: 1 };
  const r = shape.length;
  const axis = axisAttr < 0 ? axisAttr + r : axisAttr;
  if (axis < 0 || axis >= r || shape[axis] !== paramLen)
    throw ctx.error(`scale of length ${paramLen} does not match axis ${axisAttr} of [${shape.join(', ')}]`, 'per-axis scales need one entry per element of the axis', { shape, axis: axisAttr, paramLen });
  return { dim: paramLen, inner: shapeSize(shape.slice(axis + 1)) };
}

/**
 * 8-bit values packed four to a u32 word (passes/pack-int-weights.ts). WGSL: byte `lane` of the u32 `word`
 * as i32, sign-extended when the values are int8.
 */
export const byteOf = (word: string, lane: string, signed: boolean): string =>
  (signed ? `extractBits(i32(${word}), 8u * (${lane}), 8u)` : `i32(extractBits(${word}, 8u * (${lane}), 8u))`);

/** CPU: value `i` of packed words (byte i % 4 of word i / 4). */
export function unpackAt(words: ArrayLike<number>, i: number, signed: boolean): number {
  const v = (words[i >> 2]! >>> (8 * (i & 3))) & 0xff;
  return signed && v > 127 ? v - 256 : v;
}
