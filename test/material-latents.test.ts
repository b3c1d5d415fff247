/**
 * Issue 13, decode cost: loadMaterial expands 2- and 4-bit latent codes into rgba8unorm bytes by default
 * (hardware-filtered like 8-bit latents) and keeps them packed with `latents: 'packed'`. Both layouts must
 * hand the decoder the same values, the CPU reference's code/(2^bits − 1) bilinear (and trilinear between
 * the trained mips), and the .wgmat file stays packed. An identity decoder (inputs → outputs) makes the
 * decoded values the decoder's inputs themselves.
 */
import { describe, it, expect } from 'vitest';
import { decodeMaterialGpu, decodeWgmat, encodeWgmat, loadMaterial, materialWgsl, packCodes, WGMAT_VERSION, type LoadedMaterial } from '../src/shaderml/material/wgmat.js';
import { decodeMaterialCpu, decoderInputs, type CompressedMaterial } from '../src/shaderml/material/train.js';
import { footprint, decoderBytes } from '../src/shaderml/material/report.js';
import type { TextureTarget } from '../src/shaderml/material/textures.js';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { forwardInt8 } from '../src/shaderml/quant.js';
import { MaterialOptionError } from '../src/shaderml/errors.js';
import { flattenWgsl } from '../src/gpu/wgsl.js';
import { testDevice } from './helpers/gpu.js';
import { decodeMaterialAt } from './helpers/material-decode.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

// 16×12 material; grid 0: 8×6 × 6 features of 2 bits with mips 4×3, 2×1, 1×1; a coarse 3×2 grid of 3 features of 2 bits
// (6 bits a texel: packed, one r8uint texel).
const W = 16, H = 12, F0 = 6, FC = 3, I = F0 + FC + 2;
const TEX: TextureTarget[] = [{ name: 'a', kind: 'color', channels: 4, alpha: true }, { name: 'b', kind: 'color', channels: 4, alpha: true }, { name: 'c', kind: 'color', channels: 3, alpha: false }];
const LEVELS = [[8, 6], [4, 3], [2, 1], [1, 1]] as const;

function material(seed: number, decoder: ShaderMLP): CompressedMaterial {
  const r = rng(seed), codes = (n: number, bits: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * (1 << bits)));
  const lv = LEVELS.map(([w, h]) => ({ lw: w, lh: h, latents: codes(w * h * F0, 2) }));
  return { width: W, height: H, lw: 8, lh: 6, features: F0, bits: 2, latents: lv[0]!.latents, mips: lv.slice(1), coarse: [{ lw: 3, lh: 2, features: FC, bits: 2, latents: codes(3 * 2 * FC, 2) }], decoder };
}
/** y = x exactly (weights 1 and 0 are exact in the file's f16). */
const identity = () => ShaderMLP.fromLayers([I, I], [{ weight: Float32Array.from({ length: I * I }, (_, k) => (k % (I + 1) === 0 ? 1 : 0)), bias: new Float32Array(I) }], ['none']);

/** CPU trilinear: bilinear (clamp to edge) on codes/Q in the two levels around lod (coarse grid: level 0 only), then u, v. */
function trilinearCpu(c: CompressedMaterial, u: number, v: number, lod: number): number[] {
  const bilinear = (lat: Uint8Array, n: number, h: number, Fg: number, Q: number) => {
    const lx = u * n - 0.5, ly = v * h - 0.5, fx = Math.floor(lx), fy = Math.floor(ly), ax = lx - fx, ay = ly - fy;
    const cx = (i: number) => Math.min(n - 1, Math.max(0, i)), cy = (i: number) => Math.min(h - 1, Math.max(0, i));
    const taps: [number, number][] = [[cy(fy) * n + cx(fx), (1 - ax) * (1 - ay)], [cy(fy) * n + cx(fx + 1), ax * (1 - ay)], [cy(fy + 1) * n + cx(fx), (1 - ax) * ay], [cy(fy + 1) * n + cx(fx + 1), ax * ay]];
    return Array.from({ length: Fg }, (_, f) => taps.reduce((a, [i, w]) => a + (w * lat[i * Fg + f]!) / Q, 0));
  };
  const lv = [{ lw: c.lw, lh: c.lh, latents: c.latents }, ...c.mips!], top = lv.length - 1;
  const l = Math.min(top, Math.max(0, lod)), l0 = Math.floor(l), fr = l - l0, l1 = Math.min(top, l0 + 1);
  const a = bilinear(lv[l0]!.latents, lv[l0]!.lw, lv[l0]!.lh, F0, 3), b = bilinear(lv[l1]!.latents, lv[l1]!.lw, lv[l1]!.lh, F0, 3);
  const g = c.coarse![0]!;
  return [...a.map((x, f) => x * (1 - fr) + b[f]! * fr), ...bilinear(g.latents, g.lw, g.lh, FC, 3), u, v];
}

