/**
 * The committed neural AO model (models/ao/ao.onnx): onnxruntime-node on a freshly rendered scene the
 * training never saw must beat a constant guess against the ray-cast AO; and, once wgml's network
 * runtime is in the build, the frame's 'network' AO slot must equal onnxruntime's output.
 */
import { describe, it, expect } from 'vitest';
import * as ort from 'onnxruntime-node';
import { testDevice, scoped } from './helpers/gpu.js';
import { createFrameState, destroyFrameState, encodeFrame } from '../src/demo/frame.js';
import { randomScene } from '../src/demo/scene.js';
import { readPacked } from '../src/demo/pack.js';
import { TEST_SEED_BASE } from '../src/demo/dataset.js';
import { networkRuntimeStatus } from '../src/demo/network.js';
import { compareClose } from './helpers/random.js';

const MODEL = 'models/ao/ao.onnx';
const runtime = await networkRuntimeStatus();
if (!runtime.ok) console.warn(`demo-network: the wgml runtime comparison is skipped: ${runtime.reason}`);

async function ortAO(input: Float32Array, h: number, w: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(MODEL);
  const out = await session.run({ gbuffer: new ort.Tensor('float32', input, [1, 4, h, w]) });
  return out['ao']!.data as Float32Array;
}

async function render(device: GPUDevice, seed: number, size: number, ao: 'groundtruth' | 'network'): Promise<Float32Array> {
  const { scene, camera } = randomScene(seed);
  const state = await scoped(device, () => createFrameState(device, { width: size, height: size, scene, camera, ao, model: MODEL }));
  try {
    return await scoped(device, async () => {
      const enc = device.createCommandEncoder({ label: 'test AO frame' });
      encodeFrame(enc, state);
      device.queue.submit([enc.finish()]);
      return readPacked(device, state.gbuffer.normal, state.aoTexture);
    });
  } finally {
    destroyFrameState(state);
  }
}

describe('neural AO model', () => {
  it('predicts ray-cast AO on unseen scenes better than AO = 1 everywhere (onnxruntime)', async () => {
    const device = await testDevice();
    const S = 128, plane = S * S;
    let netErr = 0, constErr = 0;
    // Seeds beyond the held-out set of the dataset: neither trained on nor used for model selection.
    for (const seed of [TEST_SEED_BASE + 5000, TEST_SEED_BASE + 5001, TEST_SEED_BASE + 5002]) {
      const packed = await render(device, seed, S, 'groundtruth');
      const gt = packed.subarray(4 * plane);
      const pred = await ortAO(packed.slice(0, 4 * plane), S, S);
      for (let i = 0; i < plane; i++) { netErr += Math.abs(pred[i]! - gt[i]!); constErr += Math.abs(1 - gt[i]!); }
    }
    netErr /= 3 * plane; constErr /= 3 * plane;
    console.log(`neural AO MAE ${netErr.toFixed(4)} vs AO = 1 everywhere ${constErr.toFixed(4)}`);
    expect(netErr).toBeLessThan(0.85 * constErr);
    expect(netErr).toBeLessThan(0.05);
  });

  it.runIf(runtime.ok)("the frame's 'network' slot equals onnxruntime on the same G-buffer", async () => {
    const device = await testDevice();
    const S = 64, plane = S * S;
    const packed = await render(device, TEST_SEED_BASE + 5003, S, 'network');
    const want = await ortAO(packed.slice(0, 4 * plane), S, S);
    expect(compareClose(packed.subarray(4 * plane), want, 1e-3, 1e-4)).toBeNull();
  });
});
