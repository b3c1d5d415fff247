import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMaterial } from '../src/shaderml/material/synthetic.js';
import { compressMaterial } from '../src/shaderml/material/train.js';
import { encodeWgmat, loadMaterial } from '../src/shaderml/material/wgmat.js';
import { decoderBytes, footprint } from '../src/shaderml/material/report.js';
import { imagePsnr, renderMaterialScene } from '../src/shaderml/material/render.js';
import { readPng, textureRgba, writePng } from '../src/shaderml/material/textures.js';
import { testDevice } from './helpers/gpu.js';

describe('render-material', () => {
  const m = syntheticMaterial(32, 32, 5);
  const texels = { kind: 'texels' as const, width: m.width, height: m.height, channels: m.channels, textures: m.textures, data: m.data };

  it('shades the same image forward and through a G-buffer + compute pass, and a sphere covers the middle', async () => {
    const device = await testDevice();
    const opts = { width: 48, height: 48 };
    const f = await renderMaterialScene(device, texels, 'forward', opts);
    const c = await renderMaterialScene(device, texels, 'compute', opts);
    // Background is (0.1, 0.1, 0.12); the centre pixel lies on the sphere and is lit differently.
    const at = (img: Uint8Array, x: number, y: number) => Array.from(img.subarray((y * 48 + x) * 4, (y * 48 + x) * 4 + 3));
    expect(at(f, 0, 0)).toEqual([26, 26, 31]);
    expect(at(f, 24, 24)).not.toEqual([26, 26, 31]);
    // Only the position used for the view vector differs (interpolated vertex vs normalized normal).
    expect(imagePsnr(f, c)).toBeGreaterThan(35);
    // Changing the material changes the image: the decode feeds the shading.
    const other = { ...texels, data: m.data.map((v, i) => (i % m.channels === 0 ? 1 - v : v)) };
    expect(imagePsnr(f, await renderMaterialScene(device, other, 'forward', opts))).toBeLessThan(30);
  });

  it('CLI: renders a .wgmat next to its originals and reports PSNR (neural vs original, forward and compute)', async () => {
    const device = await testDevice();
    // 2-bit codes, like the default: stored packed, expanded to bytes on the GPU unless --latents packed.
    const c = await compressMaterial(device, m, { steps: 150, fineTuneSteps: 30, features: 6, bits: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'wgmat-render-'));
    try {
      const file = join(dir, 'm.wgmat');
      writeFileSync(file, encodeWgmat(c, m.textures));
      m.textures.forEach((t, i) => writePng(join(dir, `${t.name}.png`), m.width, m.height, textureRgba(m, m.data, i)));
      const out = execFileSync('node', ['dist/cli/main.js', 'render-material', file, '--out', join(dir, 'img.png'), '--originals', dir, '--size', '32', '--minified', '--json'], { encoding: 'utf8' });
      const r = JSON.parse(out.slice(out.indexOf('{'))) as { latents: string; bitsPerTexel: number; gpuBitsPerTexel: number; psnrForward: number; psnrCompute: number; psnrForwardVsCompute: number; minified: { mipLevels: number; psnrTrilinear: number; psnrNearest: number } };
      // Sizes as compress counts them: stored (2-bit codes) and on the GPU (expanded to bytes by default).
      expect(r.latents).toBe('expanded');
      expect([r.bitsPerTexel, r.gpuBitsPerTexel]).toEqual([footprint(c, decoderBytes(c), 'expanded').bitsPerTexel, footprint(c, decoderBytes(c), 'expanded').gpuBitsPerTexel]);
      expect(r.gpuBitsPerTexel).toBeGreaterThan(r.bitsPerTexel);
      // --latents packed: the stored size on the GPU too, and the same image (texel decode: equal up to f32 rounding).
      const po = execFileSync('node', ['dist/cli/main.js', 'render-material', file, '--out', join(dir, 'packed.png'), '--size', '32', '--latents', 'packed', '--json'], { encoding: 'utf8' });
      const pr = JSON.parse(po.slice(po.indexOf('{'))) as { latents: string; gpuBitsPerTexel: number };
      expect([pr.latents, pr.gpuBitsPerTexel]).toEqual(['packed', footprint(c, decoderBytes(c), 'packed').gpuBitsPerTexel]);
      expect(imagePsnr(readPng(join(dir, 'packed.png')).rgba, readPng(join(dir, 'img.png')).rgba)).toBeGreaterThan(60);
      // Minified and trilinear (no trained mips here: every lod reads level 0) against the originals' mip chain.
      expect(r.minified.mipLevels).toBe(0);
      expect(r.minified.psnrTrilinear).toBeGreaterThan(15);
      expect(existsSync(join(dir, 'img-minified.png'))).toBe(true);
      for (const f of ['img.png', 'img-compute.png', 'img-reference.png']) expect(existsSync(join(dir, f)), f).toBe(true);
      // The CLI's PSNR is the PSNR of the images it wrote.
      const a = readPng(join(dir, 'img.png')).rgba, b = readPng(join(dir, 'img-reference.png')).rgba;
      expect(r.psnrForward).toBeCloseTo(imagePsnr(a, b), 6);
      // A briefly trained material is close to, but not the same as, the originals.
      expect(r.psnrForward).toBeGreaterThan(18);
      expect(r.psnrForward).toBeLessThan(60);
      expect(r.psnrCompute).toBeGreaterThan(18);
      // And a GPU decode of the same material renders like the CLI did.
      const own = await renderMaterialScene(device, { kind: 'neural', material: loadMaterial(device, new Uint8Array(readFileSync(file))) }, 'forward', { width: 32, height: 32 });
      expect(imagePsnr(own, a)).toBeGreaterThan(60);
      // int8 decode (dot4I8Packed, scales calibrated on the latents): close to the f32 render, not identical.
      const mat = loadMaterial(device, new Uint8Array(readFileSync(file)));
      for (const path of ['forward', 'compute'] as const) {
        const f32 = await renderMaterialScene(device, { kind: 'neural', material: mat }, path, { width: 32, height: 32 });
        const i8 = await renderMaterialScene(device, { kind: 'neural', material: mat, decode: { precision: 'int8' } }, path, { width: 32, height: 32 });
        const p = imagePsnr(i8, f32);
        console.log(`int8 vs f32 decode, ${path}: ${p.toFixed(2)} dB`);
        expect(p, path).toBeGreaterThan(38);
        expect(p, path).toBeLessThan(99);
      }
      expect(() => execFileSync('node', ['dist/cli/main.js', 'render-material', file, '--out', join(dir, 'x.png'), '--originals', join(dir, 'nope')], { stdio: 'pipe' })).toThrow();
      // The originals are read with the file's normal maps; a folder without one is a mismatch of folders, said so.
      renameSync(join(dir, 'normal.png'), join(dir, 'other.png'));
      expect(() => execFileSync('node', ['dist/cli/main.js', 'render-material', file, '--out', join(dir, 'x.png'), '--originals', dir, '--size', '8'], { stdio: 'pipe' })).toThrow(/has no texture 'normal', but the material was made from albedo,normal,roughness/);
    } finally { rmSync(dir, { recursive: true }); }
  }, 120_000);
});
