/**
 * Thread-scope int8 networks on `dot4I8Packed` (WGSL core since packed_4x8_integer_dot_product; DP4A on
 * NVIDIA, SDOT on Arm, V_DOT4 on AMD): four int8 multiply-adds per instruction, so any stage on any
 * device gets the int8 path, not only compute shaders on devices with subgroup matrices.
 * Same quantization as {@link forwardInt8} and the subgroup kernels (per-layer scales of activations
 * and weights). Straight-line code with the packed weights as literals, like unrolled.ts.
 * Requantization without int→float conversion (a quarter-rate instruction on NVIDIA): the accumulator
 * starts at the bits of 1.5·2²³ (plus the bias in accumulator units), so bitcast<f32> of the sum is
 * 1.5·2²³ + acc exactly, and one FMA with a 22-fraction-bit multiplier rounds straight to the next
 * layer's int8, read back as the low byte (subgroup-fast.ts uses the same fold).
 */
import { flattenWgsl, type WgslModule } from '../gpu/wgsl.js';
import { activationModule } from './activations.js';
import { MlpDimensionError } from './errors.js';
import type { MlpStorage, MlpWgsl, MlpModel } from './mlp-types.js';
import { int8Quant, q8, type Int8Quant } from './quant.js';
import { floatLit } from '../gpu/wgsl-literal.js';

/** 1.5·2²³ (f32 ulp 1 on [2²³, 2²⁴)) and its bits: an f32 1.5·2²³ + q holds the integer q exactly. */
export const MAGIC = 12582912, MAGIC_BITS = 0x4B400000;
const f = (v: number) => floatLit(Math.fround(v));

/** WGSL: four values (expressions) quantized with scale s and zero point z, as f32 1.5·2²³ + q. */
export function quantizeVec4(vals: string[], s: number, z: number): string {
  return `clamp(fma(vec4(${vals.join(', ')}), vec4(${f(1 / s)}), vec4(${f(MAGIC - z)})), vec4(${f(MAGIC - 127)}), vec4(${f(MAGIC + 127)}))`;
}

/**
 * WGSL: fixed-point requantization of `fa` (vec4 of f32 1.5·2²³ + acc + bias) by k̃ = j/2²² into the
 * next layer's code (zero point z), as f32 1.5·2²³ + q. ReLU/none: one FMA whose single rounding is the
 * round to integer, and a clamp; leaky ReLU: the scaled value, max(v, αv), clamp, then the add rounds.
 */
export function fixedRequant(fa: string, l: { activation: string; alpha: number }, j: number, z: number): string {
  if (l.activation === 'leaky_relu') {
    const sv = `fma(${fa}, vec4(${f(j / 2 ** 22)}), vec4(${f(-3 * j)}))`; // y / sx of the next layer, unrounded
    return `clamp(max(${sv}, ${sv} * ${f(l.alpha)}), vec4(${f(z - 127)}), vec4(${f(z + 127)})) + ${f(MAGIC - z)}`;
  }
  const lo = l.activation === 'relu' ? Math.max(-127, -z) : -127; // ReLU: y ≥ 0, i.e. code ≥ −zx
  return `clamp(fma(${fa}, vec4(${f(j / 2 ** 22)}), vec4(${f(MAGIC - 3 * j - z)})), vec4(${f(MAGIC + lo)}), vec4(${f(MAGIC + 127)}))`;
}

/**
 * Fixed-point requantization parameters of hidden layer li (see fixedRequant): multiplier j/2²² ≈
 * sx·sw/sx_next, biases in accumulator units with the zero-point term, and whether they fit: j ≥ 1,
 * the FMA constant below 2²⁴, and |acc + bias| below 2²² for `k` inputs of magnitude 127.
 */
