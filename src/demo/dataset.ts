/**
 * Training data for the neural AO: random scenes and cameras rendered at a small size; inputs are the
 * G-buffer channels the network sees (view normal xyz, depth / DEPTH_SCALE: [N, 4, H, W]), targets the
 * ray-cast AO ([N, 1, H, W]). Train and test scenes come from disjoint seed ranges.
 *
 *   node dist/demo/dataset.js --out training/data --train 400 --test 64 --size 128 --rays 128
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requestDevice } from '../gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame } from './frame.js';
import { writeNpy } from './npy.js';
import { PACK_CHANNELS, readPacked } from './pack.js';
import { randomScene } from './scene.js';

/** Seeds of held-out scenes start here; training seeds stay below. */
export const TEST_SEED_BASE = 1_000_000;

export interface DatasetOptions {
  out: string;
  train: number;
  test: number;
  size: number;
  rays: number;
  onProgress?: (done: number, total: number) => void;
}

/** Render `count` scenes from `seedBase` on; returns inputs [count, 4, S, S] and AO [count, 1, S, S]. */
export async function renderSamples(device: GPUDevice, seedBase: number, count: number, size: number, rays: number, onDone?: () => void): Promise<{ x: Float32Array; y: Float32Array }> {
  const plane = size * size;
  const x = new Float32Array(count * 4 * plane), y = new Float32Array(count * plane);
  for (let i = 0; i < count; i++) {
    const { scene, camera } = randomScene(seedBase + i);
    const state = await createFrameState(device, { width: size, height: size, scene, camera, ao: 'groundtruth', lighting: { aoRays: rays, seed: seedBase + i } });
    const enc = device.createCommandEncoder({ label: 'wgml demo dataset' });
    encodeFrame(enc, state);
    device.queue.submit([enc.finish()]);
    const packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
    x.set(packed.subarray(0, 4 * plane), i * 4 * plane);
    y.set(packed.subarray(4 * plane, PACK_CHANNELS * plane), i * plane);
    destroyFrameState(state);
    onDone?.();
  }
  return { x, y };
}

export async function writeDataset(device: GPUDevice, o: DatasetOptions): Promise<void> {
  mkdirSync(o.out, { recursive: true });
  const total = o.train + o.test;
  let done = 0;
  const tick = () => o.onProgress?.(++done, total);
  for (const [name, base, n] of [['train', 0, o.train], ['test', TEST_SEED_BASE, o.test]] as const) {
    const { x, y } = await renderSamples(device, base, n, o.size, o.rays, tick);
    writeNpy(join(o.out, `${name}_x.npy`), x, [n, 4, o.size, o.size]);
    writeNpy(join(o.out, `${name}_y.npy`), y, [n, 1, o.size, o.size]);
  }
}

function arg(argv: string[], name: string, def: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const o: DatasetOptions = {
    out: arg(argv, 'out', 'training/data'), train: Number(arg(argv, 'train', '400')), test: Number(arg(argv, 'test', '64')),
    size: Number(arg(argv, 'size', '128')), rays: Number(arg(argv, 'rays', '128')),
    onProgress: (d, t) => { if (d % 20 === 0 || d === t) console.error(`dataset: ${d}/${t}`); },
  };
  const device = await requestDevice();
  const t0 = Date.now();
  await writeDataset(device, o);
  console.error(`dataset: wrote ${o.train} train + ${o.test} test samples of ${o.size}x${o.size} (${o.rays} rays) to ${o.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  device.destroy();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
