/**
 * Training data for the neural AO: random courtyards (random-arch.ts) seen by random cameras,
 * rendered at the network's own scale; inputs are the G-buffer channels the network sees (view normal
 * xyz, depth / DEPTH_SCALE: [N, 4, S, S]), targets the ray-cast AO ([N, 1, S, S]) with enough rays to
 * be noise-free (averaged over `passes` renders with different seeds, short dispatches each). Written
 * as float16 .npy, sample by sample (the G-buffer is rgba16float, so the inputs lose nothing). Train
 * and test scenes come from disjoint seed ranges, every scene seen from `views` cameras.
 *
 *   node dist/demo/dataset.js --out training/data --train 2000 --test 60 --size 256 --rays 256 --passes 4 --views 2 [--seconds 120]
 *
 * One process keeps a GPU mostly idle (each view waits on its readback); `--shard I/N` in N processes
 * writes disjoint training scenes into N directories that train_ao.py reads as one (--data a,b,…).
 *
 * `--scenes simple` draws the earlier generator's boxes and spheres (scene.ts randomScene) instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requestDevice } from '../gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame, setLighting, type GBufferMode } from './frame.js';
import type { Camera } from './math.js';
import { NpyF16Writer } from './npy.js';
import { readPacked } from './pack.js';
import { FOV_RANGE_DEG, randomArchCameras, randomArchScene } from './random-arch.js';
import { randomScene, type Scene } from './scene.js';
import { num, runScript, scriptArgs } from './script-args.js';
import { AO_CHANNEL_CHOICES, AO_CHANNELS, createAOInputGrid, DemoError, isAOChannels, type AOChannels } from './network.js';
import { tensor } from '../tensor/tensor.js';

function aoChannels(c: number): AOChannels {
  if (!isAOChannels(c)) throw new DemoError(`--channels ${c}: the AO inputs are ${AO_CHANNEL_CHOICES}`, `pass --channels ${Object.keys(AO_CHANNELS).join(' or ')}`);
  return c;
}

/** Seeds of held-out scenes start here; training seeds stay below. */
export const TEST_SEED_BASE = 1_000_000;