export function fixedPoint(mlp: MlpModel, q: Int8Quant, li: number, k: number): { j: number; bInt: number[]; fits: boolean } {
  const s = q.sx[li]! * q.sw[li]!, j = Math.round((s / q.sx[li + 1]!) * 2 ** 22);
  const bInt = Array.from(mlp.layers[li]!.bias, (b, o) => Math.round(b / s) + q.zTerm[li]![o]!);
  const fits = j >= 1 && Math.abs(MAGIC - 3 * j - q.zx[li + 1]!) < 2 ** 24 && Math.max(0, ...bInt.map(Math.abs)) + k * 127 * 127 < 2 ** 22;
  return { j, bInt, fits };
}

/** WGSL: bitcast<f32>(init + Σ dot4I8Packed(xs[w], weight(w))); a null weight (a literal zero word) is skipped. */
export function dot4Sum(init: number, xs: string[], weight: (w: number) => string | null): string {
  const terms = xs.flatMap((x, w) => { const wt = weight(w); return wt === null ? [] : [`dot4I8Packed(${x}, ${wt})`]; });
  return `bitcast<f32>(${[`${init}i`, ...terms].join(' + ')})`;
}
/**
 * Hidden activations requantized in fixed point (they commute with positive scaling): none and ReLU
 * are one FMA and a clamp; leaky ReLU with slope ≤ 1 is max(v, αv) on the scaled value, then the clamp
 * and one add of 1.5·2²³ that rounds to the int8.
 */
const isFast = (l: { activation: string; alpha: number }) => ['none', 'relu'].includes(l.activation) || (l.activation === 'leaky_relu' && l.alpha >= 0 && l.alpha <= 1);

/** Layer li's int8 weights as dot4I8Packed operands: per output, ceil(inputs/4) words, zero-padded. */
export function int8RowWords(mlp: MlpModel, li: number, s: number): number[] {
  const l = mlp.layers[li]!, inp = mlp.sizes[li]!, out = mlp.sizes[li + 1]!, nw = Math.ceil(inp / 4), words: number[] = [];
  for (let o = 0; o < out; o++) for (let w = 0; w < nw; w++) {
    let word = 0;
    for (let j = 0; j < 4; j++) { const i = w * 4 + j; if (i < inp) word |= (q8(l.weight[o * inp + i]!, s) & 0xff) << (8 * j); }
    words.push(word >>> 0);
  }
  return words;
}

