/**
 * int8 quantization shared by every int8 kernel (dot4.ts, subgroup.ts, subgroup-batch.ts,
 * subgroup-fast.ts) and by their CPU reference {@link forwardInt8}.
 * - Weights: symmetric per layer, w ≈ sw·qw with qw in [−127, 127].
 * - Activations (the input of each layer): affine per layer, x ≈ sx·(q + zx) with q in [−127, 127] and
 *   an integer zero point zx, so a [lo, hi] range uses all 255 codes (latents and uv in [0, 1], ReLU
 *   outputs) instead of the half that a symmetric scale leaves them. The zero point costs nothing at
 *   run time: Σ qw·(q + zx) = Σ qw·q + zx·Σqw, a per-output constant folded into the bias.
 */
import { applyActivation } from './activations.js';
import type { MlpModel } from './mlp-types.js';

export const q8 = (v: number, s: number) => Math.max(-127, Math.min(127, Math.round(v / s)));

export interface Int8Quant {
  /** Scale and integer zero point of each layer's input: x ≈ sx·(q + zx). */
  sx: number[];
  zx: number[];
  /** Weight scale of each layer. */
  sw: number[];
  /** Per layer, per output: zx·Σᵢ qw[o, i], in accumulator units (an integer). */
  zTerm: Int32Array[];
  /** Per layer, per output: the float bias with the zero-point term folded in (b + sx·sw·zTerm). */
  bEff: Float32Array[];
}

/** The int8 parameters of `mlp` (calibrated bounds, else a seeded sample of inputs in [−1, 1]). */
export function int8Quant(mlp: MlpModel): Int8Quant {
  const bounds = mlp.inputBounds ?? calibrateDefault(mlp);
  const sx: number[] = [], zx: number[] = [];
  for (const [lo0, hi0] of bounds) {
    // 5% margin: calibration samples rarely hold the true extremes; the clamp takes the rest.
    const m = 0.05 * Math.max(hi0 - lo0, 1e-6), lo = lo0 - m, hi = hi0 + m;
    const s = (hi - lo) / 254;
    sx.push(s);
    zx.push(Math.round((lo + hi) / 2 / s));
  }
  const sw = mlp.layers.map((l) => Math.max(1e-12, l.weight.reduce((a, v) => Math.max(a, Math.abs(v)), 0)) / 127);
  const zTerm = mlp.layers.map((l, li) => {
    const inp = mlp.sizes[li]!;
    return Int32Array.from({ length: mlp.sizes[li + 1]! }, (_, o) => {
      let s = 0;
      for (let i = 0; i < inp; i++) s += q8(l.weight[o * inp + i]!, sw[li]!);
      return zx[li]! * s;
    });
  });
  const bEff = mlp.layers.map((l, li) => Float32Array.from(l.bias, (b, o) => b + sx[li]! * sw[li]! * zTerm[li]![o]!));
  return { sx, zx, sw, zTerm, bEff };
}

function calibrateDefault(mlp: MlpModel): [number, number][] {
  // Without calibration data assume inputs in [-1, 1]: a seeded uniform sample bounds later layers.
  let s = 12345;
  const r = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 4294967296; };
  return mlp.calibrate(Float32Array.from({ length: 256 * mlp.inputs }, () => r() * 2 - 1));
}

/**
 * CPU reference of the int8 path, written from the definition (quantize, dequantize, float layer) in
 * f64: what every int8 kernel computes, up to their rounding of ties and of the fixed-point multiplier.
 */
export function forwardInt8(mlp: MlpModel, x: ArrayLike<number>): Float32Array {
  const { sx, zx, sw } = int8Quant(mlp);
  const batch = x.length / mlp.inputs;
  let cur = Float64Array.from(x);
  mlp.layers.forEach((l, li) => {
    const inp = mlp.sizes[li]!, out = mlp.sizes[li + 1]!;
    const w = l.weight.map((v) => sw[li]! * q8(v, sw[li]!));
    const next = new Float64Array(batch * out);
    for (let b = 0; b < batch; b++) {
      const xh = Array.from({ length: inp }, (_, i) => sx[li]! * (Math.max(-127, Math.min(127, Math.round(cur[b * inp + i]! / sx[li]! - zx[li]!))) + zx[li]!));
      for (let o = 0; o < out; o++) {
        let acc = l.bias[o]!;
        for (let i = 0; i < inp; i++) acc += w[o * inp + i]! * xh[i]!;
        next[b * out + o] = applyActivation(l.activation, acc, l.alpha);
      }
    }
    cur = next;
  });
  return Float32Array.from(cur);
}
