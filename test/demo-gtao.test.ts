/**
 * The GTAO baseline (src/demo/gtao.ts): its horizon search against a CPU implementation of the same
 * integral on the same G-buffer, and against analytic cases: an open floor integrates to exactly 1,
 * and a floor point at the foot of a wall sees half of its cosine-weighted hemisphere (AO 1/2), what
 * the ray-cast AO finds there too; on the demo scene it must beat AO = 1 against the ray-cast AO.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame, type AOMode } from '../src/demo/frame.js';
import { demoCamera, demoScene, type Scene } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { readTexture } from '../src/demo/png.js';
import { BAYER4, GTAO_FALLOFF, GTAO_SLICES, GTAO_STEPS } from '../src/demo/gtao.js';
import { DEFAULT_LIGHTING, DEPTH_SCALE } from '../src/demo/common.js';
import { cameraEye, lookAt, perspective, transform, type Camera, type Vec3 } from '../src/demo/math.js';
import { scoreAO } from '../src/demo/compare.js';
import { createAOInputGrid } from '../src/demo/network.js';
import { tensor } from '../src/tensor/tensor.js';
import { readFileSync } from 'node:fs';

const S = 48, plane = S * S;
const MATERIAL = new Uint8Array(readFileSync('examples/materials/bricks.wgmat'));

interface Rendered { packed: Float32Array; raw: Float32Array | null }

async function render(device: GPUDevice, scene: Scene, camera: Camera, ao: AOMode, aoRays = 64): Promise<Rendered> {
  const state = await scoped(device, () => createFrameState(device, { width: S, height: S, scene, camera, ao, gbuffer: 'compute', material: MATERIAL, lighting: { aoRays } }));
  try {
    return await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: `test ${ao} frame` });
      encodeFrame(enc, state);
      device.queue.submit([enc.finish()]);
      const packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
      const raw = state.gtao ? new Float32Array((await readTexture(device, state.gtao.raw)).buffer) : null;
      return { packed, raw };
    });
  } finally {
    destroyFrameState(state);
  }
}

/**
 * GTAO's horizon search for pixel (x, y), written from the paper's equations (slice angle n of the
 * projected normal, horizons h0/h1 clamped to the hemisphere, â = ¼(−cos(2h − n) + cos n + 2h sin n)),
 * on the read-back G-buffer: what the first pass must write.
 */
