/**
 * The compute G-buffer (primary rays against the analytic scene) against the raster G-buffer (the
 * scene mesh): every target per pixel (normal, linear depth, albedo, object id, UV, material id,
 * tangent frame) on the demo scene and on seeded random scenes with yawed boxes and spheres; then the
 * lit frames of both paths, and the ground-truth AO corner contrast on the compute path.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { testSeed } from './helpers/random.js';
import { createFrameState, destroyFrameState, encodeFrame, type GBufferMode } from '../src/demo/frame.js';
import { demoCamera, demoScene, randomScene, type Scene } from '../src/demo/scene.js';
import { randomArchCameras, randomArchScene } from '../src/demo/random-arch.js';
import { arch, barrel, column, fallenColumn } from '../src/demo/blocks.js';
import type { Primitive } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { readTexture } from '../src/demo/png.js';
import { DemoError, networkRuntimeStatus } from '../src/demo/network.js';
import { renderDemo } from '../src/demo/render.js';
import { cameraEye, lookAt, perspective, transform, type Camera, type Vec3 } from '../src/demo/math.js';
import { readFileSync } from 'node:fs';

const S = 96, plane = S * S;
const MATERIAL = new Uint8Array(readFileSync('examples/materials/bricks.wgmat'));
const runtime = await networkRuntimeStatus();

async function readHalf4(device: GPUDevice, texture: GPUTexture): Promise<Float32Array> {
  const { width, height } = texture, rowBytes = width * 8, bytesPerRow = Math.ceil(rowBytes / 256) * 256;
  const staging = device.createBuffer({ label: 'test read f16', size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'test read f16' });
  enc.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow }, { width, height });
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const src = new Uint16Array(staging.getMappedRange().slice(0));
  staging.unmap(); staging.destroy();
  const half = (h: number) => { const e = (h >> 10) & 31, m = h & 1023, sg = h >> 15 ? -1 : 1; return sg * (e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15)); };
  const out = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let i = 0; i < width * 4; i++) out[y * width * 4 + i] = half(src[(y * bytesPerRow) / 2 + i]!);
  return out;
}

interface Frame { normal: Float32Array; albedo: Uint8Array; surface: Float32Array; tangent: Float32Array; ao: Float32Array; color: Uint8Array }

async function render(device: GPUDevice, scene: Scene, camera: Camera, gbuffer: GBufferMode, ao: 'raycast' | 'network' = 'raycast'): Promise<Frame> {
  const state = await scoped(device, () => createFrameState(device, { width: S, height: S, scene, camera, ao, gbuffer, material: MATERIAL, model: 'models/ao/ao.onnx', lighting: { aoRays: 64 } }));
  try {
    expect(state.gbufferMode).toBe(gbuffer);
    return await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: `test ${gbuffer} frame` });
      encodeFrame(enc, state);
      device.queue.submit([enc.finish()]);
      return {
        normal: await readHalf4(device, state.gbuffer.normal), albedo: await readTexture(device, state.gbuffer.albedo),
        surface: await readHalf4(device, state.gbuffer.surface), tangent: await readHalf4(device, state.gbuffer.tangent),
        ao: (await readPacked(device, state.gbuffer.normal, state.aoTexture)).slice(4 * plane), color: await readTexture(device, state.color),
      };
    });
  } finally {
    destroyFrameState(state);
  }
}

/** Per-target comparison; returns counts so each test states its own bounds. */
function compareGBuffers(r: Frame, c: Frame, scene: Scene) {
  const id = (f: Frame, i: number) => f.albedo[i * 4 + 3]!;
  let sameId = 0, interior = 0, uvOk = 0, pole = 0, ties = 0, worst = { normal: 0, depth: 0, tangent: 0, albedo: 0 }, worstDepthAt = '', worstNormalAt = '';
  // Interior pixels and UV mismatches per primitive kind.
  const kinds: Record<string, number> = {}, uvBad: Record<string, number> = {};
  const bad: string[] = [];
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const i = y * S + x;
    if (id(r, i) === id(c, i)) sameId++;
    // Interior: the raster id and normal agree over the 3×3 neighbourhood. Silhouettes and a box's
    // creases between faces move by a pixel between rasterized triangles and the analytic ray cast
    // (which face owns a pixel whose centre lies on the edge is a float tie), so both are left out.
    let inside = x > 0 && y > 0 && x < S - 1 && y < S - 1;
    for (let dy = -1; inside && dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const j = i + dy * S + dx;
      if (id(r, j) !== id(r, i)) inside = false;
      for (let k = 0; k < 3; k++) if (Math.abs(r.normal[j * 4 + k]! - r.normal[i * 4 + k]!) > 0.25) inside = false;
    }
    if (!inside || id(r, i) === 0) continue;
    // Two surfaces meeting at a grazing angle (a sphere's cap just through a box face, seed 904490) are a depth tie
    // over several pixels: the tessellated mesh and the analytic ray cast each pick one, and both are right. Such
    // pixels are counted (and bounded by the caller) but not compared, like silhouettes.
    if (id(r, i) !== id(c, i) && Math.abs(r.normal[i * 4 + 3]! - c.normal[i * 4 + 3]!) <= 0.005 * r.normal[i * 4 + 3]!) { ties++; continue; }
    interior++;
    const d = (t: 'normal' | 'surface' | 'tangent', k: number) => Math.abs(r[t][i * 4 + k]! - c[t][i * 4 + k]!);
    // The view ray meets the analytic surface a sagitta's length / |n_z| along it from where it meets the mesh's facet
    // (a sphere's 7.5° facets: 1 − cos 3.75° = 0.0021 of the radius), so the normals there differ by ~0.0021 / |n_z|:
    // 0.025 at n_z = −0.086 (seed 222222, a sphere's rim, one of 31 seeds). Scaled back like depth below |n_z| = 0.2.
    const graze = Math.min(1, Math.max(Math.abs(r.normal[i * 4 + 2]!), 0.05) / 0.2);
    for (let k = 0; k < 3; k++) if (d('normal', k) * graze > worst.normal) { worst.normal = d('normal', k) * graze; worstNormalAt = `(${x}, ${y}) nz ${r.normal[i * 4 + 2]!.toFixed(3)} on ${scene.primitives[id(r, i) - 1]?.kind}`; }
    // Depth along the view axis; the mesh's facets sit a sagitta off the analytic surface along its normal, which
    // the view ray meets 1/cos longer where it grazes the surface (a sphere's rim): scale back by |n_z| (≥ 0.2).
    const rel = (d('normal', 3) / r.normal[i * 4 + 3]!) * Math.max(Math.abs(r.normal[i * 4 + 2]!), 0.2);
    if (rel > worst.depth) { worst.depth = rel; worstDepthAt = `(${x}, ${y}) on ${scene.primitives[id(r, i) - 1]?.kind}`; }
    for (let k = 0; k < 3; k++) worst.albedo = Math.max(worst.albedo, Math.abs(r.albedo[i * 4 + k]! - c.albedo[i * 4 + k]!));
    if (id(r, i) !== id(c, i) && bad.length < 5) bad.push(`id at (${x}, ${y}): raster ${id(r, i)} compute ${id(c, i)}`);
    // The mesh's sphere pole rings are fans of degenerate quads, and the ring next to them spans the
    // same 48 segments on a circle a quarter the size: u and the tangent interpolate unevenly across
    // both (a mesh artifact, not the ray cast's; 3% off at v = 1.6/24), so the two rings at each pole
    // (scene.ts: 24 rings) skip the UV/tangent checks.
    const p = scene.primitives[id(r, i) - 1]!;
    let lat = 1;
    if (p.kind === 'sphere') {
      const down = Math.max(1, Math.round(Math.PI * p.radius * (p.uvScale ?? 1))), v = r.surface[i * 4 + 1]! / down;
      if (v < 2 / 24 || v > 1 - 2 / 24) { pole++; continue; }
      lat = Math.min(1, 2 * Math.sin(Math.PI * v));
    }
    // UVs: f16 storage (an ulp is 1/64 at 16..32 floor repeats), sphere faceting, and a fifth of the pixel's own
    // UV footprint: a rasterizer snaps vertices to its subpixel grid (Vulkan guarantees 4 bits), which near the
    // horizon, where a pixel spans a third of a repeat, moves interpolated UVs by a fraction of a pixel (SwiftShader).
    const foot = (k: number) => Math.max(...[-1, 1, -S, S].map((o) => Math.abs(r.surface[(i + o) * 4 + k]! - r.surface[i * 4 + k]!)));
    const uvTol = (k: number) => 0.02 + 2e-3 * Math.abs(r.surface[i * 4 + k]!) + 0.2 * foot(k);
    const matSame = r.surface[i * 4 + 2] === c.surface[i * 4 + 2];
    kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
    if (matSame && d('surface', 0) <= uvTol(0) && d('surface', 1) <= uvTol(1)) uvOk++;
    else {
      uvBad[p.kind] = (uvBad[p.kind] ?? 0) + 1;
      if (bad.length < 5) bad.push(`uv/material at (${x}, ${y}) on ${p.kind} ${id(r, i)}: raster ${Array.from(r.surface.subarray(i * 4, i * 4 + 3))} compute ${Array.from(c.surface.subarray(i * 4, i * 4 + 3))}`);
    }
    // Raster interpolation leaves the constant handedness at ±0.9995 in places: compare signs.
    if (Math.sign(r.tangent[i * 4 + 3]!) !== Math.sign(c.tangent[i * 4 + 3]!) && bad.length < 5) bad.push(`tangent handedness at (${x}, ${y}) id ${id(r, i)}: raster ${Array.from(r.tangent.subarray(i * 4, i * 4 + 4))} compute ${Array.from(c.tangent.subarray(i * 4, i * 4 + 4))}`);
    // A position error δ along a sphere's surface turns its tangent by δ / (r sin θ) (θ from the pole): the facet
    // offset and the uneven interpolation above reach past the pole rings (0.030 at θ = 18°, seed 577229), so the
    // tangent difference is scaled back by sin θ below 30°, as the normal's by |n_z| at grazing angles.
    for (let k = 0; k < 3; k++) worst.tangent = Math.max(worst.tangent, d('tangent', k) * lat);
  }
  return { sameId, interior, uvOk: uvOk + pole, pole, ties, worst, worstDepthAt, worstNormalAt, bad, kinds, uvBad };
}

