/**
 * Several materials in one decode pass, and the two material modes: 'original' reads the textures a
 * material was compressed from (checked texel by texel against the PNGs × tint), 'neural' decodes
 * the .wgmat (close to the originals), and switching modes on a live frame state gives what a state
 * made in that mode gives. Refusals: a missing original texture, more latent textures than a stage holds.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame, setMaterialMode, type FrameState } from '../src/demo/frame.js';
import { demoCamera, type Scene } from '../src/demo/scene.js';
import { readTexture } from '../src/demo/png.js';
import { loadMaterialSet } from '../src/demo/materials-node.js';
import type { MaterialMode, MaterialSet } from '../src/demo/material.js';
import { DemoError } from '../src/demo/network.js';

const S = 64;
const scene: Scene = {
  primitives: [
    { kind: 'plane', height: 0, albedo: [0.9, 0.85, 0.8], material: 2, uvScale: 0.5 },
    { kind: 'box', center: [0, 0.5, 0], half: [0.5, 0.5, 0.5], yaw: 0.3, albedo: [1, 0.9, 0.8], material: 1, uvScale: 1 },
    { kind: 'sphere', center: [1.4, 0.6, 0.3], radius: 0.6, albedo: [0.3, 0.5, 0.85] },
  ],
};

interface Out { shade: Uint8Array; color: Uint8Array; surface: Float32Array; id: Uint8Array }

async function frame(device: GPUDevice, state: FrameState): Promise<Out> {
  return scoped(device, async () => {
    const enc = device.createCommandEncoder({ label: 'test materials frame' });
    encodeFrame(enc, state);
    device.queue.submit([enc.finish()]);
    const rgba16 = async (t: GPUTexture) => {
      const bpr = Math.ceil((S * 8) / 256) * 256, st = device.createBuffer({ size: bpr * S, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const e = device.createCommandEncoder();
      e.copyTextureToBuffer({ texture: t }, { buffer: st, bytesPerRow: bpr }, { width: S, height: S });
      device.queue.submit([e.finish()]);
      await st.mapAsync(GPUMapMode.READ);
      const h = new Uint16Array(st.getMappedRange().slice(0)); st.unmap(); st.destroy();
      const half = (v: number) => { const ex = (v >> 10) & 31, m = v & 1023, sg = v >> 15 ? -1 : 1; return sg * (ex ? (1 + m / 1024) * 2 ** (ex - 15) : m * 2 ** -24); };
      const out = new Float32Array(S * S * 4);
      for (let y = 0; y < S; y++) for (let i = 0; i < S * 4; i++) out[y * S * 4 + i] = half(h[(y * bpr) / 2 + i]!);
      return out;
    };
    const albedo = await readTexture(device, state.gbuffer.albedo);
    return { shade: await readTexture(device, state.material.albedo), color: await readTexture(device, state.color), surface: await rgba16(state.gbuffer.surface), id: albedo.filter((_, i) => i % 4 === 3) };
  });
}

describe(`materials in the showcase frame (${S}×${S}, lavapipe)`, () => {
  let device: GPUDevice, set: MaterialSet;
  const make = (materialMode: MaterialMode) => scoped(device, () => createFrameState(device, { width: S, height: S, scene, camera: demoCamera(), ao: 'none', materials: set, materialMode }));
  beforeAll(async () => { device = await testDevice(); set = loadMaterialSet(['bricks', 'tiles']); });

  it("'original' reads each material's textures (× tint) texel by texel; 'neural' stays close to them", async () => {
    const orig = await make('original'), neural = await make('neural');
    try {
      const o = await frame(device, orig), n = await frame(device, neural);
      let checked = [0, 0, 0], diff = 0, count = 0;
      for (let i = 0; i < S * S; i++) {
        const id = o.id[i]!;
        if (!id) continue;
        const p = scene.primitives[id - 1]!, m = p.material ?? 0;
        expect(Math.round(o.surface[i * 4 + 2]!)).toBe(m);
        if (!m) continue;
        const img = set.originals![m - 1]!.albedo!, W = img.width, fr = (v: number) => v - Math.floor(v);
        const u = o.surface[i * 4]!, v = o.surface[i * 4 + 1]!;
        const tx = Math.min(W - 1, Math.floor(fr(u) * W)), ty = Math.min(img.height - 1, Math.floor(fr(v) * img.height));
        // f16 uv moves texel boundaries: check where the neighbourhood agrees.
        const same = [[0.002, 0], [-0.002, 0], [0, 0.002], [0, -0.002]].every(([du, dv]) => Math.min(W - 1, Math.floor(fr(u + du!) * W)) === tx && Math.min(img.height - 1, Math.floor(fr(v + dv!) * img.height)) === ty);
        if (!same) continue;
        for (let c = 0; c < 3; c++) {
          const want = (img.data[(ty * W + tx) * 4 + c]! / 255) * p.albedo[c]!;
          expect(Math.abs(o.shade[i * 4 + c]! / 255 - want), `material ${m} at pixel ${i}`).toBeLessThanOrEqual(1 / 255 + 1e-6);
          diff += Math.abs(n.shade[i * 4 + c]! - o.shade[i * 4 + c]!); count++;
        }
        checked[m]!++;
      }
      expect(checked[1]).toBeGreaterThan(50);
      expect(checked[2]).toBeGreaterThan(300);
      // The neural decode is within a few 8-bit levels of its originals on average (the materials are ~45 dB).
      expect(diff / count).toBeLessThan(4);
      expect(diff).toBeGreaterThan(0);
    } finally {
      destroyFrameState(orig); destroyFrameState(neural);
    }
  });

  it('switching the mode on a live state renders what a state made in that mode renders', async () => {
    const live = await make('neural'), fresh = await make('original');
    try {
      await setMaterialMode(live, 'original');
      expect(live.material.mode).toBe('original');
      const [a, b] = [await frame(device, live), await frame(device, fresh)];
      expect(Buffer.compare(Buffer.from(a.color), Buffer.from(b.color))).toBe(0);
      await setMaterialMode(live, 'neural');
      const c = await frame(device, live);
      expect(Buffer.compare(Buffer.from(c.color), Buffer.from(a.color))).not.toBe(0);
    } finally {
      destroyFrameState(live); destroyFrameState(fresh);
    }
  });

  it('refuses originals that are missing and materials that need more textures than a stage samples', async () => {
    const noOriginals: MaterialSet = { wgmats: set.wgmats, originals: [set.originals![0]!, null] };
    await expect(createFrameState(device, { width: S, height: S, scene, camera: demoCamera(), ao: 'none', materials: noOriginals, materialMode: 'original' })).rejects.toThrow(/material 2 has no original 'albedo' texture/);
    // bricks.wgmat holds its 16 latent features in 4 textures: four of them and the G-buffer's 4 make 20 > 16.
    const many: Scene = { primitives: [...scene.primitives, ...[3, 4].map((m) => ({ kind: 'sphere' as const, center: [m, 0.5, -2] as [number, number, number], radius: 0.5, albedo: [1, 1, 1] as [number, number, number], material: m }))] };
    const bricks = set.wgmats[0]!;
    await expect(createFrameState(device, { width: S, height: S, scene: many, camera: demoCamera(), ao: 'none', materials: { wgmats: [bricks, bricks, bricks, bricks] } })).rejects.toBeInstanceOf(DemoError);
  });
});
