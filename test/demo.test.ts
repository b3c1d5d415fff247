/**
 * The showcase renderer against an independent CPU ray caster of the same analytic scene:
 * G-buffer ids/normals/depth per pixel, ground-truth AO per pixel (many CPU rays), the AO contrast
 * between a box/floor corner and open floor, the neural material decode against the CPU decoder,
 * and the lighting pass (CPU formula, determinism).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng } from './helpers/random.js';
import { createFrameState, encodeFrame, destroyFrameState, type FrameState } from '../src/demo/frame.js';
import { demoScene, demoCamera, type Primitive, type Scene } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { readTexture } from '../src/demo/png.js';
import { DEFAULT_LIGHTING, DEPTH_SCALE } from '../src/demo/common.js';
import { cameraEye, invert, lookAt, normalize, perspective, transform, dot, type Vec3 } from '../src/demo/math.js';
import { DemoError } from '../src/demo/network.js';
import { renderDemo } from '../src/demo/render.js';
import { PLAIN_ROUGHNESS } from '../src/demo/material.js';
import { SPECULAR } from '../src/demo/lighting.js';
import { decodeMaterialCpu } from '../src/shaderml/material/train.js';
import { decodeWgmat } from '../src/shaderml/material/wgmat.js';
import { PNG } from 'pngjs';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const W = 64, H = 64;
const MATERIAL = new Uint8Array(readFileSync('examples/materials/bricks.wgmat'));

/** rgba16float texture → f32 RGBA per texel. */
async function readHalf4(device: GPUDevice, texture: GPUTexture): Promise<Float32Array> {
  const { width, height } = texture, rowBytes = width * 8, bytesPerRow = Math.ceil(rowBytes / 256) * 256;
  const staging = device.createBuffer({ label: 'test read f16', size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow }, { width, height });
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const src = new Uint16Array(staging.getMappedRange().slice(0));
  staging.unmap(); staging.destroy();
  const out = new Float32Array(width * height * 4);
  const half = (h: number) => { const e = (h >> 10) & 31, m = h & 1023, sg = h >> 15 ? -1 : 1; return sg * (e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15)); };
  for (let y = 0; y < height; y++) for (let i = 0; i < width * 4; i++) out[y * width * 4 + i] = half(src[(y * bytesPerRow) / 2 + i]!);
  return out;
}
type Hit = { t: number; id: number; n: Vec3 };

function intersect(p: Primitive, o: Vec3, d: Vec3): { t: number; n: Vec3 } | null {
  if (p.kind === 'plane') {
    if (d[1] >= 0) return null;
    const t = (p.height - o[1]) / d[1];
    const x = o[0] + t * d[0], z = o[2] + t * d[2];
    return t > 0 && Math.abs(x) < 30 && Math.abs(z) < 30 ? { t, n: [0, 1, 0] } : null;
  }
  if (p.kind === 'sphere') {
    const oc: Vec3 = [o[0] - p.center[0], o[1] - p.center[1], o[2] - p.center[2]];
    const b = dot(oc, d), h = b * b - (dot(oc, oc) - p.radius * p.radius);
    if (h < 0) return null;
    const t = -b - Math.sqrt(h);
    if (t <= 0) return -b + Math.sqrt(h) > 0 ? { t: 0, n: [0, 1, 0] } : null;
    return { t, n: normalize([oc[0] + t * d[0], oc[1] + t * d[1], oc[2] + t * d[2]]) };
  }
  // demoScene() has no cylinders; say so rather than cast one through the box slab test below.
  if (p.kind === 'cylinder') throw new Error('the CPU ray caster models planes, spheres and boxes only');
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  const toLocal = (v: Vec3): Vec3 => [c * v[0] - s * v[2], v[1], s * v[0] + c * v[2]];
  const lo = toLocal([o[0] - p.center[0], o[1] - p.center[1], o[2] - p.center[2]]), ld = toLocal(d);
  let tn = -Infinity, tf = Infinity, axis = 0, sign = 1;
  for (let k = 0; k < 3; k++) {
    if (Math.abs(ld[k]!) < 1e-12) { if (Math.abs(lo[k]!) > p.half[k]!) return null; continue; }
    let t1 = (-p.half[k]! - lo[k]!) / ld[k]!, t2 = (p.half[k]! - lo[k]!) / ld[k]!;
    let sg = -1;
    if (t1 > t2) { [t1, t2] = [t2, t1]; sg = 1; }
    if (t1 > tn) { tn = t1; axis = k; sign = sg; }
    tf = Math.min(tf, t2);
  }
  if (tf < Math.max(tn, 0)) return null;
  if (tn <= 0) return { t: 0, n: [0, 1, 0] };
  const nl: Vec3 = [0, 0, 0]; nl[axis] = sign;
  return { t: tn, n: [c * nl[0] + s * nl[2], nl[1], -s * nl[0] + c * nl[2]] };
}