describe(`compute G-buffer vs raster G-buffer (${S}×${S}, lavapipe)`, () => {
  let device: GPUDevice;
  beforeAll(async () => { device = await testDevice(); });

  it('matches on the demo scene, and the lit frames (ground-truth AO) agree', async () => {
    const scene = demoScene(), camera = demoCamera();
    const r = await render(device, scene, camera, 'raster');
    const c = await render(device, scene, camera, 'compute');
    const m = compareGBuffers(r, c, scene);
    expect(m.bad.filter((b) => !b.startsWith('uv')), m.bad.join('\n')).toEqual([]);
    expect(m.sameId).toBeGreaterThanOrEqual(0.98 * plane);
    expect(m.ties, 'depth ties on the demo scene').toBe(0);
    expect(m.interior).toBeGreaterThan(0.7 * plane);
    expect(m.uvOk, m.bad.join('\n')).toBe(m.interior);
    expect(m.worst.normal).toBeLessThan(0.02);
    expect(m.worst.depth).toBeLessThan(0.005);
    expect(m.worst.tangent).toBeLessThan(0.03);
    // Interpolated constant vertex colours round to the neighbouring 8-bit level at times.
    expect(m.worst.albedo).toBeLessThanOrEqual(1);
    // Bricks (material 1) are on screen in both, so the decode path is compared too.
    expect(Array.from({ length: plane }, (_, i) => c.surface[i * 4 + 2]).filter((v) => v === 1).length).toBeGreaterThan(300);
    let colorDiff = 0, aoDiff = 0;
    for (let i = 0; i < c.color.length; i++) if (i % 4 !== 3) colorDiff += Math.abs(c.color[i]! - r.color[i]!);
    for (let i = 0; i < plane; i++) aoDiff += Math.abs(c.ao[i]! - r.ao[i]!);
    colorDiff /= 3 * plane; aoDiff /= plane;
    console.log(`demo scene: mean |lit raster − lit compute| ${colorDiff.toFixed(3)}/255, mean |AO diff| ${aoDiff.toFixed(4)}`);
    expect(colorDiff).toBeLessThan(2);
    expect(aoDiff).toBeLessThan(0.01);

    // The box/floor corner is darker than open floor on the compute path too.
    const view = lookAt(cameraEye(camera), camera.target), proj = perspective(camera.fovY, 1, camera.near, camera.far);
    const px = (pt: Vec3) => { const v = transform(view, pt, 1), q = transform(proj, v, 1), w = -v[2]; return Math.floor(((1 - q[1] / w) / 2) * S) * S + Math.floor(((q[0] / w + 1) / 2) * S); };
    const corner = px([0.1, 0, 0.62]), open = px([0.5, 0, 2.2]);
    expect(c.albedo[corner * 4 + 3]).toBe(1);
    expect(c.albedo[open * 4 + 3]).toBe(1);
    expect(c.ao[open]!).toBeGreaterThan(0.9);
    expect(c.ao[corner]!).toBeLessThan(c.ao[open]! - 0.25);
  });

  it('matches on seeded random scenes (yawed boxes, spheres, stacked objects)', async () => {
    const base = testSeed();
    for (const seed of [base, base + 1]) {
      const { scene, camera } = randomScene(seed);
      // Random scenes have no neural material; tag every box with it so box UV faces are checked as material surfaces.
      const tagged: Scene = { primitives: scene.primitives.map((p) => (p.kind === 'box' ? { ...p, material: 1, uvScale: 1.5 } : p)) };
      const r = await render(device, tagged, camera, 'raster');
      const c = await render(device, tagged, camera, 'compute');
      const m = compareGBuffers(r, c, tagged);
      const note = `seed ${seed}: ${m.bad.join('; ')} worst ${JSON.stringify(m.worst)} (depth at ${m.worstDepthAt}, normal at ${m.worstNormalAt})`;
      expect(m.sameId, note).toBeGreaterThanOrEqual(0.98 * plane);
      expect(m.ties, `${note}: depth ties`).toBeLessThan(0.01 * plane);
      expect(m.uvOk, note).toBeGreaterThanOrEqual(0.995 * m.interior);
      // The comparison must cover a large share of the frame, or a G-buffer that drew little would pass. Over seeds
      // 1000-3399 the interior (no sky, silhouettes, creases or depth ties) was 0.49-0.90 of the frame (0.5 failed
      // seeds 621070, 2165 and 3 others in 2400), and the pole rings, which skip the UV check, take up to 6% of it
      // (seed 31992, a sphere seen from above).
      expect(m.interior - m.pole, note).toBeGreaterThan(0.4 * plane);
      expect(m.interior, note).toBeGreaterThan(0.42 * plane);
      expect(m.worst.normal, note).toBeLessThan(0.02);
      expect(m.worst.depth, note).toBeLessThan(0.005);
      expect(m.worst.tangent, note).toBeLessThan(0.03);
      let colorDiff = 0;
      for (let i = 0; i < c.color.length; i++) if (i % 4 !== 3) colorDiff += Math.abs(c.color[i]! - r.color[i]!);
      expect(colorDiff / (3 * plane), note).toBeLessThan(2);
    }
  });

  it('matches on a colonnade and a random courtyard (cylinders, arches of rolled voussoirs, fallen columns, stairs)', async () => {
    const base = testSeed();
    let cylinders = 0, rolled = 0, cylPixels = 0, cylBad = 0;
    // A colonnade close up (cylinder shafts and caps, voussoirs, a fallen column, a barrel), then a random courtyard.
    const colonnade = { scene: { primitives: [{ kind: 'plane', height: 0, albedo: [0.8, 0.8, 0.8] }, ...[-1.3, 0, 1.3].flatMap((z) => column(0, z, 2.2, 0.3, { albedo: [0.9, 0.9, 0.85] })),
      ...arch([0, -0.85], [0, -0.45], 2.2, 0.25, 0.9, 4, { albedo: [0.8, 0.7, 0.6] }), ...arch([0, 0.45], [0, 0.85], 2.2, 0.25, 0.9, 4, { albedo: [0.8, 0.7, 0.6] }),
      fallenColumn(1.2, 0.6, 0.3, 1.6, 0.7, { albedo: [0.7, 0.7, 0.7] }), barrel(1.4, -1, 0.35, 0.5, { albedo: [0.6, 0.4, 0.3] })] as Primitive[] },
    camera: { target: [0.3, 1, 0], yaw: 1.3, pitch: 0.35, distance: 4.2, fovY: Math.PI / 3, near: 0.1, far: 60 } as Camera };
    const courtyard = randomArchScene(base + 7);
    for (const { scene: s0, camera } of [colonnade, { scene: courtyard.scene, camera: randomArchCameras(courtyard, base + 7, 1)[0]! }]) {
      const seed = base + 7;
      const tagged: Scene = { primitives: s0.primitives.map((p) => (p.kind === 'plane' ? p : { ...p, material: 1, uvScale: 1.5 })) };
      cylinders += tagged.primitives.filter((p) => p.kind === 'cylinder').length;
      rolled += tagged.primitives.filter((p) => p.kind !== 'plane' && p.kind !== 'sphere' && (p.roll ?? 0) !== 0).length;
      const r = await render(device, tagged, camera, 'raster');
      const c = await render(device, tagged, camera, 'compute');
      const m = compareGBuffers(r, c, tagged);
      const note = `seed ${seed}: ${m.bad.join('; ')} worst ${JSON.stringify(m.worst)} (depth at ${m.worstDepthAt}, normal at ${m.worstNormalAt})`;
      cylPixels += m.kinds.cylinder ?? 0; cylBad += m.uvBad.cylinder ?? 0;
      expect(m.sameId, note).toBeGreaterThanOrEqual(0.97 * plane);
      expect(m.ties, `${note}: depth ties`).toBeLessThan(0.01 * plane);
      expect(m.uvOk, note).toBeGreaterThanOrEqual(0.99 * m.interior);
      expect(m.interior, note).toBeGreaterThan(0.3 * plane);
      expect(m.worst.normal, note).toBeLessThan(0.02);
      expect(m.worst.depth, note).toBeLessThan(0.005);
      expect(m.worst.tangent, note).toBeLessThan(0.03);
    }
    expect(cylinders).toBeGreaterThan(0);
    expect(rolled).toBeGreaterThan(0);
    // Cylinder surfaces were on screen and every one of their interior pixels has the mesh's UV.
    expect(cylPixels).toBeGreaterThan(100);
    expect(cylBad).toBeLessThanOrEqual(0.01 * cylPixels);
  });

  it.runIf(runtime.ok)("the neural AO slot sees the same input: network AO and lit frame agree across paths", async () => {
    const scene = demoScene(), camera = demoCamera();
    const r = await render(device, scene, camera, 'raster', 'network');
    const c = await render(device, scene, camera, 'compute', 'network');
    let colorDiff = 0, aoDiff = 0;
    for (let i = 0; i < c.color.length; i++) if (i % 4 !== 3) colorDiff += Math.abs(c.color[i]! - r.color[i]!);
    for (let i = 0; i < plane; i++) aoDiff += Math.abs(c.ao[i]! - r.ao[i]!);
    console.log(`network AO: mean |lit raster − lit compute| ${(colorDiff / (3 * plane)).toFixed(3)}/255, mean |AO diff| ${(aoDiff / plane).toFixed(4)}`);
    expect(colorDiff / (3 * plane)).toBeLessThan(2);
    expect(aoDiff / plane).toBeLessThan(0.01);
  });

  it("renderDemo and its timings name the compute path; the pass keeps the name 'gbuffer'", async () => {
    const res = await scoped(device, () => renderDemo({ device, size: 32, frames: 2, ao: 'none', gbuffer: 'compute' }));
    expect(res.gbuffer).toBe('compute');
    expect(Object.keys(res.passTimes)).toEqual(['gbuffer', 'material', 'lighting']);
    if (res.timestamps) for (const t of res.passTimes['gbuffer']!) expect(t).toBeGreaterThan(0);
    expect((await renderDemo({ device, size: 32, ao: 'none' })).gbuffer).toBe('raster');
  });

  it('an unknown G-buffer path is refused', async () => {
    await expect(createFrameState(device, { width: S, height: S, scene: demoScene(), camera: demoCamera(), ao: 'none', material: MATERIAL, gbuffer: 'deferred' as GBufferMode }))
      .rejects.toBeInstanceOf(DemoError);
  });
});