/** Worst |a − b|. */
const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('latent codes on the GPU: expanded to rgba8unorm (default) or packed', () => {
  it(`expanded and packed decode the same values as the CPU reference, at texels and trilinear at uv, lod (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const c = material(testSeed(), identity()), file = encodeWgmat(c, TEX), kept = file.slice();
    const ex = loadMaterial(device, file), pk = loadMaterial(device, file, { latents: 'packed' });
    expect(file).toEqual(kept); // loading leaves the file's bytes alone
    // Default: every grid on unorm8 textures of 4 features, sampled as float: 6 features → rgba8 + rg8 with grid
    // 0's 4 levels (the last texture holds only what is left), 3 → rgba8 (there is no rgb8).
    expect(ex.latents).toBe('expanded');
    expect(ex.latentTextures.map((t) => [t.format, t.width, t.height, t.mipLevelCount])).toEqual([['rgba8unorm', 8, 6, 4], ['rg8unorm', 8, 6, 4], ['rgba8unorm', 3, 2, 1]]);
    expect(pk.latentTextures.map((t) => [t.format, t.mipLevelCount])).toEqual([['r16uint', 4], ['r8uint', 1]]);
    const wgsl = (m: LoadedMaterial) => flattenWgsl(materialWgsl(m, 'mat', 1, 0, device).module).code;
    expect(wgsl(ex)).not.toMatch(/texture_2d<u32>|extractBits/);
    expect(wgsl(ex)).toMatch(/textureSampleLevel\(mat_lat0, mat_samp/);
    expect(wgsl(pk)).toMatch(/extractBits/);
    expect(materialWgsl(ex, 'mat', 1, 0, device).layoutEntries(GPUShaderStage.COMPUTE).filter((e) => e.texture).map((e) => e.texture!.sampleType)).toEqual(['float', 'float', 'float']);

    // Texel addressing (textureLoad + bilinear in the shader): equal up to f32 rounding, and to the CPU reference.
    const ref = decoderInputs(c, 0), te = await decodeMaterialAt(device, ex, null), tp = await decodeMaterialAt(device, pk, null);
    expect(worst(te, tp), 'expanded vs packed at texels').toBeLessThan(1e-6);
    expect(worst(te, ref), 'expanded vs CPU at texels').toBeLessThan(1e-6);
    // decodeMaterialGpu (what compress scores with) takes the default layout.
    expect(worst(await decodeMaterialGpu(device, ex), ref)).toBeLessThan(1e-6);

    // Through the sampler: hardware bilinear, trilinear between the trained mips, at every lod (below 0,
    // between levels, on them, past the last). The packed path filters in f32 like the CPU.
    const r = rng(testSeed() + 1);
    const probes = Array.from({ length: 128 }, (_, i) => [r() * 1.1 - 0.05, r(), i < 12 ? (i % 6) - 1 : r() * 4.5 - 0.5]).flat();
    const ue = await decodeMaterialAt(device, ex, probes), up = await decodeMaterialAt(device, pk, probes);
    const cpu = Array.from({ length: 128 }, (_, i) => trilinearCpu(c, Math.min(1, Math.max(0, probes[i * 3]!)), probes[i * 3 + 1]!, probes[i * 3 + 2]!)).flat();
    expect(worst(up, cpu), 'packed vs CPU at uv').toBeLessThan(1e-5);
    // The expanded textures are byte for byte those of 8-bit latents holding code·255/(2^bits − 1), so the
    // default decode is exactly the 8-bit path, at texels and through the sampler.
    const as8 = <G extends { latents: Uint8Array }>(g: G, mul: number) => ({ ...g, latents: g.latents.map((v) => v * mul) });
    const c8: CompressedMaterial = { ...as8(c, 85), bits: 8, mips: c.mips!.map((l) => as8(l, 85)), coarse: [{ ...as8(c.coarse![0]!, 85), bits: 8 }] };
    const m8 = loadMaterial(device, encodeWgmat(c8, TEX));
    expect(await decodeMaterialAt(device, m8, null)).toEqual(te);
    expect(await decodeMaterialAt(device, m8, probes)).toEqual(ue);
    // Filtering hardware interpolates with fixed-point weights (8 fractional bits on lavapipe and NVIDIA): in
    // x, y and between levels each may move a value by 1/256 of a tap difference (≤ 1), so within 3/256 of
    // exact filtering. The 8-bit path has always decoded through the sampler like this.
    const dev = worst(ue, up);
    console.log(`expanded (sampler) vs packed (f32 filtering) at uv: worst ${(dev * 255).toFixed(3)} of an 8-bit step`);
    expect(dev, 'expanded vs packed at uv').toBeLessThanOrEqual(3 / 256);
    expect(worst(ue, cpu), 'expanded vs CPU at uv').toBeLessThanOrEqual(3 / 256);
    m8.latentTextures.forEach((t) => t.destroy());
    [...ex.latentTextures, ...pk.latentTextures].forEach((t) => t.destroy());
  });

  it(`int8 decode on expanded latents: calibrated on the material, as the CPU int8 reference and the packed path (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const dec = ShaderMLP.random([I, 16, I], 'leaky_relu', testSeed() + 2);
    const c = material(testSeed() + 3, dec), file = encodeWgmat(c, TEX);
    const ex = loadMaterial(device, file), pk = loadMaterial(device, file, { latents: 'packed' });
    // The reference calibrates a copy the way materialWgsl does (decoder inputs at the material's texels), from the file's f16 weights.
    const stored = decodeWgmat(file).material, x = decoderInputs(stored, 0);
    const sd = stored.decoder, q = ShaderMLP.fromLayers([...sd.sizes], sd.layers.map((l) => ({ weight: l.weight, bias: l.bias })), sd.layers.map((l) => l.activation), sd.layers.map((l) => l.alpha));
    q.calibrate(x);
    const ref = forwardInt8(q, x), step = Math.max(...Array.from(ref, Math.abs)) / 127;
    const ge = await decodeMaterialAt(device, ex, null, 'int8'), gp = await decodeMaterialAt(device, pk, null, 'int8');
    const steps = (a: Float32Array) => Array.from(a, (v, i) => Math.abs(v - ref[i]!) / step);
    for (const [what, got] of [['expanded', ge], ['packed', gp]] as const) {
      const e = steps(got);
      expect(Math.max(...e), `${what}: worst error in output int8 steps`).toBeLessThan(2);
      expect(e.reduce((a, v) => a + v, 0) / e.length, `${what}: mean error in output int8 steps`).toBeLessThan(0.1);
    }
    expect(worst(ge, gp) / step, 'expanded vs packed, int8 steps').toBeLessThan(2);
    // And it is the quantized decoder, not a different one: near the f32 decode.
    expect(compareClose(ge, decodeMaterialCpu(stored), 0, 0.15 * Math.max(...Array.from(ref, Math.abs)))).toBeNull();
    [...ex.latentTextures, ...pk.latentTextures].forEach((t) => t.destroy());
  });

  it('the .wgmat stays packed (v2): sections hold codes at their bits, re-encoding gives the same bytes; footprints count both layouts', () => {
    const c = material(testSeed() + 4, identity()), file = encodeWgmat(c, TEX);
    const { manifest, material: back } = decodeWgmat(file);
    expect(new DataView(file.buffer, file.byteOffset).getUint32(4, true)).toBe(2);
    // u, v decoders are still written as version 2 (version 3 adds the position, material-position.test.ts; 4
    // concatenated taps, material-concat.test.ts).
    expect([manifest.version, WGMAT_VERSION]).toEqual([2, 4]);
    expect(manifest.latent).toMatchObject({ width: 8, height: 6, features: F0, bits: 2, bytes: (8 * 6 * F0 * 2) / 8 });
    expect(manifest.latent.mips!.map((m) => [m.width, m.height, m.bytes])).toEqual(LEVELS.slice(1).map(([w, h]) => [w, h, Math.ceil((w * h * F0 * 2) / 8)]));
    expect(manifest.latent.coarse![0]).toMatchObject({ width: 3, height: 2, features: FC, bits: 2, bytes: Math.ceil((3 * 2 * FC * 2) / 8) });
    const head = 12 + Math.ceil(new DataView(file.buffer, file.byteOffset).getUint32(8, true) / 4) * 4;
    expect(file.subarray(head + manifest.latent.offset, head + manifest.latent.offset + manifest.latent.bytes)).toEqual(packCodes(c.latents, 2));
    expect(encodeWgmat(back, TEX)).toEqual(file);
    // Level 0 + decoder per texel: stored at 2 bits; on the GPU 4 + 2 bytes (rgba8 + rg8) and 4 bytes (rgba8: there is
    // no rgb8) a latent texel expanded, 2 (r16uint) + 1 (r8uint) packed.
    const d = decoderBytes(c), T = W * H;
    expect(footprint(c, d, 'expanded').bitsPerTexel).toBeCloseTo(((8 * 6 * F0 * 2) / 8 + Math.ceil((3 * 2 * FC * 2) / 8) + d) * 8 / T, 9);
    expect(footprint(c, d, 'expanded').gpuBitsPerTexel).toBeCloseTo((8 * 6 * (4 + 2) + 3 * 2 * 4 + d) * 8 / T, 9);
    expect(footprint(c, d, 'packed').gpuBitsPerTexel).toBeCloseTo((8 * 6 * 2 + 3 * 2 * 1 + d) * 8 / T, 9);
  });

  it(`packed grids whose texels do not fill an integer texel become rows of bits, and decode as the CPU and the expanded layout (seed ${testSeed()})`, async () => {
    const device = await testDevice(), r = rng(testSeed() + 5);
    const codes = (n: number, bits: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * (1 << bits)));
    // Widths whose rows end inside a word: grid 0 9×5 of one 4-bit feature; 7×3 of one 2-bit feature; 7×4 of two 2-bit
    // features read as four taps side by side; 6×3 of five 4-bit features (20 bits: texels straddle words); 16×2 of three
    // 2-bit features (6 bits: texel 5 straddles).
    const I2 = 1 + 1 + 2 * 4 + 5 + 3 + 2, W2 = 18, H2 = 10;
    const id = ShaderMLP.fromLayers([I2, I2], [{ weight: Float32Array.from({ length: I2 * I2 }, (_, k) => (k % (I2 + 1) === 0 ? 1 : 0)), bias: new Float32Array(I2) }], ['none']);
    const grid = (lw: number, lh: number, features: number, bits: number, concat = false) => ({ lw, lh, features, bits, latents: codes(lw * lh * features, bits), ...(concat ? { concat } : {}) });
    const c: CompressedMaterial = { width: W2, height: H2, lw: 9, lh: 5, features: 1, bits: 4, latents: codes(9 * 5, 4), decoder: id,
      coarse: [grid(7, 3, 1, 2), grid(7, 4, 2, 2, true), grid(6, 3, 5, 4), grid(16, 2, 3, 2)] };
    const tex: TextureTarget[] = [0, 1, 2, 3, 4].map((i) => ({ name: `t${i}`, kind: 'color', channels: 4, alpha: true }));
    const file = encodeWgmat(c, tex), ex = loadMaterial(device, file), pk = loadMaterial(device, file, { latents: 'packed' });
    // Each row ⌈lw·bits / 32⌉ words.
    expect(pk.latentTextures.map((t) => [t.format, t.width, t.height])).toEqual([['r32uint', 2, 5], ['r32uint', 1, 3], ['r32uint', 1, 4], ['r32uint', 4, 3], ['r32uint', 3, 2]]);
    // At texels: the CPU reference exactly (f32 rounding).
    const ref = decoderInputs(c, 0), tp = await decodeMaterialAt(device, pk, null);
    expect(worst(tp, ref), 'packed vs CPU at texels').toBeLessThan(1e-6);
    expect(worst(await decodeMaterialAt(device, ex, null), ref), 'expanded vs CPU at texels').toBeLessThan(1e-6);
    // At uv: as the expanded layout through the sampler, within its fixed-point filtering (3/256, as above).
    const probes = Array.from({ length: 96 }, () => [r() * 1.1 - 0.05, r(), r() * 2 - 0.5]).flat();
    expect(worst(await decodeMaterialAt(device, pk, probes), await decodeMaterialAt(device, ex, probes)), 'packed vs expanded at uv').toBeLessThanOrEqual(3 / 256);
    // GPU bytes: those textures' (a latent texel an integer texel would take 45 + 21 + 28 + 72 + 32 bytes).
    const d = decoderBytes(c);
    expect(footprint(c, d, 'packed').gpuBitsPerTexel).toBeCloseTo((2 * 5 * 4 + 1 * 3 * 4 + 1 * 4 * 4 + 4 * 3 * 4 + 3 * 2 * 4 + d) * 8 / (W2 * H2), 9);
    // A small grid whose row would pad to more than a texel a byte keeps one texel an integer texel: 3 texels of 4 bits.
    const small = loadMaterial(device, encodeWgmat({ ...c, coarse: [grid(3, 3, 1, 4), ...c.coarse!.slice(1)] }, tex), { latents: 'packed' });
    expect([small.latentTextures[1]!.format, small.latentTextures[1]!.width]).toEqual(['r8uint', 3]);
    [...ex.latentTextures, ...pk.latentTextures, ...small.latentTextures].forEach((t) => t.destroy());
  });

  it('an unknown latents option is a typed error naming the values', async () => {
    const device = await testDevice();
    const file = encodeWgmat(material(1, identity()), TEX);
    expect(() => loadMaterial(device, file, { latents: 'bytes' as 'packed' })).toThrow(MaterialOptionError);
    expect(() => loadMaterial(device, file, { latents: 'bytes' as 'packed' })).toThrow(/latents: 'bytes' is not one of expanded, packed/);
  });
});
