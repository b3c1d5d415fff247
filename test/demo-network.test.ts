/**
 * The committed neural AO model (models/ao/ao.onnx): onnxruntime-node on a freshly rendered scene the
 * training never saw must beat a constant guess against the ray-cast AO; the frame's 'network' AO
 * slot must equal onnxruntime's output; and the slot at a model's scale (a tiny model in the shipped
 * format, test/fixtures/ao): the point-sampled grid, onnxruntime on it, and the guided upsample on the CPU.
 */
import { describe, it, expect } from 'vitest';
import * as ort from 'onnxruntime-node';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame } from '../src/demo/frame.js';
import { randomScene } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { TEST_SEED_BASE } from '../src/demo/dataset.js';
import { AO_INPUT, AO_OUTPUT, aoFactor, aoModelInfo, createAOInputGrid, focalPx, networkRuntimeStatus } from '../src/demo/network.js';
import { tensor } from '../src/tensor/tensor.js';
import { gridCeiling, guidedUpsample } from '../src/demo/upsample-cpu.js';
import { scoreAO } from '../src/demo/compare.js';
import { randomArchCameras, randomArchScene } from '../src/demo/random-arch.js';
import { compareClose } from './helpers/random.js';
import { loadOnnxSync } from '../src/onnx/load.js';
import { readFileSync } from 'node:fs';

const MODEL = 'models/ao/ao.onnx';
const runtime = await networkRuntimeStatus();
if (!runtime.ok) console.warn(`demo-network: the wgml runtime comparison is skipped: ${runtime.reason}`);

async function ortAO(input: Float32Array, h: number, w: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(MODEL);
  const out = await session.run({ gbuffer: new ort.Tensor('float32', input, [1, CHANNELS, h, w]) });
  return out['ao']!.data as Float32Array;
}

/**
 * The committed model's training scale (ONNX metadata) decides the held-out check: a model with
 * `wgml.ao.focal_px` trained on random courtyards at that focal length is checked on courtyards
 * rendered at the size that gives it (a 60° view); the first model (no metadata) on the simple
 * scenes at 128×128 it was trained on.
 */
const GRAPH = loadOnnxSync(new Uint8Array(readFileSync(MODEL)));
const META = GRAPH.metadata ?? {};
/** 4 (normal, depth) or 5 (…, GTAO's visibility): the network input the slot builds (createAOInputGrid). */
const CHANNELS = aoModelInfo(GRAPH).channels;
const FOCAL = Number(META['wgml.ao.focal_px']) || 0;
const HELD_OUT_SIZE = FOCAL ? Math.round((2 * FOCAL * Math.tan(Math.PI / 6)) / 16) * 16 : 128;
const heldOutView = (seed: number) => {
  if (!FOCAL) return randomScene(seed);
  const a = randomArchScene(seed);
  return { scene: a.scene, camera: { ...randomArchCameras(a, seed, 1)[0]!, fovY: Math.PI / 3 } };
};

/** The frame's G-buffer and AO slot (packed [5, S, S]) and the network input at step 1 the slot builds from it. */
async function render(device: GPUDevice, seed: number, size: number, ao: 'raycast' | 'network'): Promise<{ packed: Float32Array; input: Float32Array }> {
  const { scene, camera } = heldOutView(seed);
  const state = await scoped(device, () => createFrameState(device, { width: size, height: size, scene, camera, ao, model: MODEL }));
  try {
    return await scoped(device, async () => {
      const x = tensor(device, { dtype: 'f32', shape: [1, CHANNELS, size, size], label: 'test AO input' });
      const grid = await createAOInputGrid(device, state.gbuffer.normal, x, { k: 1, gw: size, gh: size, channels: CHANNELS, frameUniforms: state.uniforms });
      const enc = device.createCommandEncoder({ label: 'test AO frame' });
      encodeFrame(enc, state);
      grid.encode(enc);
      device.queue.submit([enc.finish()]);
      const packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
      const input = await x.read() as Float32Array;
      // The first four channels are the G-buffer itself.
      expect(compareClose(input.subarray(0, 4 * size * size), packed.subarray(0, 4 * size * size), 0, 0)).toBeNull();
      grid.destroy(); x.destroy();
      return { packed, input };
    });
  } finally {
    destroyFrameState(state);
  }
}

