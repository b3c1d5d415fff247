/**
 * Weights stored at half width: float values two to a u32 word as float16, unpacked to f32 by the kernels'
 * accessors as they load (gpu/signature.ts `half`), so every kernel runs unchanged and in f32. wgml keeps each
 * value in a 32-bit word otherwise, which made a float16 model's weights take twice its file's size on the GPU.
 *
 * - 'auto' (the default): the constants whose every value is a float16 value (a float16 model's weights, not a
 *   BatchNorm folded into them in f32; a package written with `wgml convert --weights f16`): nothing changes but
 *   the memory they take.
 * - 'f16': also every float32 constant of at least {@link MIN_ROUNDED} values within float16's range, rounded
 *   to nearest: half the memory and weight bandwidth for a relative error of up to 2^-11 per weight (about
 *   1e-3 at a network's output). Scalars and short constants (epsilons, a mask's -1e9) stay f32.
 * - 'f32': every weight in f32.
 * A constant is stored half only where every kernel reading it declares an f32 buffer for it.
 */
import type { HostTensor } from '../ir/types.js';
import type { KernelSpec } from '../ops/types.js';
import { f16BitsToF32, f32ToF16Bits } from '../tensor/dtype.js';

export type WeightsPrecision = 'auto' | 'f16' | 'f32';
export const WEIGHTS_PRECISIONS: readonly WeightsPrecision[] = ['auto', 'f16', 'f32'];

/** Fewest values of a float32 constant 'f16' rounds: shorter ones are scalars and small tables, not weights. */
export const MIN_ROUNDED = 16;
const F16_MAX = 65504;
const exactHalf = new WeakMap<Float32Array, boolean>();

/**
 * Whether every value is a float16 value (NaN and ±Inf included), so storing it as float16 loses nothing. The scan
 * stops at the first value that is not (at once, for an ordinary float32 weight) and is kept per array: a large model
 * is specialized to several sizes.
 */
export function allHalf(d: Float32Array): boolean {
  let exact = exactHalf.get(d);
  if (exact === undefined) {
    exact = true;
    for (let i = 0; i < d.length && exact; i++) if (f16BitsToF32(f32ToF16Bits(d[i]!)) !== d[i] && !Number.isNaN(d[i])) exact = false;
    exactHalf.set(d, exact);
  }
  return exact;
}

/** Whether a constant may be stored half under `mode` (value rules only; kernels are checked by the caller). */
export function halfEligible(t: HostTensor, mode: WeightsPrecision): boolean {
  if (mode === 'f32' || !(t.data instanceof Float32Array) || t.data.length < 2) return false;
  if (allHalf(t.data)) return true;
  return mode === 'f16' && t.data.length >= MIN_ROUNDED && inHalfRange(t.data);
}

function inHalfRange(d: Float32Array): boolean {
  for (let i = 0; i < d.length; i++) if (!(Math.abs(d[i]!) <= F16_MAX)) return false;
  return true;
}

/**
 * The constant as 'f16' stores it: its values rounded to float16, or itself where it does not qualify (short,
 * out of range, not float). For `wgml convert --weights f16`, whose package then holds float16 values.
 */
export function roundedToHalf(t: HostTensor): HostTensor {
  if (!halfEligible(t, 'f16') || allHalf(t.data as Float32Array)) return t;
  const src = t.data, data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = f16BitsToF32(f32ToF16Bits(src[i]!));
  exactHalf.set(data, true);
  return { ...t, data };
}

/** Bytes a constant of n values takes at half width (whole words). */
export const halfBytes = (n: number): number => Math.ceil(n / 2) * 4;

/** The constant's values as float16, two to a word (low half first), as the half accessors read them. */
export function packHalf(t: HostTensor): Uint32Array {
  const d = t.data, out = new Uint32Array(Math.ceil(d.length / 2));
  for (let i = 0; i < d.length; i++) out[i >> 1]! |= f32ToF16Bits(d[i]!) << (16 * (i & 1));
  return out;
}

/** The kernel with buffers `which` read at half width; its key says so, so its pipeline is its own. */
export function withHalfBuffers(k: KernelSpec, which: ReadonlySet<number>): KernelSpec {
  if (!which.size) return k;
  const buffers = k.sig.buffers.map((b, i) => (which.has(i) ? { ...b, half: true } : b));
  return { ...k, sig: { ...k.sig, buffers }, key: `${k.key}|half${[...which].sort((a, b) => a - b).join(',')}` };
}
