/**
 * The showcase courtyard and its camera path, the random courtyards the AO network trains on, and
 * the sequence writer (`wgml demo --frames N --out-dir DIR`) and the training data writer: object counts
 * and kinds, determinism, cameras never inside an object, frames along the path that are the path's
 * views, and float16 samples that are the rendered G-buffer and ray-cast AO.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { testDevice, scoped } from './helpers/gpu.js';
import { SHOWCASE_MATERIALS, showcaseCamera, showcaseScene } from '../src/demo/showcase.js';
import { FOV_RANGE_DEG, insideAny, randomArchCameras, randomArchScene, rotateY } from '../src/demo/random-arch.js';
import { cameraEye } from '../src/demo/math.js';
import { sceneMaterials, type Primitive } from '../src/demo/scene.js';
import { renderDemo } from '../src/demo/render.js';
import { renderSample, sampleViews, writeDataset } from '../src/demo/dataset.js';
import { toHalf } from '../src/demo/npy.js';

const kinds = (ps: Primitive[]) => new Set(ps.map((p) => p.kind));

describe('showcase courtyard', () => {
  it('holds at least 50 objects of every kind, rolled voussoirs among them, with the four materials', () => {
    const s = showcaseScene();
    expect(s.primitives.length).toBeGreaterThanOrEqual(50);
    expect([...kinds(s.primitives)].sort()).toEqual(['box', 'cylinder', 'plane', 'sphere']);
    expect(s.primitives.filter((p) => p.kind === 'box' && (p.roll ?? 0) !== 0).length).toBeGreaterThanOrEqual(10);
    expect(sceneMaterials(s)).toBe(SHOWCASE_MATERIALS.length);
    for (let m = 1; m <= SHOWCASE_MATERIALS.length; m++) expect(s.primitives.some((p) => p.material === m), `material ${m}`).toBe(true);
    expect(JSON.stringify(showcaseScene())).toBe(JSON.stringify(s));
  });

  it('the camera path loops and never starts inside an object', () => {
    const s = showcaseScene();
    for (let i = 0; i <= 200; i++) {
      const c = showcaseCamera(i / 200);
      expect(insideAny(s.primitives, cameraEye(c), 0.2), `t = ${i / 200}`).toBe(false);
    }
    const [c0, c1] = [showcaseCamera(0), showcaseCamera(1)];
    for (const k of ['yaw', 'pitch', 'distance'] as const) expect(c1[k]).toBeCloseTo(c0[k], 9);
    c1.target.forEach((v, i) => expect(v).toBeCloseTo(c0.target[i]!, 9));
    const eyes = [0, 0.25, 0.5, 0.75].map((t) => cameraEye(showcaseCamera(t)));
    expect(new Set(eyes.map((e) => e.map((v) => v.toFixed(2)).join())).size).toBe(4);
  });
});

describe('random courtyards (training data)', () => {
  it('are deterministic per seed, differ across seeds, and their cameras stay outside objects', () => {
    const counts: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const a = randomArchScene(seed);
      expect(JSON.stringify(randomArchScene(seed))).toBe(JSON.stringify(a));
      counts.push(a.scene.primitives.length);
      const cams = randomArchCameras(a, seed, 2);
      expect(cams).toHaveLength(2);
      for (const c of cams) {
        expect(insideAny(a.scene.primitives, cameraEye(c))).toBe(false);
        expect(c.fovY).toBeGreaterThanOrEqual((FOV_RANGE_DEG[0] * Math.PI) / 180);
        expect(c.fovY).toBeLessThanOrEqual((FOV_RANGE_DEG[1] * Math.PI) / 180);
      }
    }
    expect(new Set(counts).size).toBeGreaterThan(10);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...counts)).toBeGreaterThan(40);
    // Over many seeds every block kind shows up: cylinders (columns, barrels) and rolled boxes (arches).
    const all = Array.from({ length: 40 }, (_, s) => randomArchScene(s).scene.primitives).flat();
    expect([...kinds(all)].sort()).toEqual(['box', 'cylinder', 'plane', 'sphere']);
    expect(all.some((p) => p.kind === 'box' && (p.roll ?? 0) !== 0)).toBe(true);
  });

  it('rotateY turns blocks rigidly about a pivot', () => {
    const ps: Primitive[] = [{ kind: 'box', center: [2, 1, 0], half: [1, 1, 1], yaw: 0.2, albedo: [1, 1, 1] }, { kind: 'sphere', center: [0, 1, 3], radius: 1, albedo: [1, 1, 1] }];
    const r = rotateY(ps, Math.PI / 2, [1, 0]);
    expect(r[0]!.kind === 'box' && r[0]!.yaw).toBeCloseTo(0.2 + Math.PI / 2, 12);
    // Ry(+90°) sends +x to −z: (2, 0) about (1, 0) goes to (1, −1).
    expect((r[0] as { center: number[] }).center.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 1, -1]);
    const d = (p: Primitive) => (p as { center: number[] }).center;
    expect(Math.hypot(d(r[0]!)[0]! - d(r[1]!)[0]!, d(r[0]!)[2]! - d(r[1]!)[2]!)).toBeCloseTo(Math.hypot(2, 3), 12);
  });
});

describe('sequence writer', () => {
  it('writes one PNG per frame along the path; a frame equals that view rendered alone', async () => {
    const device = await testDevice();
    const dir = mkdtempSync(join(tmpdir(), 'wgml-seq-'));
    const r = await scoped(device, () => renderDemo({ device, size: [48, 32], frames: 3, outDir: dir, ao: 'gtao', gbuffer: 'compute' }));
    expect(readdirSync(dir).sort()).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png']);
    expect(r.files).toHaveLength(3);
    const imgs = r.files.map((f) => PNG.sync.read(readFileSync(f)));
    for (const im of imgs) expect([im.width, im.height]).toEqual([48, 32]);
    expect(Buffer.compare(imgs[0]!.data, imgs[1]!.data)).not.toBe(0);
    const out = join(dir, 'alone.png');
    await scoped(device, () => renderDemo({ device, size: [48, 32], frames: 1, out, ao: 'gtao', gbuffer: 'compute', path: () => showcaseCamera(1 / 3) }));
    expect(Buffer.compare(PNG.sync.read(readFileSync(out)).data, imgs[1]!.data)).toBe(0);
  });

  it('wgml demo --frames N --out-dir DIR writes the sequence from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgml-seq-cli-'));
    const stdout = execFileSync('node', ['dist/cli/main.js', 'demo', '--size', '32x32', '--frames', '2', '--out-dir', dir, '--out', join(dir, 'last.png'), '--ao', 'none', '--gbuffer', 'compute'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(readdirSync(dir).sort()).toEqual(['frame-0000.png', 'frame-0001.png', 'last.png']);
    expect(stdout).toMatch(/frame-0000\.png/);
  });
});

/** A float16 .npy file as shape + values, decoded here independently of npy.ts. */
function readNpy(path: string): { shape: number[]; values: Float32Array } {
  const b = readFileSync(path), hl = b.readUInt16LE(8), header = b.subarray(10, 10 + hl).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').filter((x) => x.trim()).map(Number);
  expect(header).toContain("'descr': '<f2'");
  const h = new Uint16Array(b.buffer.slice(b.byteOffset + 10 + hl, b.byteOffset + b.length));
  return { shape, values: Float32Array.from(h, (v) => { const e = (v >> 10) & 31, m = v & 1023, s = v >> 15 ? -1 : 1; return s * (e ? (1 + m / 1024) * 2 ** (e - 15) : m * 2 ** -24); }) };
}