function cpuGtao(g: Float32Array, camera: Camera, x: number, y: number, k = 1, frac = 1): number {
  const ch = (c: number, px: number, py: number) => g[c * plane + py * S + px]!;
  const proj = perspective(camera.fovY, 1, camera.near, camera.far);
  // On the AO input grid (step k) the search runs in grid pixels: D of them across, centred on the sampled
  // full-resolution pixel (x·k + k/2); it samples the full-resolution G-buffer at the same uv.
  const D = S / k, fx0 = x * k + (k >> 1), fy0 = y * k + (k >> 1), cx = (fx0 + 0.5) / k, cy = (fy0 + 0.5) / k;
  const pos = (px: number, py: number, z: number): Vec3 => [(px / D * 2 - 1) * z / proj[0]!, (1 - py / D * 2) * z / proj[5]!, -z];
  const n0: Vec3 = [ch(0, fx0, fy0), ch(1, fx0, fy0), ch(2, fx0, fy0)];
  if (n0[0] ** 2 + n0[1] ** 2 + n0[2] ** 2 < 0.25) return 1;
  const z = ch(3, fx0, fy0) * DEPTH_SCALE, P = pos(cx, cy, z), len = Math.hypot(...P), V: Vec3 = [-P[0] / len, -P[1] / len, -P[2] / len];
  const nl = Math.hypot(...n0), N: Vec3 = [n0[0] / nl, n0[1] / nl, n0[2] / nl];
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const R = DEFAULT_LIGHTING.aoDistance, radiusPx = (R * proj[5]! * 0.5 * D) / z;
  if (radiusPx < 1) return 1;
  const cell = (y & 3) * 4 + (x & 3), ns = (BAYER4[cell]! + 0.5) / 16, nstep = (BAYER4[(cell * 7 + 5) & 15]! + 0.5) / 16;
  let vis = 0;
  // Slices uniform about V: an orthonormal basis of the plane ⟂ V; each slice is walked along the screen line its direction projects to.
  const t1l = Math.hypot(V[2], V[0]), T1: Vec3 = [V[2] / t1l, 0, -V[0] / t1l];
  const T2: Vec3 = [V[1] * T1[2] - V[2] * T1[1], V[2] * T1[0] - V[0] * T1[2], V[0] * T1[1] - V[1] * T1[0]];
  const toPixel = (q: Vec3) => [((q[0] * proj[0]!) / -q[2] + 1) * 0.5 * D, (1 - (q[1] * proj[5]!) / -q[2]) * 0.5 * D];
  const p0 = toPixel(P);
  for (let s = 0; s < GTAO_SLICES; s++) {
    const phi = ((s + ns) * Math.PI) / GTAO_SLICES;
    const ortho: Vec3 = [Math.cos(phi) * T1[0] + Math.sin(phi) * T2[0], Math.cos(phi) * T1[1] + Math.sin(phi) * T2[1], Math.cos(phi) * T1[2] + Math.sin(phi) * T2[2]];
    const p1 = toPixel([P[0] + ortho[0] * 0.01 * z, P[1] + ortho[1] * 0.01 * z, P[2] + ortho[2] * 0.01 * z]);
    const ol = Math.hypot(p1[0]! - p0[0]!, p1[1]! - p0[1]!), om = [(p1[0]! - p0[0]!) / ol, (p1[1]! - p0[1]!) / ol];
    const ax: Vec3 = [ortho[1] * V[2] - ortho[2] * V[1], ortho[2] * V[0] - ortho[0] * V[2], ortho[0] * V[1] - ortho[1] * V[0]];
    const al = Math.hypot(...ax), axis: Vec3 = [ax[0] / al, ax[1] / al, ax[2] / al], na = dot(N, axis);
    const pn: Vec3 = [N[0] - axis[0] * na, N[1] - axis[1] * na, N[2] - axis[2] * na], pl = Math.hypot(...pn);
    if (pl < 1e-4) continue;
    const cosN = Math.min(1, Math.max(0, dot(pn, V) / pl)), n = Math.sign(dot(ortho, pn)) * Math.acos(cosN);
    const low = [Math.cos(n + Math.PI / 2), Math.cos(n - Math.PI / 2)], hc = [...low];
    for (let j = 0; j < GTAO_STEPS; j++) {
      const t = ((j + nstep) / GTAO_STEPS) ** 2, d = Math.max(t * radiusPx, j + 1);
      for (const side of [0, 1]) {
        const sg = side === 0 ? 1 : -1, sx = cx + sg * om[0]! * d, sy = cy + sg * om[1]! * d;
        if (sx < 0 || sy < 0 || sx >= D || sy >= D) continue;
        // Bilinear, clamped to the edge: what the pass's filtering sampler returns at (sx, sy).
        const bx = sx * k - 0.5, by = sy * k - 0.5, x0 = Math.floor(bx), y0 = Math.floor(by), fx = bx - x0, fy = by - y0;
        const tap = (c: number) => {
          const at = (px: number, py: number) => ch(c, Math.min(S - 1, Math.max(0, px)), Math.min(S - 1, Math.max(0, py)));
          return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
        };
        if (tap(0) ** 2 + tap(1) ** 2 + tap(2) ** 2 < 0.25) continue;
        const q = pos(sx, sy, tap(3) * DEPTH_SCALE), delta: Vec3 = [q[0] - P[0], q[1] - P[1], q[2] - P[2]], dist = Math.hypot(...delta);
        if (dist < 1e-6) continue;
        const Rr = R * frac, w = Math.min(1, Math.max(0, (Rr - dist) / (GTAO_FALLOFF * Rr)));
        hc[side] = Math.max(hc[side]!, low[side]! + (dot(delta, V) / dist - low[side]!) * w);
      }
    }
    const h0 = n + Math.min(Math.PI / 2, Math.max(-Math.PI / 2, -Math.acos(Math.min(1, Math.max(-1, hc[1]!))) - n));
    const h1 = n + Math.min(Math.PI / 2, Math.max(-Math.PI / 2, Math.acos(Math.min(1, Math.max(-1, hc[0]!))) - n));
    vis += pl * 0.25 * ((cosN + 2 * h0 * Math.sin(n) - Math.cos(2 * h0 - n)) + (cosN + 2 * h1 * Math.sin(n) - Math.cos(2 * h1 - n)));
  }
  return Math.min(1, Math.max(0, vis / GTAO_SLICES));
}

