/**
 * Numbers written into WGSL source. One spelling everywhere, because the text is part of the
 * pipeline cache key and of the kernel snapshots: JS prints integers without a point (`1`), which
 * WGSL would read as an integer, and WGSL has no literal for Inf or NaN.
 */

/** The largest finite f32 as JS prints it: stands in for ±Inf in clamps and initial maxima. */
export const F32_MAX_LIT = '3.4028234663852886e38';

/**
 * `x` as a WGSL float literal (abstract float, no suffix): the shortest decimal that reads back as
 * `x`, with `.0` added when JS prints an integer. ±Inf becomes ±F32_MAX_LIT (saturating, which is
 * what clamps and bounds need); NaN becomes a bit pattern, as no constant expression may be NaN.
 * Round first (Math.fround, or to f16) when the literal should show the stored value's digits.
 */
export function floatLit(x: number): string {
  if (Number.isNaN(x)) return 'bitcast<f32>(0x7fc00000u)';
  if (!Number.isFinite(x)) return x > 0 ? F32_MAX_LIT : `-${F32_MAX_LIT}`;
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
