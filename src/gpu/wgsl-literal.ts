/**
 * Numbers written into WGSL source. One spelling everywhere, because the text is part of the
 * pipeline cache key and of the kernel snapshots: JS prints integers without a point (`1`), which
 * WGSL would read as an integer, and WGSL has no literal for Inf or NaN.
 */

/** What floatLit writes for NaN; {@link NAN_MODULE} defines it (gpu/wgsl.ts adds it where the call appears). */
export const NAN_CALL = 'wgml_nan()';
export const NAN_MODULE = { name: 'wgml_nan', code: 'var<private> wgml_nan_bits: u32 = 0x7fc00000u;\nfn wgml_nan() -> f32 { return bitcast<f32>(wgml_nan_bits); }' };

/** The largest finite f32 as JS prints it: stands in for ±Inf in clamps and initial maxima. */
export const F32_MAX_LIT = '3.4028234663852886e38';

/**
 * `x` as a WGSL float literal (abstract float, no suffix): the shortest decimal that reads back as
 * `x`, with `.0` added when JS prints an integer. ±Inf becomes ±F32_MAX_LIT (saturating, which is
 * what clamps and bounds need); NaN becomes `wgml_nan()`, as no constant expression may be NaN.
 * Round first (Math.fround, or to f16) when the literal should show the stored value's digits.
 */
export function floatLit(x: number): string {
  // not bitcast<f32>(0x7fc00000u): a constant expression may not be NaN (Tint refuses the shader), so NaN is read
  // at run time from a private variable, which gpu/wgsl.ts declares wherever the call appears
  if (Number.isNaN(x)) return NAN_CALL;
  if (!Number.isFinite(x)) return x > 0 ? F32_MAX_LIT : `-${F32_MAX_LIT}`;
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