describe('neural AO model', () => {
  it('predicts ray-cast AO on unseen scenes better than AO = 1 everywhere (onnxruntime)', async () => {
    const device = await testDevice();
    const S = HELD_OUT_SIZE, plane = S * S;
    let netErr = 0, constErr = 0;
    // Seeds beyond the held-out set of the dataset: neither trained on nor used for model selection.
    for (const seed of [TEST_SEED_BASE + 5000, TEST_SEED_BASE + 5001, TEST_SEED_BASE + 5002]) {
      const { packed, input } = await render(device, seed, S, 'raycast');
      const gt = packed.subarray(4 * plane);
      const pred = await ortAO(input, S, S);
      for (let i = 0; i < plane; i++) { netErr += Math.abs(pred[i]! - gt[i]!); constErr += Math.abs(1 - gt[i]!); }
    }
    netErr /= 3 * plane; constErr /= 3 * plane;
    console.log(`neural AO MAE ${netErr.toFixed(4)} vs AO = 1 everywhere ${constErr.toFixed(4)}`);
    // Courtyards darken far more than the first model's scenes (AO = 1 misses by 0.12 here, 0.05 there), and
    // the ray-cast reference here has the frame's few rays: measured 0.057 (the 4-channel model before it: 0.054) against 0.123 (the H200 evaluation
    // with 1024 rays: 0.020 against 0.070, bench/ao-2026-12-02).
    expect(netErr).toBeLessThan(0.55 * constErr);
  });

  it.runIf(runtime.ok)("the frame's 'network' slot equals onnxruntime on the same G-buffer", async () => {
    const device = await testDevice();
    const S = 64, plane = S * S;
    const { packed, input } = await render(device, TEST_SEED_BASE + 5003, S, 'network');
    const want = await ortAO(input, S, S);
    expect(compareClose(packed.subarray(4 * plane), want, 1e-3, 1e-4)).toBeNull();
  });
});