export interface DatasetOptions {
  out: string;
  train: number;
  test: number;
  size: number;
  rays: number;
  /** Ray-cast renders averaged per sample (each `rays` rays, different seeds). */
  passes?: number;
  /** Camera views per scene. */
  views?: number;
  scenes?: 'arch' | 'simple';
  gbuffer?: GBufferMode;
  /** Input channels: 4 (normal, depth), 5 (…, GTAO visibility), 6 (…, the second depth layer's gap) or 7 (…, GTAO within ½ and ¼ of the AO distance): AO_CHANNELS. */
  channels?: AOChannels;
  /**
   * This process's share of the training scenes, [index, count]: seeds index, index + count, … (disjoint
   * across shards, so processes on one GPU write one dataset side by side); only shard 0 writes the
   * held-out split.
   */
  shard?: readonly [number, number];
  /** Added to every training seed: a later run (training resumed on the GPU machine) draws scenes the earlier did not. */
  seedOffset?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The `views` (scene, camera) pairs of scene seed `seed`. */
export function sampleViews(seed: number, views: number, scenes: 'arch' | 'simple' = 'arch'): { scene: Scene; camera: Camera }[] {
  // The simple generator makes one camera per scene.
  if (scenes === 'simple') return [randomScene(seed)];
  const a = randomArchScene(seed);
  return randomArchCameras(a, seed, views).map((camera) => ({ scene: a.scene, camera }));
}

/**
 * Render one view: the network's input channels [C·S·S] (through the AO slot's own input grid at k = 1, so
 * a 5-channel model trains on the GTAO channel the slot computes) and the ray-cast AO averaged over `passes`
 * seeds [S·S].
 */
export async function renderSample(device: GPUDevice, scene: Scene, camera: Camera, size: number, rays: number, passes: number, seed: number, gbuffer: GBufferMode = 'compute', channels: AOChannels = 4): Promise<{ x: Float32Array; y: Float32Array }> {
  if (!(passes >= 1)) throw new DemoError(`passes: ${passes}; a sample needs at least one ray-cast render`, 'pass --passes 1 or more');
  const plane = size * size;
  const y = new Float32Array(plane);
  let x: Float32Array | null = null;
  const state = await createFrameState(device, { width: size, height: size, scene, camera, ao: 'raycast', gbuffer, lighting: { aoRays: rays, seed: seed * 31 } });
  const xT = tensor(device, { dtype: 'f32', shape: [1, channels, size, size], label: 'wgml demo dataset input' });
  const grid = await createAOInputGrid(device, state.gbuffer.normal, xT, { k: 1, gw: size, gh: size, channels, frameUniforms: state.uniforms, scenePrims: state.prims });
  try {
    for (let k = 0; k < passes; k++) {
      setLighting(state, { seed: seed * 31 + k });
      const enc = device.createCommandEncoder({ label: 'wgml demo dataset' });
      encodeFrame(enc, state);
      if (k === 0) grid.encode(enc);
      device.queue.submit([enc.finish()]);
      const packed = await readPacked(device, state.gbuffer.normal, state.aoTexture);
      if (k === 0) x = await xT.read() as Float32Array;
      for (let i = 0; i < plane; i++) y[i]! += packed[4 * plane + i]! / passes;
    }
  } finally {
    grid.destroy(); xT.destroy();
    destroyFrameState(state);
  }
  return { x: x!, y };
}

/**
 * Render scenes of seeds `seedOf(0)`, `seedOf(1)`, … (`views` each) into <out>/<name>_x.npy and <name>_y.npy until
 * `count` scenes are done or the clock passes `deadline` (ms since the epoch); returns the samples written.
 */
export async function writeSplit(device: GPUDevice, o: DatasetOptions, name: string, seedOf: (i: number) => number, count: number, tick: () => void, deadline = Infinity, stop: () => boolean = () => false): Promise<number> {
  const views = o.views ?? 1, S = o.size;
  const xs = new NpyF16Writer(join(o.out, `${name}_x.npy`), [o.channels ?? 4, S, S]);
  const ys = new NpyF16Writer(join(o.out, `${name}_y.npy`), [1, S, S]);
  try {
    for (let i = 0; i < count && Date.now() < deadline && !stop(); i++) {
      const seed = seedOf(i);
      for (const [v, s] of sampleViews(seed, views, o.scenes).entries()) {
        const { x, y } = await renderSample(device, s.scene, s.camera, S, o.rays, o.passes ?? 1, seed * 8 + v, o.gbuffer, o.channels ?? 4);
        xs.append(x); ys.append(y);
        tick();
      }
    }
  } finally {
    xs.close(); ys.close();
  }
  return xs.count;
}

/** Vertical field of view range of the random cameras, for the scale the model learns. */
export const DATA_FOV_DEG = FOV_RANGE_DEG;

/**
 * Held-out scenes first (a fixed count), then training scenes until `train` are done, `seconds`
 * have passed or `stop()` says so (after the scene in progress); meta.json records the sizes and the focal length in pixels the model learns at.
 */
export async function writeDataset(device: GPUDevice, o: DatasetOptions & { seconds?: number; stop?: () => boolean }): Promise<{ train: number; test: number }> {
  mkdirSync(o.out, { recursive: true });
  const views = o.views ?? 1, total = (o.train + o.test) * views;
  let done = 0;
  const tick = () => o.onProgress?.(++done, total);
  const t0 = Date.now();
  const [shard, shards] = o.shard ?? [0, 1];
  if (!(Number.isInteger(shard) && Number.isInteger(shards) && shard >= 0 && shard < shards)) {
    throw new DemoError(`shard ${shard}/${shards}: the index must be an integer in [0, ${shards})`, 'pass e.g. --shard 0/4 … --shard 3/4', { shard, shards });
  }
  const offset = o.seedOffset ?? 0;
  if (!(Number.isInteger(offset) && offset >= 0 && offset + o.train * shards < TEST_SEED_BASE))
    throw new DemoError(`--seed-offset ${offset}: training seeds from it (${o.train} scenes × ${shards} shards) must stay below the held-out seeds (${TEST_SEED_BASE})`, 'pass a smaller offset or fewer --train scenes', { seedOffset: offset, train: o.train, shards });
  const test = await writeSplit(device, o, 'test', (i) => TEST_SEED_BASE + i, shard === 0 ? o.test : 0, tick);
  // Written once the held-out split is complete, and again at the end: a trainer reading the training split while it
  // grows (train_ao.py --grow) needs the sample's format before the last scene is done.
  const focal = (deg: number) => (0.5 * o.size) / Math.tan((deg * Math.PI) / 360);
  const writeMeta = (train: number, complete: boolean) => writeFileSync(join(o.out, 'meta.json'), JSON.stringify({
    size: o.size, rays: o.rays * (o.passes ?? 1), views, channels: o.channels ?? 4, shard: [shard, shards], seedOffset: offset, inputs: AO_CHANNELS[o.channels ?? 4], scenes: o.scenes ?? 'arch', train, test, testSeedBase: TEST_SEED_BASE,
    fovDeg: DATA_FOV_DEG, focalPx: focal((DATA_FOV_DEG[0] + DATA_FOV_DEG[1]) / 2), seconds: (Date.now() - t0) / 1000, complete,
  }, null, 1));
  writeMeta(0, false);
  const train = await writeSplit(device, o, 'train', (i) => offset + shard + i * shards, o.train, tick, o.seconds ? t0 + o.seconds * 1000 : Infinity, o.stop);
  writeMeta(train, true);
  return { train, test };
}

/** `--shard I/N`. */
function shardArg(v: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[1]) >= Number(m[2])) throw new DemoError(`--shard '${v}': expected I/N with 0 ≤ I < N`, 'e.g. --shard 0/4 in one process, 1/4 … 3/4 in three others', { option: 'shard', value: v });
  return [Number(m[1]), Number(m[2])];
}

