/**
 * The AO input grid's second depth layer (6-channel models, src/demo/network.ts): at each grid sample, the gap in
 * view depth from the visible surface to the nearest surface entered behind it (a depth peel with back faces
 * culled), clamped at LAYER2_MAX_GAP. Checked against an analytic ray cast written here on the CPU (camera ray
 * through the sampled pixel against the demo scene's floor, boxes and sphere), and the first five channels
 * against the 5-channel grid's.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame } from '../src/demo/frame.js';
import { demoCamera, demoScene, FLOOR_HALF, type Primitive } from '../src/demo/scene.js';
import { cameraEye, invert, lookAt, perspective, transform, type Vec3 } from '../src/demo/math.js';
import { createAOInputGrid, LAYER2_MAX_GAP } from '../src/demo/network.js';
import { tensor } from '../src/tensor/tensor.js';
import { readFileSync } from 'node:fs';

const S = 48;
const MATERIAL = new Uint8Array(readFileSync('examples/materials/bricks.wgmat'));

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

/** Distance along the ray at which it enters p (outside-in), or null. */
function entry(p: Primitive, o: Vec3, d: Vec3): number | null {
  if (p.kind === 'plane') {
    if (d[1] >= 0) return null;
    const t = (p.height - o[1]) / d[1], q: Vec3 = [o[0] + d[0] * t, 0, o[2] + d[2] * t];
    return t > 0 && Math.abs(q[0]) < FLOOR_HALF && Math.abs(q[2]) < FLOOR_HALF ? t : null;
  }
  if (p.kind === 'sphere') {
    const oc = sub(o, p.center), b = dot(oc, d), h = b * b - (dot(oc, oc) - p.radius ** 2);
    return h < 0 ? null : -b - Math.sqrt(h);
  }
  if (p.kind !== 'box') throw new Error(`the demo scene has no ${p.kind}`);
  // Into the box's frame: undo its yaw about +Y.
  const c = Math.cos(p.yaw ?? 0), s = Math.sin(p.yaw ?? 0), rot = (v: Vec3): Vec3 => [c * v[0] - s * v[2], v[1], s * v[0] + c * v[2]];
  const lo = rot(sub(o, p.center)), ld = rot(d);
  let tn = -Infinity, tf = Infinity;
  for (let a = 0; a < 3; a++) {
    const t1 = (-p.half[a]! - lo[a]!) / ld[a]!, t2 = (p.half[a]! - lo[a]!) / ld[a]!;
    tn = Math.max(tn, Math.min(t1, t2)); tf = Math.min(tf, Math.max(t1, t2));
  }
  return tn <= tf ? tn : null;
}

describe('AO input grid: second depth layer', () => {
  let device: GPUDevice;
  beforeAll(async () => { device = await testDevice(); });

  it('channel 6 is the gap to the nearest surface entered behind the visible one, as a CPU ray cast finds it; channels 1-5 are the 5-channel grid', async () => {
    const scene = demoScene(), camera = demoCamera();
    const state = await scoped(device, () => createFrameState(device, { width: S, height: S, scene, camera, ao: 'none', gbuffer: 'compute', material: MATERIAL }));
    try {
      const xs = await scoped(device, async () => {
        const grids = await Promise.all(([[1, 5], [1, 6], [2, 6]] as const).map(async ([k, c]) => {
          const n = S / k, x = tensor(device, { dtype: 'f32', shape: [1, c, n, n], label: `test AO grid k=${k} c=${c}` });
          return { k, n, x, grid: await createAOInputGrid(device, state.gbuffer.normal, x, { k, gw: n, gh: n, channels: c, frameUniforms: state.uniforms, scenePrims: state.prims }) };
        }));
        const enc = device.createCommandEncoder({ label: 'test AO second layer' });
        encodeFrame(enc, state);
        for (const g of grids) g.grid.encode(enc);
        device.queue.submit([enc.finish()]);
        const out = await Promise.all(grids.map(async (g) => ({ k: g.k, n: g.n, x: await g.x.read() as Float32Array })));
        for (const g of grids) { g.grid.destroy(); g.x.destroy(); }
        return out;
      });
      const [c5, k1, k2] = xs;
      const P = S * S;
      for (let i = 0; i < 5 * P; i++) expect(Math.abs(k1!.x[i]! - c5!.x[i]!), `channel ${Math.floor(i / P)} value ${i % P}`).toBeLessThan(1e-6);

      const eye = cameraEye(camera), invView = invert(lookAt(eye, camera.target)), proj = perspective(camera.fovY, 1, camera.near, camera.far);
      const want = (px: number, py: number): number => {
        const dv: Vec3 = [((px + 0.5) / S * 2 - 1) / proj[0]!, (1 - (py + 0.5) / S * 2) / proj[5]!, -1];
        const len = Math.hypot(...dv), depthPerT = 1 / len;
        const d = transform(invView, [dv[0] / len, dv[1] / len, dv[2] / len], 0);
        const ts = scene.primitives.map((p) => entry(p, eye, d)).filter((t): t is number => t !== null && t > 0).sort((a, b) => a - b);
        if (!ts.length) return LAYER2_MAX_GAP;
        const t1 = ts[0]!, t2 = ts.find((t) => t > t1 * 1.001 + 1e-3);
        return t2 === undefined ? LAYER2_MAX_GAP : Math.min((t2 - t1) * depthPerT, LAYER2_MAX_GAP);
      };
      let hidden = 0, checked = 0;
      for (const g of [k1!, k2!]) {
        const p = g.n * g.n;
        for (let gy = 0; gy < g.n; gy++) for (let gx = 0; gx < g.n; gx++) {
          const got = g.x[5 * p + gy * g.n + gx]!, w = want(gx * g.k + (g.k >> 1), gy * g.k + (g.k >> 1));
          // The pass starts from the G-buffer's float16 depth: a few millimetres at this range.
          expect(Math.abs(got - w), `k=${g.k} (${gx}, ${gy}): ${got} against ${w}`).toBeLessThan(5e-3);
          if (w < LAYER2_MAX_GAP) hidden++;
          checked++;
        }
      }
      // The floor behind the boxes and the sphere, and under them, must show (~10% of this frame's samples).
      expect(hidden).toBeGreaterThan(0.05 * checked);
      expect(hidden).toBeLessThan(0.9 * checked);
    } finally {
      destroyFrameState(state);
    }
  });

  it('a 6-channel grid without the scene is refused with the reason', async () => {
    const x = tensor(device, { dtype: 'f32', shape: [1, 6, 8, 8], label: 'test AO grid refused' });
    const tex = device.createTexture({ label: 'test g-buffer', size: { width: 8, height: 8 }, format: 'rgba16float', usage: GPUTextureUsage.TEXTURE_BINDING });
    const uniforms = device.createBuffer({ label: 'test frame', size: 304, usage: GPUBufferUsage.UNIFORM });
    await expect(createAOInputGrid(device, tex, x, { k: 1, gw: 8, gh: 8, channels: 6, frameUniforms: uniforms })).rejects.toThrow(/needs the scene's primitives for its second depth layer/);
    x.destroy(); tex.destroy(); uniforms.destroy();
  });
});
