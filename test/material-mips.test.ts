/**
 * Latent mips: loadMaterial builds each latent texture's mip chain, and materialWgsl's `<name>_uv(uv, lod)`
 * decodes trilinear-filtered latents. Checked against a CPU decode of latents box-filtered here (a
 * separate, power-of-two-only implementation), texel centre by texel centre on every level.
 */
import { describe, it, expect } from 'vitest';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { encodeWgmat, latentMips, loadMaterial, materialWgsl } from '../src/shaderml/material/wgmat.js';
import { syntheticMaterial } from '../src/shaderml/material/synthetic.js';
import { decodeMaterialCpu } from '../src/shaderml/material/train.js';
import { flattenWgsl } from '../src/gpu/wgsl.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

/** 2×2 mean with rounding, sizes halving from a power of two: levels of [texel][feature] bytes. */
function boxLevels(lat: Uint8Array, n: number, F: number): Uint8Array[] {
  const out = [lat];
  for (let s = n; s > 1; s >>= 1) {
    const src = out[out.length - 1]!, h = s >> 1, dst = new Uint8Array(h * h * F);
    for (let y = 0; y < h; y++) for (let x = 0; x < h; x++) for (let f = 0; f < F; f++) {
      const at = (yy: number, xx: number) => src[(yy * s + xx) * F + f]!;
      dst[(y * h + x) * F + f] = Math.round((at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4);
    }
    out.push(dst);
  }
  return out;
}

describe('neural material latent mips', () => {
  it('builds odd-sized chains by WebGPU sizes, folding the odd row or column into the last mean', () => {
    const img = new Uint8Array([0, 0, 0, 0, 30, 30, 30, 30, 60, 60, 60, 60]); // 3×1 RGBA
    const m = latentMips(img, 3, 1);
    expect(m.map((l) => [l.width, l.height])).toEqual([[3, 1], [1, 1]]);
    expect(Array.from(m[1]!.data)).toEqual([30, 30, 30, 30]);
    expect(latentMips(new Uint8Array(5 * 3 * 4), 5, 3).map((l) => [l.width, l.height])).toEqual([[5, 3], [2, 1], [1, 1]]);
  });

  it(`<name>_uv(uv, lod) decodes each mip level's latents, and <name>(p) the texels (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const seed = testSeed(), r = rng(seed);
    const targets = syntheticMaterial(32, 32, seed);
    const LW = 16, F = 8, C = targets.channels;
    const latents = Uint8Array.from({ length: LW * LW * F }, () => Math.floor(r() * 256));
    const decoder = ShaderMLP.random([F + 2, 16, C], 'leaky_relu', seed);
    const mat = loadMaterial(device, encodeWgmat({ width: 32, height: 32, lw: LW, lh: LW, features: F, latents, decoder }, targets.textures));
    const dec = materialWgsl(mat, 'mat', 1, 0, device);
    const levels = boxLevels(latents, LW, F);
    // Probes: every texel centre of levels 1…4 and a stride of level 0, each decoded with _uv at that level.
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
  for (var c = 0u; c < ${C}u; c++) { out[g.x * ${2 * C}u + c] = y[c]; out[g.x * ${2 * C}u + ${C}u + c] = t[c]; }
}`;
    const got = await scoped(device, async () => {
      const pb = device.createBuffer({ size: P * 16, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
      new Float32Array(pb.getMappedRange()).set(probes.flatMap((p) => [...p.uv, p.lod, 0]));
      pb.unmap();
      const ob = device.createBuffer({ size: P * 2 * C * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const rb = device.createBuffer({ size: P * 2 * C * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const l0 = device.createBindGroupLayout({ entries: [0, 1].map((b) => ({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: b ? 'storage' : 'read-only-storage' } as GPUBufferBindingLayout })) });
      const l1 = device.createBindGroupLayout({ entries: dec.layoutEntries(GPUShaderStage.COMPUTE) });
      const pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: pb } }, { binding: 1, resource: { buffer: ob } }] }));
      pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: dec.bindGroupEntries(device) }));
      pass.dispatchWorkgroups(Math.ceil(P / 64));
      pass.end();
      enc.copyBufferToBuffer(ob, 0, rb, 0, P * 2 * C * 4);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const v = new Float32Array(rb.getMappedRange().slice(0));
      rb.unmap();
      return v;
    });
    const ref = mat.decoder.forward(probes.flatMap((p) => p.x));
    const texels = decodeMaterialCpu(mat.material);
    const scale = Math.max(...Array.from(ref, Math.abs));
    let worst = 0, worstTexel = 0;
    probes.forEach((p, i) => {
      const t = Math.floor(p.uv[1] * 32) * 32 + Math.floor(p.uv[0] * 32);
      for (let c = 0; c < C; c++) {
        worst = Math.max(worst, Math.abs(got[i * 2 * C + c]! - ref[i * C + c]!) / scale);
        worstTexel = Math.max(worstTexel, Math.abs(got[i * 2 * C + C + c]! - texels[t * C + c]!) / scale);
      }
    });
    expect(worst, 'trilinear decode vs CPU decode of box-filtered latents').toBeLessThan(2e-3);
    expect(worstTexel, 'texel decode vs decodeMaterialCpu').toBeLessThan(2e-3);
    // The levels differ: a decode that ignored lod would fail the CPU comparison above on levels ≥ 1.
    expect(levels[1]!.some((v, i) => v !== latents[i])).toBe(true);
  }, 60_000);
});