function nearest(scene: Scene, o: Vec3, d: Vec3, skip = 0): Hit | null {
  let best: Hit | null = null;
  scene.primitives.forEach((p, i) => {
    if (i + 1 === skip) return;
    const h = intersect(p, o, d);
    if (h && (!best || h.t < best.t)) best = { t: h.t, id: i + 1, n: h.n };
  });
  return best;
}

const cam = demoCamera();
const view = lookAt(cameraEye(cam), cam.target);
const proj = perspective(cam.fovY, W / H, cam.near, cam.far);
const invView = invert(view), invProj = invert(proj);

/** World-space ray through a pixel center. */
function pixelRay(x: number, y: number): { o: Vec3; d: Vec3; dv: Vec3 } {
  const p = transform(invProj, [((x + 0.5) / W) * 2 - 1, 1 - ((y + 0.5) / H) * 2, 0.5], 1);
  const w = invProj[3]! * (((x + 0.5) / W) * 2 - 1) + invProj[7]! * (1 - ((y + 0.5) / H) * 2) + invProj[11]! * 0.5 + invProj[15]!;
  const dv = normalize([p[0] / w, p[1] / w, p[2] / w]);
  return { o: cameraEye(cam), d: normalize(transform(invView, dv, 0)), dv };
}

/** Pixel of a world point. */
function project(pt: Vec3): [number, number] {
  const v = transform(view, pt, 1);
  const c = transform(proj, v, 1);
  const w = -v[2];
  return [Math.floor(((c[0] / w + 1) / 2) * W), Math.floor(((1 - c[1] / w) / 2) * H)];
}

function cpuAO(scene: Scene, x: number, y: number, rays: number, r: () => number): number {
  const { o, d } = pixelRay(x, y);
  const hit = nearest(scene, o, d)!;
  const p: Vec3 = [o[0] + hit.t * d[0] + 1e-4 * hit.n[0], o[1] + hit.t * d[1] + 1e-4 * hit.n[1], o[2] + hit.t * d[2] + 1e-4 * hit.n[2]];
  let open = 0;
  for (let i = 0; i < rays; i++) {
    let dir: Vec3;
    do { dir = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1]; } while (dot(dir, dir) > 1 || dot(dir, dir) < 1e-6);
    dir = normalize(dir);
    // Cosine-weighted: normal + uniform point on the unit sphere.
    dir = normalize([dir[0] + hit.n[0], dir[1] + hit.n[1], dir[2] + hit.n[2]]);
    const h = nearest(scene, p, dir, hit.id);
    if (!h || h.t >= DEFAULT_LIGHTING.aoDistance) open++;
  }
  return open / rays;
}