const USAGE = 'node dist/demo/dataset.js [--out DIR] [--train N] [--test N] [--size S] [--rays R] [--passes P] [--views V] [--scenes arch|simple] [--gbuffer compute|raster] [--channels 4|5|6|7] [--seconds S] [--shard I/N] [--seed-offset N]';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const a = scriptArgs(argv, USAGE, { out: 'training/data', train: '400', test: '64', size: '256', rays: '256', passes: '1', views: '1', scenes: 'arch', gbuffer: 'compute', channels: '4', seconds: '0', shard: '0/1', 'seed-offset': '0' });
  if (!a) return;
  const o: DatasetOptions & { seconds?: number } = {
    out: a.out, train: num('train', a.train), test: num('test', a.test), size: num('size', a.size), rays: num('rays', a.rays), passes: num('passes', a.passes),
    views: num('views', a.views), scenes: a.scenes as 'arch' | 'simple', gbuffer: a.gbuffer as GBufferMode, channels: aoChannels(num('channels', a.channels)), seconds: num('seconds', a.seconds) || undefined,
    shard: shardArg(a.shard), seedOffset: num('seed-offset', a['seed-offset']!),
    onProgress: (d, t) => { if (d % 50 === 0 || d === t) console.error(`dataset: ${d}/${t}`); },
  };
  // SIGTERM ends the training split after the scene in progress, with valid files and a complete meta.json: how
  // training/h200.sh stops the scenes it streams to a trainer that has finished.
  let stopped = false;
  process.once('SIGTERM', () => { stopped = true; });
  const device = await requestDevice();
  const t0 = Date.now();
  const n = await writeDataset(device, { ...o, stop: () => stopped });
  console.error(`dataset: wrote ${n.train} train + ${n.test} test samples of ${o.size}x${o.size} (${o.rays}×${o.passes} rays) to ${o.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  device.destroy();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runScript(main);
}