describe('training data writer', () => {
  it('float16 .npy samples equal the rendered G-buffer and ray-cast AO (to f16 rounding); held-out seeds are disjoint', async () => {
    const device = await testDevice();
    const dir = mkdtempSync(join(tmpdir(), 'wgml-data-'));
    const n = await scoped(device, () => writeDataset(device, { out: dir, train: 2, test: 1, size: 16, rays: 16, views: 2 }));
    expect(n).toEqual({ train: 4, test: 2 });
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta.focalPx).toBeCloseTo(8 / Math.tan(((FOV_RANGE_DEG[0] + FOV_RANGE_DEG[1]) * Math.PI) / 720), 6);
    const npy = (f: string) => readNpy(join(dir, f));
    const x = npy('train_x.npy'), y = npy('train_y.npy'), tx = npy('test_x.npy');
    expect(x.shape).toEqual([4, 4, 16, 16]);
    expect(y.shape).toEqual([4, 1, 16, 16]);
    expect(tx.shape).toEqual([2, 4, 16, 16]);
    // Sample 1 is scene 0's second view: render it again and compare.
    const views = sampleViews(0, 2);
    const again = await renderSample(device, views[1]!.scene, views[1]!.camera, 16, 16, 1, 1);
    for (let i = 0; i < 4 * 256; i++) expect(Math.abs(x.values[4 * 256 + i]! - again.x[i]!)).toBeLessThanOrEqual(Math.abs(again.x[i]!) * 2 ** -11 + 1e-7);
    for (let i = 0; i < 256; i++) expect(Math.abs(y.values[256 + i]! - again.y[i]!)).toBeLessThanOrEqual(2 ** -11);
    // Held-out views are other scenes than training views.
    expect(Buffer.compare(Buffer.from(tx.values.buffer, 0, 4096), Buffer.from(x.values.buffer, 0, 4096))).not.toBe(0);
  });

  it('--shard I/N writes scenes I, I + N, … and leaves the held-out split to shard 0; a bad shard is refused', async () => {
    const device = await testDevice();
    const dir = mkdtempSync(join(tmpdir(), 'wgml-shard-'));
    const n = await scoped(device, () => writeDataset(device, { out: dir, train: 2, test: 1, size: 16, rays: 16, views: 1, shard: [1, 2] }));
    expect(n).toEqual({ train: 2, test: 0 });
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).shard).toEqual([1, 2]);
    const y = readNpy(join(dir, 'train_y.npy'));
    expect(y.shape).toEqual([2, 1, 16, 16]);
    expect(readNpy(join(dir, 'test_y.npy')).shape).toEqual([0, 1, 16, 16]);
    // The second training sample is scene 3 (= 1 + 1·2), its view rendered with that scene's seed.
    const v = sampleViews(3, 1)[0]!;
    const again = await renderSample(device, v.scene, v.camera, 16, 16, 1, 3 * 8);
    for (let i = 0; i < 256; i++) expect(Math.abs(y.values[256 + i]! - again.y[i]!)).toBeLessThanOrEqual(2 ** -11);
    await expect(writeDataset(device, { out: dir, train: 1, test: 0, size: 16, rays: 16, shard: [2, 2] })).rejects.toThrow(/shard 2\/2/);
  });

  it('toHalf rounds to nearest even, keeps subnormals, signs and infinities', () => {
    const h = toHalf(new Float32Array([0, -0, 1, -2, 0.1, 65504, 1e6, 2 ** -24, 2 ** -25 * 1.5, 1 + 2 ** -11, 1 + 3 * 2 ** -11]));
    expect(Array.from(h)).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0001, 0x0001, 0x3c00, 0x3c02]);
  });
});
