/**
 * The guard band (src/demo/guard.ts): the wider render must show the visible frame's pixels exactly as the
 * plain render does (same focal length in pixels, so the same primary rays), and the crop must return that
 * window; then, scored on the visible frame, GTAO with the band must not be worse than without it near the
 * border, where the band shows it occluders it could not see.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame } from '../src/demo/frame.js';
import { demoCamera, demoScene } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { autoGuard, cropGuard, guardedFrame, resolveGuard } from '../src/demo/guard.js';
import { focalPx, DemoError } from '../src/demo/network.js';
import { renderDemo } from '../src/demo/render.js';
import { PNG } from 'pngjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const MATERIAL = new Uint8Array(readFileSync('examples/materials/bricks.wgmat'));

describe('guard band', () => {
  it('widens the field of view so the focal length in pixels stays, and refuses a band that is not a whole number of pixels', () => {
    const base = { width: 64, height: 40, camera: demoCamera() };
    const g = guardedFrame(base, 12);
    expect([g.width, g.height]).toEqual([88, 64]);
    expect(focalPx(g.height, g.camera.fovY)).toBeCloseTo(focalPx(40, base.camera.fovY), 9);
    expect(g.camera.fovY).toBeGreaterThan(base.camera.fovY);
    expect(guardedFrame(base, 0)).toBe(base);
    for (const bad of [-1, 2.5, Number.NaN]) expect(() => guardedFrame(base, bad)).toThrow(DemoError);
  });

  it('crops every plane (and every element of a pixel) to the visible window', () => {
    const w = 3, h = 2, guard = 2, W = w + 4, H = h + 4;
    const planes = Float32Array.from({ length: 2 * W * H }, (_, i) => i);
    const got = cropGuard(planes, w, h, guard, 2);
    const want: number[] = [];
    for (let p = 0; p < 2; p++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want.push(p * W * H + (y + guard) * W + x + guard);
    expect(Array.from(got)).toEqual(want);
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => i % 251);
    const c = cropGuard(rgba, w, h, guard, 1, 4);
    expect(c).toBeInstanceOf(Uint8Array);
    expect(Array.from(c.subarray(0, 4))).toEqual(Array.from(rgba.subarray(((guard * W) + guard) * 4, ((guard * W) + guard) * 4 + 4)));
    expect(c.length).toBe(w * h * 4);
  });

  let device: GPUDevice;
  beforeAll(async () => { device = await testDevice(); });

  it('the guarded render shows the visible frame as the plain render does (compute G-buffer, demo scene)', async () => {
    const base = { width: 48, height: 40, scene: demoScene(), camera: demoCamera(), gbuffer: 'compute' as const, material: MATERIAL, ao: 'gtao' as const };
    const read = async (o: typeof base) => {
      const state = await scoped(device, () => createFrameState(device, o));
      try {
        return await scoped(device, async () => {
          const enc = device.createCommandEncoder({ label: 'test guard' });
          encodeFrame(enc, state);
          device.queue.submit([enc.finish()]);
          return readPacked(device, state.gbuffer.normal, state.aoTexture);
        });
      } finally { destroyFrameState(state); }
    };
    const plain = await read(base), guarded = cropGuard(await read(guardedFrame(base, 8)), 48, 40, 8, 5);
    const plane = 48 * 40;
    let same = 0, gtaoDiffers = 0;
    for (let i = 0; i < plane; i++) {
      const d = Math.max(...[0, 1, 2, 3].map((c) => Math.abs(plain[c * plane + i]! - guarded[c * plane + i]!)));
      if (d < 2e-3) same++;
      if (Math.abs(plain[4 * plane + i]! - guarded[4 * plane + i]!) > 1e-3) gtaoDiffers++;
    }
    // Pixel centres are the same rays: only a silhouette pixel may tip the other way.
    expect(same).toBeGreaterThan(0.995 * plane);
    // The band changes what GTAO sees: somewhere near the border it found occluders past the old edge.
    expect(gtaoDiffers).toBeGreaterThan(0);
  });

  it('renderDemo with a band writes the visible frame and scores the visible frame of every slot', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wgml-guard-')), 'f.png');
    const r = await renderDemo({ device, size: [48, 40], guard: 8, ao: 'gtao', gbuffer: 'compute', scene: demoScene(), camera: demoCamera(), material: MATERIAL, compare: true, out, frames: 2 });
    expect([r.width, r.height]).toEqual([48, 40]);
    for (const f of r.files) {
      const png = PNG.sync.read(readFileSync(f));
      expect([png.width, png.height], f).toEqual(f.endsWith('-compare.png') ? [48 * 4, 80] : [48, 40]);
    }
    expect(r.compare!.slots.gtao!.psnrDb).toBeGreaterThan(r.compare!.slots.none!.psnrDb);
    expect(r.guard).toBe(8);
  });

  it("'auto' is 64 pixels at 1080p and in proportion to the height elsewhere; renderDemo reports the band it rendered", async () => {
    expect([autoGuard(1080), autoGuard(2160), autoGuard(540), autoGuard(256)]).toEqual([64, 128, 32, 15]);
    expect([resolveGuard('auto', 1080), resolveGuard(16, 1080), resolveGuard(undefined, 1080)]).toEqual([64, 16, 0]);
    const r = await renderDemo({ device, size: [40, 34], guard: 'auto', ao: 'none', gbuffer: 'compute', scene: demoScene(), camera: demoCamera(), material: MATERIAL });
    expect(r.guard).toBe(2);
    expect([r.width, r.height]).toEqual([40, 34]);
  });
});
