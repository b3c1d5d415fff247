import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMaterial } from '../src/shaderml/material/synthetic.js';
import { compressMaterial, decodeMaterialCpu, type CompressedMaterial } from '../src/shaderml/material/train.js';
import { decodeWgmat, encodeWgmat, loadMaterial, materialWgsl } from '../src/shaderml/material/wgmat.js';
import { decoderBytes, materialReport } from '../src/shaderml/material/report.js';
import { loadMaterialFolder, textureRgba, writePng } from '../src/shaderml/material/textures.js';
import { WeightFileError } from '../src/shaderml/errors.js';
import { LimitError } from '../src/errors.js';
import { resolveWgsl } from '../src/gpu/wgsl.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { compareClose } from './helpers/random.js';

/** GPU decode of every texel through loadMaterial + materialWgsl in a compute pass. */
async function gpuDecode(device: GPUDevice, bytes: Uint8Array): Promise<Float32Array> {
  const mat = loadMaterial(device, bytes);
  const { width: W, height: H, channels: C } = mat.manifest;
  const dec = materialWgsl(mat, 'decode', 1, 0, device);
  const code = resolveWgsl({ bindings: [{ name: 'Y', kind: 'read_write', type: 'array<f32>' }], requires: [dec.module], body: `
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${W}u || g.y >= ${H}u) { return; }
  let y = decode(g.xy);
  for (var c = 0u; c < ${C}u; c++) { Y[(g.y * ${W}u + g.x) * ${C}u + c] = y[c]; }
}` });
  return scoped(device, async () => {
    const size = W * H * C * 4;
    const yb = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const rb = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const l0 = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
    const l1 = device.createBindGroupLayout({ entries: dec.layoutEntries(GPUShaderStage.COMPUTE) });
    const pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: yb } }] }));
    pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: dec.bindGroupEntries(device) }));
    pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8));
    pass.end();
    enc.copyBufferToBuffer(yb, 0, rb, 0, size);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    return out;
  });
}

describe('neural material compression', () => {
  const m = syntheticMaterial(64, 64, 3);
  let trained: CompressedMaterial | null = null;

  it('trains latents + decoder on a 64×64 material (3 textures) to the stated PSNR', async () => {
    const device = await testDevice();
    trained = await compressMaterial(device, m, { steps: 600, fineTuneSteps: 150 });
    const rep = materialReport(m, trained, decoderBytes(trained));
    console.log(`material: ${rep.psnr.toFixed(2)} dB (${rep.textures.map((t) => `${t.name} ${t.psnr.toFixed(2)}`).join(', ')}), ${rep.bitsPerTexel.toFixed(2)} bpt, BC ratio ${rep.bcRatio.toFixed(2)}`);
    // Measured 38.6 dB overall on lavapipe (600 + 150 steps, defaults scale 2 × 4 features; 27.9 dB with
    // the old 16 features at /4); an untrained decoder gives ~8 dB.
    expect(rep.psnr).toBeGreaterThan(34);
    for (const t of rep.textures) expect(t.psnr, t.name).toBeGreaterThan(30);
    expect(rep.latentBytes).toBe(16 * 16 * 16);
    expect(rep.bcBytes).toBe((64 * 64 * (8 + 8 + 4)) / 8);
    expect(rep.bcRatio).toBeCloseTo(rep.bcBytes / rep.bytes, 6);
  }, 120_000);

  it('round-trips the quantized material through .wgmat and decodes it on the GPU like the CPU', async () => {
    expect(trained).not.toBeNull();
    const device = await testDevice();
    const bytes = encodeWgmat(trained!, m.textures, { note: 'test' });
    const { manifest, material } = decodeWgmat(bytes);
    expect([manifest.version, manifest.decoder.position]).toEqual([3, 'p2']); // compressMaterial's default position (auto) for a half-resolution grid
    expect(Array.from(material.latents)).toEqual(Array.from(trained!.latents));
    material.decoder.layers.forEach((l, i) => expect(Array.from(l.weight)).toEqual(Array.from(trained!.decoder.layers[i]!.weight)));
    const cpu = decodeMaterialCpu(material);
    expect(compareClose(decodeMaterialCpu(trained!), cpu, 0, 0)).toBeNull();
    const gpu = await gpuDecode(device, bytes);
    expect(compareClose(gpu, cpu, 1e-3, 1e-3)).toBeNull();
    const bad = bytes.slice();
    bad[bad.length - 3] ^= 0x55;
    expect(() => decodeWgmat(bad)).toThrow(WeightFileError);
    expect(() => decodeWgmat(bytes.subarray(0, 200))).toThrow(WeightFileError);
  });

  it('loads a folder of PNGs and classifies colour, normal and single-channel textures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgmat-'));
    try {
      m.textures.forEach((t, i) => writePng(join(dir, `${t.name}.png`), m.width, m.height, textureRgba(m, m.data, i)));
      const back = loadMaterialFolder(dir);
      expect(back.textures.map((t) => [t.name, t.kind, t.channels])).toEqual([['albedo', 'color', 3], ['normal', 'normal', 2], ['roughness', 'scalar', 1]]);
      expect(compareClose(back.data, m.data, 0, 0.5 / 255 + 1e-6)).toBeNull();
    } finally { rmSync(dir, { recursive: true }); }
  });
});

describe('material training and device limits', () => {
  it('a material whose targets exceed the storage binding limit is refused before any GPU work, with the size that fits', async () => {
    const m = syntheticMaterial(64, 32, 1), need = 64 * 32 * m.channels * 4;
    // Only `limits` is read before the check: a device with any other use would throw a TypeError instead.
    const small = { limits: { maxStorageBufferBindingSize: need - 4, maxBufferSize: 1 << 30 } } as unknown as GPUDevice;
    const e = await compressMaterial(small, m, { steps: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).message).toMatch(new RegExp(`64×32 texels × ${m.channels} channels as f32\\) take ${need} bytes, over its storage binding limit \\(${need - 4} bytes\\)`));
    // The hint's size keeps the aspect and fits: 32×16 at these channels.
    expect((e as LimitError).hint).toMatch(/to 32×16 or less/);
    expect((e as LimitError).details).toMatchObject({ width: 64, height: 32, channels: m.channels, bytes: need, limit: need - 4 });
  });
});
