/**
 * Mip levels of neural materials: trained latents per level (compress with mips), stored in the .wgmat,
 * uploaded as the latent textures' mip chain, decoded by materialWgsl's `<name>_uv(uv, lod)`.
 */
import { describe, it, expect } from 'vitest';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { decodeWgmat, encodeWgmat, loadMaterial, materialWgsl } from '../src/shaderml/material/wgmat.js';
import { boxDown, mipPsnr } from '../src/shaderml/material/mips.js';
import { compressMaterial } from '../src/shaderml/material/train.js';
import { syntheticMaterial } from '../src/shaderml/material/synthetic.js';
import { decodeMaterialCpu } from '../src/shaderml/material/train.js';
import { flattenWgsl } from '../src/gpu/wgsl.js';
import { testDevice, computeOnce } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

describe('neural material latent mips', () => {
  it('box-filters by WebGPU mip sizes, folding an odd row or column into the last mean', () => {
    const g = { width: 3, height: 1, channels: 1, data: new Float32Array([0, 0.3, 0.6]) };
    expect(Array.from(boxDown(g, 1, 1).data)).toEqual([Float32Array.from([0.3])[0]]);
    const h = boxDown({ width: 4, height: 2, channels: 2, data: Float32Array.from({ length: 16 }, (_, i) => i) }, 2, 1);
    expect(Array.from(h.data)).toEqual([5, 6, 9, 10]);
  });

  it(`<name>_uv(uv, lod) decodes each mip level's latents, and <name>(p) the texels (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const seed = testSeed(), r = rng(seed);
    const targets = syntheticMaterial(32, 32, seed);
    const LW = 16, F = 8, C = targets.channels;
    const bytes = (n: number) => Uint8Array.from({ length: n * n * F }, () => Math.floor(r() * 256));
    const levels = [16, 8, 4, 2, 1].map(bytes); // latents of levels 0…4 (materials levels 32…2)
    const decoder = ShaderMLP.random([F + 2, 16, C], 'leaky_relu', seed);
    const file = encodeWgmat({ width: 32, height: 32, lw: LW, lh: LW, features: F, latents: levels[0]!, decoder, mips: levels.slice(1).map((latents, i) => ({ lw: LW >> (i + 1), lh: LW >> (i + 1), latents })) }, targets.textures);
    const mat = loadMaterial(device, file);
    expect(mat.latentTextures[0]!.mipLevelCount).toBe(5);
    expect(decodeWgmat(file).material.mips!.map((l) => Array.from(l.latents))).toEqual(levels.slice(1).map((l) => Array.from(l)));
    const dec = materialWgsl(mat, 'mat', 1, 0, device);
    // Probes: every latent texel centre of levels 1…4 and a stride of level 0, each decoded with _uv at that level.
    const probes: { uv: [number, number]; lod: number; x: number[] }[] = [];
    levels.forEach((lat, k) => {
      const n = LW >> k;
      for (let p = 0; p < n * n; p += k === 0 ? 7 : 1) {
        const px = p % n, py = Math.floor(p / n), uv: [number, number] = [(px + 0.5) / n, (py + 0.5) / n];
        probes.push({ uv, lod: k, x: [...Array.from({ length: F }, (_, f) => lat[p * F + f]! / 255), ...uv] });
      }
    });
    const P = probes.length;
    const lib = flattenWgsl(dec.module);
    const code = `${lib.code}
@group(0) @binding(0) var<storage, read> probe: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${P}u) { return; }
  let q = probe[g.x];
  let y = mat_uv(q.xy, q.z);
  // The texel decode at material texel ⌊uv·32⌋ (scored against decodeMaterialCpu below).
  let t = mat(vec2<u32>(q.xy * 32.0));
  for (var c = 0u; c < ${C}u; c++) { out[g.x * ${2 * C + 1}u + c] = y[c]; out[g.x * ${2 * C + 1}u + ${C}u + c] = t[c]; }
  // A footprint of 2^lod material texels per pixel asks for level lod.
  let d = exp2(q.z) / 32.0;
  out[g.x * ${2 * C + 1}u + ${2 * C}u] = mat_lod(vec2(d, 0.0), vec2(0.0, d * 0.5));
}`;
    const got = await computeOnce(device, code, Float32Array.from(probes.flatMap((p) => [...p.uv, p.lod, 0])), P * (2 * C + 1), Math.ceil(P / 64), dec);
    const ref = mat.decoder.forward(probes.flatMap((p) => p.x));
    const texels = decodeMaterialCpu(mat.material);
    const scale = Math.max(...Array.from(ref, Math.abs));
    let worst = 0, worstTexel = 0;
    probes.forEach((p, i) => {
      const t = Math.floor(p.uv[1] * 32) * 32 + Math.floor(p.uv[0] * 32);
      for (let c = 0; c < C; c++) {
        worst = Math.max(worst, Math.abs(got[i * (2 * C + 1) + c]! - ref[i * C + c]!) / scale);
        worstTexel = Math.max(worstTexel, Math.abs(got[i * (2 * C + 1) + C + c]! - texels[t * C + c]!) / scale);
      }
      expect(got[i * (2 * C + 1) + 2 * C]!, `lod for a 2^${p.lod}-texel footprint`).toBeCloseTo(p.lod, 4);
    });
    expect(worst, 'trilinear decode vs CPU decode of the same level latents').toBeLessThan(2e-3);
    expect(worstTexel, 'texel decode vs decodeMaterialCpu').toBeLessThan(2e-3);
  });

  it(`compress with mips trains each level: far above decoding box-filtered level-0 latents (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const m = syntheticMaterial(32, 32, testSeed());
    // 700 steps: at 400 the 16×16 level came out 2.6–6 dB above the box-filtered chain depending on the seed.
    const c = await compressMaterial(device, m, { steps: 700, fineTuneSteps: 60, mips: { levels: 2 } });
    expect(c.mips!.map((l) => [l.lw, l.lh])).toEqual([[8, 8], [4, 4]]);
    const trained = mipPsnr(c, m, (lv) => decodeMaterialCpu(c, lv));
    // The naive chain: level-0 latents box-filtered, through the same decoder.
    const naive = { ...c, mips: c.mips!.map((l) => ({ ...l, latents: Uint8Array.from(boxDown({ width: c.lw, height: c.lh, channels: c.features, data: Float32Array.from(c.latents) }, l.lw, l.lh).data, Math.round) })) };
    const filtered = mipPsnr(naive, m, (lv) => decodeMaterialCpu(naive, lv));
    console.log(`mip PSNR trained ${trained.map((p) => p.toFixed(1)).join(' / ')} dB, box-filtered latents ${filtered.map((p) => p.toFixed(1)).join(' / ')} dB`);
    trained.forEach((p, i) => expect(p, `level ${i + 1}`).toBeGreaterThan(filtered[i]! + 3));
    expect(trained[0]).toBeGreaterThan(20);
  }, 300_000);
});