describe("the network slot at the model's scale", () => {
  it('picks the whole step that brings the frame nearest the training focal length', () => {
    const info = { focalPx: 234, multiple: 16, channels: 4 as const };
    expect(focalPx(1080, Math.PI / 3)).toBeCloseTo(935.3, 1);
    expect(aoFactor(info, 1080, Math.PI / 3)).toBe(4);
    expect(aoFactor(info, 2160, Math.PI / 3)).toBe(8);
    // 1440p: 1247 px / 234 = 5.33, k = 5 (a power of two would be 4, 33% off); 720p: 2.66, k = 3 (0.89×) not 2 (1.33×).
    expect(aoFactor(info, 1440, Math.PI / 3)).toBe(5);
    expect(aoFactor(info, 720, Math.PI / 3)).toBe(3);
    expect(aoFactor(info, 540, Math.PI / 3)).toBe(2);
    expect(aoFactor(info, 256, Math.PI / 3)).toBe(1);
    expect(aoFactor(info, 192, Math.PI / 3)).toBe(1);
    expect(aoFactor({ focalPx: null, multiple: 8, channels: 4 }, 1080, Math.PI / 3)).toBe(1);
  });

  it('reads the input channels from the model and refuses what the slot cannot feed', () => {
    const graphWith = (shape: (number | string)[]) => ({ inputs: [{ name: AO_INPUT, dtype: 'f32', shape }], metadata: {} }) as unknown as Parameters<typeof aoModelInfo>[0];
    expect(aoModelInfo(graphWith([1, 4, 'H', 'W'])).channels).toBe(4);
    expect(aoModelInfo(graphWith([1, 5, 'H', 'W'])).channels).toBe(5);
    expect(() => aoModelInfo(graphWith([1, 3, 'H', 'W']))).toThrow(/has 3 channels; the slot feeds 4 \(normal,depth\) or 5 \(normal,depth,gtao\)/);
    expect(CHANNELS).toBe(5);
  });

  it("scores the grid approach's ceiling: exact at step 1, lower at coarser steps, and it keeps surfaces apart", () => {
    // A floor (normal up, depth rising with the row) with a wall in the right half (normal facing the camera,
    // much nearer): AO darkens towards the wall's foot. The upsample must not blend the wall's AO into the floor.
    const W = 64, H = 48, plane = W * H, data = new Float32Array(4 * plane), ref = new Float32Array(plane);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const p = y * W + x, wall = x >= 40;
      data[p] = 0; data[plane + p] = wall ? 0 : 1; data[2 * plane + p] = wall ? 1 : 0;
      data[3 * plane + p] = wall ? 2 : 4 + y * 0.05;
      ref[p] = wall ? 0.95 - 0.002 * y : 1 - 0.6 * Math.exp(-(40 - x) / 6);
    }
    const mask = new Uint8Array(plane).fill(1);
    const g = { data, width: W, height: H };
    expect(scoreAO(gridCeiling(g, ref, 1), ref, mask).mae).toBeLessThan(1e-6);
    const k2 = scoreAO(gridCeiling(g, ref, 2), ref, mask), k4 = scoreAO(gridCeiling(g, ref, 4), ref, mask);
    expect(k2.psnrDb).toBeGreaterThan(k4.psnrDb);
    // Bilinear blending of a smooth signal within each surface: small errors; blending across the step would cost 0.17–0.19 at x = 39, 40.
    expect(k4.mae).toBeLessThan(0.02);
    const up = gridCeiling(g, ref, 4);
    for (let y = 0; y < H; y++) for (const x of [39, 40]) expect(Math.abs(up[y * W + x]! - ref[y * W + x]!), `(${x}, ${y})`).toBeLessThan(0.1);
  });

  // 120×116 at 60°: focal 100 px against the tiny model's 50 → every 2nd pixel, a 60×58 grid padded to 60×60;
  // 150×174: focal 151 px → every 3rd (a step that is not a power of two), 50×58 padded to 52×60.
  it.each([[120, 116, 2, 60, 60], [150, 174, 3, 52, 60]])('grid = every k-th pixel of the G-buffer, grid AO = onnxruntime on it, full resolution = the guided upsample (%i×%i, k = %i)', async (W, H, k, gw, gh) => {
    const device = await testDevice();
    const plane = W * H, model = 'test/fixtures/ao/tiny.onnx';
    const arch = randomArchScene(TEST_SEED_BASE + 5004), camera = randomArchCameras(arch, TEST_SEED_BASE + 5004, 1)[0]!;
    const state = await scoped(device, () => createFrameState(device, { width: W, height: H, scene: arch.scene, camera: { ...camera, fovY: Math.PI / 3 }, ao: 'network', model, gbuffer: 'compute' }));
    try {
      const net = state.network!;
      expect([net.factor, net.gridWidth, net.gridHeight]).toEqual([k, gw, gh]);
      const { packed, x, y } = await scoped(device, async () => {
        const enc = device.createCommandEncoder({ label: 'test network slot' });
        encodeFrame(enc, state);
        device.queue.submit([enc.finish()]);
        return { packed: await readPacked(device, state.gbuffer.normal, state.aoTexture), x: await net.bound.args[AO_INPUT]!.read() as Float32Array, y: await net.bound.args[AO_OUTPUT]!.read() as Float32Array };
      });
      const gp = gw * gh;
      // The grid: pixel (min(i·k + k/2, W − 1), min(j·k + k/2, H − 1)), every channel exactly.
      let sky = 0;
      for (let j = 0; j < gh; j++) for (let i = 0; i < gw; i++) {
        const sx = Math.min(i * k + (k >> 1), W - 1), sy = Math.min(j * k + (k >> 1), H - 1);
        for (let c = 0; c < 4; c++) expect(x[c * gp + j * gw + i], `grid ${c} (${i}, ${j})`).toBe(packed[c * plane + sy * W + sx]);
        if (x[3 * gp + j * gw + i] === 1) sky++;
      }
      expect(sky).toBeLessThan(0.5 * gp);
      // The network on the grid is the model's (onnxruntime).
      const session = await ort.InferenceSession.create(model);
      const want = (await session.run({ gbuffer: new ort.Tensor('float32', x, [1, 4, gh, gw]) }))['ao']!.data as Float32Array;
      expect(compareClose(y, want, 1e-3, 1e-4)).toBeNull();
      let spread = 0;
      for (let i = 0; i < gp; i++) spread = Math.max(spread, Math.abs(want[i]! - want[0]!));
      expect(spread).toBeGreaterThan(0.05);
      // Guided upsample: the 2×2 grid samples around each pixel, bilinear × depth × normal weights (upsample-cpu.ts).
      const ao = packed.subarray(4 * plane);
      const up = guidedUpsample({ data: packed.subarray(0, 4 * plane), width: W, height: H }, x, y, k, gw, gh);
      let checked = 0;
      for (let p = 0; p < plane; p++) {
        const sky = packed[p]! ** 2 + packed[plane + p]! ** 2 + packed[2 * plane + p]! ** 2 < 0.25;
        if (sky) { expect(ao[p]).toBe(1); continue; }
        expect(Math.abs(ao[p]! - up[p]!), `AO at (${p % W}, ${Math.floor(p / W)})`).toBeLessThan(2e-4);
        checked++;
      }
      expect(checked).toBeGreaterThan(0.5 * plane);
    } finally {
      destroyFrameState(state);
    }
  });
});