describe('showcase renderer (64×64, lavapipe)', () => {
  const scene = demoScene();
  let device: GPUDevice, state: FrameState, packed: Float32Array, albedo: Uint8Array, color: Uint8Array;
  let shadeAlbedo: Uint8Array, shadeNormal: Float32Array, surface: Float32Array;
  const plane = W * H;
  const ch = (c: number, x: number, y: number) => packed[c * plane + y * W + x]!;
  const id = (x: number, y: number) => albedo[(y * W + x) * 4 + 3]!;

  beforeAll(async () => {
    device = await testDevice();
    state = await scoped(device, () => createFrameState(device, { width: W, height: H, scene, camera: cam, ao: 'raycast', material: MATERIAL }));
    await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: 'test frame' });
      encodeFrame(enc, state);
      device.queue.submit([enc.finish()]);
      packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
      albedo = await readTexture(device, state.gbuffer.albedo);
      color = await readTexture(device, state.color);
      shadeAlbedo = await readTexture(device, state.material.albedo);
      shadeNormal = await readHalf4(device, state.material.normal);
      surface = await readHalf4(device, state.gbuffer.surface);
    });
  });

  it('G-buffer ids, view-space normals and linear depth match a CPU ray caster', () => {
    let compared = 0, floorChecked = 0;
    for (let y = 1; y < H - 1; y++) for (let x = 1; x < W - 1; x++) {
      const hits = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) => { const r = pixelRay(x + dx!, y + dy!); return nearest(scene, r.o, r.d); });
      // Silhouettes and a box's creases depend on rasterization rules (which face owns a pixel whose centre lies
      // on the edge); compare interiors only.
      if (hits.some((h) => (h?.id ?? 0) !== (hits[0]?.id ?? 0))) continue;
      if (hits[0] && hits.some((h) => dot(h!.n, hits[0]!.n) < 0.9)) continue;
      const h = hits[0];
      expect(id(x, y), `object id at (${x}, ${y})`).toBe(h?.id ?? 0);
      if (!h) { expect(ch(3, x, y)).toBe(1); continue; }
      const { dv } = pixelRay(x, y);
      const nView = transform(view, h.n, 0);
      for (let c = 0; c < 3; c++) expect(Math.abs(ch(c, x, y) - nView[c]!), `normal[${c}] at (${x}, ${y})`).toBeLessThan(0.06);
      expect(Math.abs(ch(3, x, y) * DEPTH_SCALE - h.t * -dv[2]) / (h.t * -dv[2])).toBeLessThan(0.01);
      if (h.id === 1) floorChecked++;
      compared++;
    }
    expect(compared).toBeGreaterThan(W * H * 0.6);
    expect(floorChecked).toBeGreaterThan(100);
    // A floor pixel: world up seen through the view matrix.
    const [fx, fy] = project([0.5, 0, 2.2]);
    expect(id(fx, fy)).toBe(1);
    const up = transform(view, [0, 1, 0], 0);
    for (let c = 0; c < 3; c++) expect(ch(c, fx, fy)).toBeCloseTo(up[c]!, 2);
  });

  it('ground-truth AO matches CPU ray casting, and a box/floor corner is darker than open floor', () => {
    const r = rng(Number(process.env.WGML_SEED ?? 1234));
    const ao = (x: number, y: number) => ch(4, x, y);
    const picks: [number, number][] = [project([0.1, 0, 0.62]), project([0.5, 0, 2.2]), project([0.9, 0.2, 0.3]), project([0.2, 1.0, 0.2])];
    for (let k = 0; k < 6; k++) picks.push([Math.floor(r() * W), Math.floor(r() * H)]);
    for (const [x, y] of picks) {
      const { o, d } = pixelRay(x, y);
      if (!nearest(scene, o, d)) { expect(ao(x, y)).toBe(1); continue; }
      const ref = cpuAO(scene, x, y, 2048, r);
      expect(Math.abs(ao(x, y) - ref), `AO at (${x}, ${y}): gpu ${ao(x, y)} cpu ${ref}`).toBeLessThan(0.08);
    }
    const [cx, cy] = project([0.1, 0, 0.62]);
    const [ox, oy] = project([0.5, 0, 2.2]);
    expect(id(cx, cy)).toBe(1);
    expect(id(ox, oy)).toBe(1);
    expect(ao(ox, oy)).toBeGreaterThan(0.9);
    expect(ao(cx, cy)).toBeLessThan(ao(ox, oy) - 0.25);
  });

  it('material decode: brick surfaces get the CPU-decoded texel × tint, the rest pass through', () => {
    const { material: c, manifest } = decodeWgmat(MATERIAL);
    const ref = decodeMaterialCpu(c), C = manifest.channels, MW = manifest.width, MH = manifest.height;
    let bricks = 0, plain = 0, maxErr = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = y * W + x, o = id(x, y);
      if (o === 0) continue;
      const p = scene.primitives[o - 1]!;
      expect(Math.round(surface[i * 4 + 2]!), `material index at (${x}, ${y})`).toBe(p.material ?? 0);
      if (!p.material) {
        for (let k = 0; k < 3; k++) expect(shadeAlbedo[i * 4 + k]).toBe(albedo[i * 4 + k]);
        expect(Math.abs(shadeAlbedo[i * 4 + 3]! / 255 - PLAIN_ROUGHNESS)).toBeLessThan(0.01);
        for (let k = 0; k < 3; k++) expect(Math.abs(shadeNormal[i * 4 + k]! - ch(k, x, y))).toBeLessThan(2e-3);
        plain++;
        continue;
      }
      const fr = (v: number) => v - Math.floor(v);
      const tx = Math.min(MW - 1, Math.floor(fr(surface[i * 4]!) * MW)), ty = Math.min(MH - 1, Math.floor(fr(surface[i * 4 + 1]!) * MH));
      // Texel boundaries move with f16 uv rounding: compare where the neighbours agree.
      const near = [[0.002, 0], [-0.002, 0], [0, 0.002], [0, -0.002]].every(([du, dv]) =>
        Math.min(MW - 1, Math.floor(fr(surface[i * 4]! + du!) * MW)) === tx && Math.min(MH - 1, Math.floor(fr(surface[i * 4 + 1]! + dv!) * MH)) === ty);
      if (!near) continue;
      for (let k = 0; k < 3; k++) {
        const want = Math.min(1, Math.max(0, ref[(ty * MW + tx) * C + k]!)) * p.albedo[k]!;
        maxErr = Math.max(maxErr, Math.abs(shadeAlbedo[i * 4 + k]! / 255 - want));
      }
      bricks++;
    }
    expect(bricks).toBeGreaterThan(50);
    expect(plain).toBeGreaterThan(500);
    // f16 decoder weights, 8-bit output: a few levels.
    expect(maxErr).toBeLessThan(0.03);
  });

  it('lighting follows albedo × (ambient × AO + sun × N·L) + highlight and is deterministic', async () => {
    const l = normalize(transform(view, normalize(DEFAULT_LIGHTING.lightDir), 0));
    const amb = DEFAULT_LIGHTING.ambient;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      if (id(x, y) === 0) continue;
      const i = y * W + x;
      const n = normalize([shadeNormal[i * 4]!, shadeNormal[i * 4 + 1]!, shadeNormal[i * 4 + 2]!]);
      const diff = Math.max(dot(n, l), 0) * (1 - amb);
      const { dv } = pixelRay(x, y);
      const v: Vec3 = [-dv[0], -dv[1], -dv[2]];
      const h = normalize([l[0] + v[0], l[1] + v[1], l[2] + v[2]]);
      const rough = shadeAlbedo[i * 4 + 3]! / 255;
      const spec = dot(n, l) > 0 ? Math.pow(Math.max(dot(n, h), 0), 256 + (4 - 256) * rough) * (1 - rough) * SPECULAR * (1 - amb) : 0;
      for (let c = 0; c < 3; c++) {
        const a = shadeAlbedo[i * 4 + c]! / 255;
        const want = 255 * Math.pow(Math.min(1, a * (amb * ch(4, x, y) + diff) + spec), 1 / 2.2);
        expect(Math.abs(color[i * 4 + c]! - want), `color[${c}] at (${x}, ${y})`).toBeLessThanOrEqual(2);
      }
    }
    const again = await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: 'test frame again' });
      encodeFrame(enc, state);
      device.queue.submit([enc.finish()]);
      return readTexture(device, state.color);
    });
    expect(Buffer.compare(Buffer.from(again), Buffer.from(color))).toBe(0);
  });

  it("ao: 'none' lights with AO = 1; 'network' without a model is refused", async () => {
    const none = await scoped(device, () => createFrameState(device, { width: W, height: H, scene, camera: cam, ao: 'none', material: MATERIAL }));
    const enc = device.createCommandEncoder({ label: 'test frame none' });
    encodeFrame(enc, none);
    device.queue.submit([enc.finish()]);
    const p = await readPacked(device, none.gbuffer.normal, none.aoTexture);
    expect(p.subarray(4 * plane).every((v) => v === 1)).toBe(true);
    destroyFrameState(none);
    await expect(createFrameState(device, { width: W, height: H, scene, camera: cam, ao: 'network', material: MATERIAL })).rejects.toBeInstanceOf(DemoError);
    // Brick surfaces without a material are refused, never drawn some other way.
    await expect(createFrameState(device, { width: W, height: H, scene, camera: cam, ao: 'none' })).rejects.toBeInstanceOf(DemoError);
  });

  it('renderDemo times every pass with timestamp queries and writes PNGs; --compare scores every slot against the ray-cast AO', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wgml-demo-')), 'frame.png');
    const r = await scoped(device, () => renderDemo({ device, size: W, frames: 2, ao: 'raycast', out, compare: true, scene, camera: cam, material: MATERIAL }));
    expect(Object.keys(r.passTimes)).toEqual(['gbuffer', 'material', 'raycast-ao', 'lighting']);
    if (device.features.has('timestamp-query')) for (const t of Object.values(r.passTimes)) { expect(t).toHaveLength(2); for (const ms of t) expect(ms).toBeGreaterThan(0); }
    // Every slot but the reference is scored; the slot itself is the reference (score pinned), GTAO and the network beat AO = 1.
    expect(Object.keys(r.compare!.slots).sort()).toEqual(['gtao', 'network', 'none']);
    expect(r.compare!.mae).toBe(0);
    for (const s of ['gtao', 'network'] as const) expect(r.compare!.slots[s]!.mae).toBeLessThan(r.compare!.slots.none!.mae);
    expect(r.files).toHaveLength(2);
    const img = PNG.sync.read(readFileSync(r.files[1]!));
    expect([img.width, img.height]).toEqual([4 * W, 2 * H]);
    // Columns none | network | GTAO | ray-cast: the ray-cast column is this frame; the no-AO column is brighter somewhere.
    const lit = PNG.sync.read(readFileSync(r.files[0]!)).data;
    const column = (k: number) => { const o = new Uint8Array(W * H * 4); for (let y = 0; y < H; y++) o.set(img.data.subarray((y * 4 * W + k * W) * 4, (y * 4 * W + (k + 1) * W) * 4), y * W * 4); return o; };
    expect(Buffer.compare(Buffer.from(column(3)), Buffer.from(lit))).toBe(0);
    const noao = column(0);
    let brighter = 0;
    for (let i = 0; i < lit.length; i += 4) if (noao[i]! > lit[i]! + 8) brighter++;
    expect(brighter).toBeGreaterThan(20);
  });
});