const pixelOf = (camera: Camera, p: Vec3): [number, number] => {
  const v = transform(lookAt(cameraEye(camera), camera.target), p, 1), c = transform(perspective(camera.fovY, 1, camera.near, camera.far), v, 1), w = -v[2];
  return [Math.floor(((c[0] / w + 1) / 2) * S), Math.floor(((1 - c[1] / w) / 2) * S)];
};

describe(`GTAO baseline (${S}×${S}, lavapipe)`, () => {
  let device: GPUDevice;
  beforeAll(async () => { device = await testDevice(); });

  it('an open floor integrates to 1 (every slice, every pixel), and the pass matches the CPU integral', async () => {
    const camera: Camera = { target: [0, 0, 0], yaw: 0.3, pitch: 1.0, distance: 4, fovY: Math.PI / 3, near: 0.1, far: 60 };
    const { packed, raw } = await render(device, { primitives: [{ kind: 'plane', height: 0, albedo: [0.8, 0.8, 0.8] }] }, camera, 'gtao');
    let floor = 0, open = 0, worst = 1;
    for (let i = 0; i < plane; i++) if (packed[i]! ** 2 + packed[plane + i]! ** 2 + packed[2 * plane + i]! ** 2 > 0.25) {
      floor++;
      if (raw![i]! > 0.995) open++;
      worst = Math.min(worst, raw![i]!, packed[4 * plane + i]!);
    }
    expect(floor).toBeGreaterThan(0.9 * plane);
    // Exact but for f16 depths and linear depth filtering across the far rows' coarse steps (48 pixels for 5 units).
    expect(open).toBeGreaterThan(0.95 * floor);
    expect(worst).toBeGreaterThan(0.97);
    for (const [x, y] of [[10, 30], [24, 40], [40, 26], [5, 45], [30, 2]] as const) expect(Math.abs(raw![y * S + x]! - cpuGtao(packed, camera, x, y)), `(${x}, ${y})`).toBeLessThan(3e-3);
  });

  it('at the foot of a wall GTAO and the ray-cast AO both find about 1/2; both match the CPU integral / reference elsewhere', async () => {
    const wall: Scene = { primitives: [{ kind: 'plane', height: 0, albedo: [0.8, 0.8, 0.8] }, { kind: 'box', center: [0, 1.5, -0.5], half: [4, 1.5, 0.5], yaw: 0, albedo: [0.7, 0.7, 0.7] }] };
    const camera: Camera = { target: [0, 0.3, 0.5], yaw: 0.15, pitch: 0.45, distance: 3.2, fovY: Math.PI / 3, near: 0.1, far: 60 };
    const g = await render(device, wall, camera, 'gtao');
    const rc = await render(device, wall, camera, 'raycast', 256);
    const ao = (r: Rendered, p: [number, number]) => r.packed[4 * plane + p[1] * S + p[0]]!;
    // A floor point 2 cm from the wall: half of the hemisphere (towards the wall) is blocked within 1 unit.
    const foot = pixelOf(camera, [0.2, 0, 0.02]), open = pixelOf(camera, [-0.3, 0, 1.4]);
    expect(Math.abs(ao(rc, foot) - 0.5), `ray-cast at the foot ${ao(rc, foot)}`).toBeLessThan(0.06);
    expect(Math.abs(ao(g, foot) - 0.5), `GTAO at the foot ${ao(g, foot)}`).toBeLessThan(0.08);
    // Farther than the AO distance from the wall (1.4 > 1): open.
    expect(ao(rc, open)).toBeGreaterThan(0.98);
    expect(ao(g, open)).toBeGreaterThan(0.97);
    for (const [x, y] of [foot, open, [20, 20], [30, 12]] as [number, number][]) expect(Math.abs(g.raw![y * S + x]! - cpuGtao(g.packed, camera, x, y)), `(${x}, ${y})`).toBeLessThan(3e-3);
    // The denoised map stays close to the ray-cast AO over the whole frame.
    const mask = new Uint8Array(plane).map((_, i) => (g.packed[i]! ** 2 + g.packed[plane + i]! ** 2 + g.packed[2 * plane + i]! ** 2 > 0.25 ? 1 : 0));
    expect(scoreAO(g.packed.subarray(4 * plane), rc.packed.subarray(4 * plane), mask).mae).toBeLessThan(0.05);
  });

  it('on the demo scene GTAO is closer to the ray-cast AO than AO = 1 is', async () => {
    const scene = demoScene(), camera = demoCamera();
    const g = await render(device, scene, camera, 'gtao');
    const rc = await render(device, scene, camera, 'raycast', 128);
    const mask = new Uint8Array(plane).map((_, i) => (rc.packed[i]! ** 2 + rc.packed[plane + i]! ** 2 + rc.packed[2 * plane + i]! ** 2 > 0.25 ? 1 : 0));
    const ref = rc.packed.subarray(4 * plane), gt = scoreAO(g.packed.subarray(4 * plane), ref, mask), one = scoreAO(new Float32Array(plane).fill(1), ref, mask);
    console.log(`demo scene ${S}×${S}: GTAO MAE ${gt.mae.toFixed(4)} / ${gt.psnrDb.toFixed(2)} dB; AO = 1 MAE ${one.mae.toFixed(4)} / ${one.psnrDb.toFixed(2)} dB`);
    expect(gt.mae).toBeLessThan(0.8 * one.mae);
    expect(gt.psnrDb).toBeGreaterThan(one.psnrDb + 1);
  });

  it("the AO input grid's fifth channel is this search in grid pixels: the pass's own values at step 1, the CPU integral at step 2; a 7-channel grid adds the search within ½ and ¼ of the distance", async () => {
    const scene = demoScene(), camera = demoCamera();
    const state = await scoped(device, () => createFrameState(device, { width: S, height: S, scene, camera, ao: 'gtao', gbuffer: 'compute', material: MATERIAL }));
    try {
      const got = await scoped(device, async () => {
        const grids = await Promise.all(([[1, 5], [2, 5], [1, 7], [2, 7]] as const).map(async ([k, c]) => {
          const n = S / k, x = tensor(device, { dtype: 'f32', shape: [1, c, n, n], label: `test AO grid k=${k} c=${c}` });
          return { k, n, x, grid: await createAOInputGrid(device, state.gbuffer.normal, x, { k, gw: n, gh: n, channels: c, frameUniforms: state.uniforms }) };
        }));
        const enc = device.createCommandEncoder({ label: 'test AO input grid' });
        encodeFrame(enc, state);
        for (const g of grids) g.grid.encode(enc);
        device.queue.submit([enc.finish()]);
        const packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
        const raw = new Float32Array((await readTexture(device, state.gtao!.raw)).buffer);
        const xs = await Promise.all(grids.map(async (g) => ({ k: g.k, n: g.n, x: await g.x.read() as Float32Array })));
        for (const g of grids) { g.grid.destroy(); g.x.destroy(); }
        return { packed, raw, xs };
      });
      const [k1, k2, k1c7, k2c7] = got.xs;
      const surface = (x: number, y: number) => got.packed[y * S + x]! ** 2 + got.packed[plane + y * S + x]! ** 2 + got.packed[2 * plane + y * S + x]! ** 2 > 0.25;
      // Step 1: the same function at the same pixels as the GTAO pass (its noisy first pass), sky 1.
      let occluded = 0;
      for (let i = 0; i < plane; i++) {
        const want = surface(i % S, Math.floor(i / S)) ? got.raw[i]! : 1;
        expect(Math.abs(k1!.x[4 * plane + i]! - want), `k=1 pixel ${i}`).toBeLessThan(1e-5);
        if (want < 0.9) occluded++;
      }
      expect(occluded).toBeGreaterThan(0.02 * plane);
      // Step 2: every other pixel, the search in 24×24 grid pixels over the 48×48 G-buffer, as the CPU integrates it.
      const gp = k2!.n * k2!.n;
      let checked = 0;
      for (let gy = 1; gy < k2!.n; gy += 3) for (let gx = 0; gx < k2!.n; gx += 3) {
        if (!surface(gx * 2 + 1, gy * 2 + 1)) { expect(k2!.x[4 * gp + gy * k2!.n + gx]).toBe(1); continue; }
        expect(Math.abs(k2!.x[4 * gp + gy * k2!.n + gx]! - cpuGtao(got.packed, camera, gx, gy, 2)), `k=2 (${gx}, ${gy})`).toBeLessThan(3e-3);
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
      // 7 channels: the first five as the 5-channel grid's (the same search, its whole-radius horizons), then the
      // visibility within R/2 and R/4 of the same taps, as the CPU integrates them; nearer radii see no more occlusion.
      for (const [a, b] of [[k1!, k1c7!], [k2!, k2c7!]] as const) {
        const p = a.n * a.n;
        for (let i = 0; i < 5 * p; i++) expect(Math.abs(b.x[i]! - a.x[i]!), `c=7 k=${a.k} value ${i}`).toBeLessThan(1e-6);
      }
      let closer = 0, checked7 = 0;
      for (const g of [k1c7!, k2c7!]) {
        const p = g.n * g.n;
        for (let gy = 1; gy < g.n; gy += 3) for (let gx = 0; gx < g.n; gx += 3) {
          const i = gy * g.n + gx, v = [4, 5, 6].map((c) => g.x[c * p + i]!);
          expect(v[1]! - v[0]!, `c=7 k=${g.k} (${gx}, ${gy}) half ≥ whole`).toBeGreaterThan(-1e-5);
          expect(v[2]! - v[1]!, `c=7 k=${g.k} (${gx}, ${gy}) quarter ≥ half`).toBeGreaterThan(-1e-5);
          if (!surface(gx * g.k + (g.k >> 1), gy * g.k + (g.k >> 1))) { expect(v).toEqual([1, 1, 1]); continue; }
          if (v[2]! > v[0]! + 0.02) closer++;
          for (const [c, frac] of [[5, 0.5], [6, 0.25]] as const)
            expect(Math.abs(g.x[c * p + i]! - cpuGtao(got.packed, camera, gx, gy, g.k, frac)), `c=7 k=${g.k} channel ${c} (${gx}, ${gy})`).toBeLessThan(3e-3);
          checked7++;
        }
      }
      expect(checked7).toBeGreaterThan(60);
      // The radii must differ somewhere, or the extra channels tell a model nothing.
      expect(closer).toBeGreaterThan(5);
    } finally {
      destroyFrameState(state);
    }
  });
});