export function dot4MlpWgsl(mlp: MlpModel, name: string, storage: MlpStorage, group: number, binding: number, withLane: boolean): MlpWgsl {
  if (storage !== 'constants' && storage !== 'buffer') {
    throw new MlpDimensionError(`'${name}': int8 precision takes storage 'constants' or 'buffer', not '${storage}'`, "use storage 'constants' (weights as literals) or 'buffer'", { storage });
  }
  const q = int8Quant(mlp), { sx, zx, sw, bEff } = q;
  const nl = mlp.layers.length, IN = mlp.inputs, OUT = mlp.outputs;
  const words: number[] = [];
  const wOff: number[] = [];
  mlp.layers.forEach((_, li) => { wOff.push(words.length); words.push(...int8RowWords(mlp, li, sw[li]!)); });
  const wv = `${name}_qw`;
  const W = (k: number) => (storage === 'buffer' ? `${wv}[${k}]` : words[k] ? `0x${words[k]!.toString(16)}u` : null);
  const L: string[] = [];
  // Inputs: q = clamp(round(x / sx0 − zx0)) held as 1.5·2²³ + q, four to a word (low bytes).
  for (let w = 0; w < Math.ceil(IN / 4); w++) {
    const vals = [0, 1, 2, 3].map((j) => (w * 4 + j < IN ? `x[${w * 4 + j}]` : '0.0'));
    L.push(`  let h0_${w} = pack4xU8(bitcast<vec4<u32>>(${quantizeVec4(vals, sx[0]!, zx[0]!)}));`);
  }
  mlp.layers.forEach((l, li) => {
    const inp = mlp.sizes[li]!, out = mlp.sizes[li + 1]!, nw = Math.ceil(inp / 4), last = li === nl - 1;
    const k = sx[li]! * sw[li]!;
    // Fixed point where it fits (22 fraction bits of multiplier, |acc + bias| < 2²²), else the float path.
    const z = last ? 0 : zx[li + 1]!;
    const fp = last ? null : fixedPoint(mlp, q, li, inp), j = fp?.j ?? 0;
    const fast = !last && isFast(l) && fp!.fits;
    for (let o = 0; o < out; o++) {
      const xs = Array.from({ length: nw }, (_, w) => `h${li}_${w}`);
      L.push(`  let a${li + 1}_${o} = ${dot4Sum(MAGIC_BITS + (fast ? fp!.bInt[o]! : 0), xs, (w) => W(wOff[li]! + o * nw + w))};`);
    }
    if (last) return;
    // Hidden outputs → next layer's int8 words.
    for (let w = 0; w < Math.ceil(out / 4); w++) {
      const ids = [0, 1, 2, 3].map((c) => w * 4 + c);
      // Padding lanes hold 1.5·2²³ (acc 0); whatever byte they become meets zero weights in the next layer.
      const a = `vec4(${ids.map((o) => (o < out ? `a${li + 1}_${o}` : f(MAGIC))).join(', ')})`;
      let v: string;
      if (fast) {
        v = fixedRequant(a, l, j, z);      } else {
        const bias = `vec4(${ids.map((o) => (o < out ? f(bEff[li]![o]!) : '0.0')).join(', ')})`;
        const y = `sml_${l.activation}_f32v4(fma(${a} - vec4(${f(MAGIC)}), vec4(${f(k)}), ${bias}), ${f(l.alpha)})`;
        v = `clamp(fma(${y}, vec4(${f(1 / sx[li + 1]!)}), vec4(${f(MAGIC - z)})), vec4(${f(MAGIC - 127)}), vec4(${f(MAGIC + 127)}))`;
      }
      L.push(`  let h${li + 1}_${w} = pack4xU8(bitcast<vec4<u32>>(${v}));`);
    }
  });
  const lastL = mlp.layers[nl - 1]!, kLast = sx[nl - 1]! * sw[nl - 1]!;
  const outs = Array.from({ length: OUT }, (_, o) => `sml_${lastL.activation}_f32(fma(a${nl}_${o} - ${f(MAGIC)}, ${f(kLast)}, ${f(bEff[nl - 1]![o]!)}), ${f(lastL.alpha)})`);
  const args = `x: array<f32, ${IN}>${withLane ? ', lane: u32' : ''}`;
  const signature = `fn ${name}(${args}) -> array<f32, ${OUT}>`;
  const vecActs = new Set(mlp.layers.slice(0, -1).filter((l) => !isFast(l)).map((l) => l.activation));
  const helpers = [...vecActs].map((a) => `fn sml_${a}_f32v4(v: vec4<f32>, alpha: f32) -> vec4<f32> { return vec4(sml_${a}_f32(v.x, alpha), sml_${a}_f32(v.y, alpha), sml_${a}_f32(v.z, alpha), sml_${a}_f32(v.w, alpha)); }`);
  const decl = storage === 'buffer' ? `@group(${group}) @binding(${binding}) var<storage, read> ${wv}: array<u32>;\n` : '';
  const body = `${decl}${helpers.join('\n')}${helpers.length ? '\n' : ''}${signature} {
${L.join('\n')}
  return array<f32, ${OUT}>(${outs.join(', ')});
}`;
  const act = activationModule('f32');
  const module: WgslModule = { name: `shaderml_${name}_int8_${storage}`, code: body, requires: [act], enables: [] };
  const bytes = new Uint8Array(Uint32Array.from(words).buffer);
  return {
    name, scope: 'thread', precision: 'int8', storage, signature, module,
    code: flattenWgsl(act).code + '\n' + body,
    layoutEntries: (visibility) => (storage === 'buffer' ? [{ binding, visibility, buffer: { type: 'read-only-storage' } }] : []),
    bindGroupEntries: (device) => (storage === 'buffer' ? [{ binding, resource: { buffer: mlp.buffersFor(device, 'dot4_int8', () => [{ label: `${name} int8 weights (packed)`, bytes }])[0]! } }] : []),
  };
}
