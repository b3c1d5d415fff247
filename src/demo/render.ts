/**
 * renderDemo: the showcase end to end (what `wgml demo` runs): a scene rendered through the G-buffer,
 * the chosen AO slot and the lighting pass, per-pass GPU times from timestamp queries when the device
 * has 'timestamp-query', PNG output, and optionally the network's AO compared with the ray-cast one.
 */
import { readFileSync } from 'node:fs';
import { deviceInfo, requestDevice } from '../gpu/device.js';
import { warmUpNetwork } from '../runtime/run.js';
import type { ProgressCallback } from '../runtime/pipeline.js';
import { createFrameState, destroyFrameState, encodeFrame, framePasses, setCamera, type AOMode, type GBufferMode } from './frame.js';
import type { Camera } from './math.js';
import { readPacked } from './pack.js';
import { greyToRgba, readTexture, sideBySide, writePng } from './png.js';
import { demoCamera, demoScene, type Scene } from './scene.js';

export interface RenderDemoOptions {
  /**
   * Frame size in pixels, a number (square) or [width, height], multiples of 4 for the network
   * (default 256×256 on a software GPU, 1920×1080 on a real one).
   */
  size?: number | [number, number];
  /** Frames to render, the camera orbiting a little each frame (default 1). */
  frames?: number;
  /** PNG path for the last frame; with compare also `<stem>-noao.png`, `<stem>-groundtruth.png` and `<stem>-compare.png` (lit frames over their AO maps: none | this slot | ray-cast). */
  out?: string;
  /** Also ray-cast the ground-truth AO of the last frame and report the AO slot's error against it. */
  compare?: boolean;
  /** AO slot (default 'network'). */
  ao?: AOMode;
  /** G-buffer path: 'raster' (default) or 'compute' (primary rays in a compute pass). */
  gbuffer?: GBufferMode;
  /** ONNX model for ao: 'network' (default models/ao/ao.onnx). */
  model?: string | Uint8Array;
  /** Neural material (.wgmat path or bytes) for the scene's textured surfaces (default examples/materials/bricks.wgmat). */
  material?: string | Uint8Array;
  device?: GPUDevice;
  scene?: Scene;
  camera?: Camera;
  /** Progress: the AO network's first run kernel by kernel ('first run'), then 'frames'. */
  onProgress?: ProgressCallback;
}

export interface RenderDemoResult {
  width: number;
  height: number;
  ao: AOMode;
  /** Which G-buffer path rendered the frames (the 'gbuffer' pass times are that path's). */
  gbuffer: GBufferMode;
  /** GPU milliseconds per pass per frame (empty when the device lacks timestamp-query). */
  passTimes: Record<string, number[]>;
  /** Median GPU milliseconds per pass. */
  medianMs: Record<string, number>;
  timestamps: boolean;
  files: string[];
  /** AO slot vs ray-cast AO on the last frame (compare only). */
  compare?: { mae: number; psnrDb: number };
}

/** Paths the defaults resolve against: the package root, so the CLI works from any directory. */
const ROOT = new URL('../../', import.meta.url);
export const DEFAULT_MODEL = new URL('models/ao/ao.onnx', ROOT).pathname;
export const DEFAULT_MATERIAL = new URL('examples/materials/bricks.wgmat', ROOT).pathname;

/** 256×256 on a software GPU (lavapipe, SwiftShader), 1920×1080 otherwise. */
export function defaultSize(device: GPUDevice): [number, number] {
  return deviceInfo(device).software ? [256, 256] : [1920, 1080];
}

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

export async function renderDemo(o: RenderDemoOptions = {}): Promise<RenderDemoResult> {
  const frames = o.frames ?? 1, ao = o.ao ?? 'network', gbuffer = o.gbuffer ?? 'raster';
  const device = o.device ?? (await requestDevice());
  const [width, height] = o.size === undefined ? defaultSize(device) : typeof o.size === 'number' ? [o.size, o.size] : o.size;
  const scene = o.scene ?? demoScene();
  const camera0 = o.camera ?? demoCamera();
  const material = typeof o.material === 'string' || o.material === undefined ? new Uint8Array(readFileSync(o.material ?? DEFAULT_MATERIAL)) : o.material;
  const model = o.model ?? DEFAULT_MODEL;
  const state = await createFrameState(device, { width, height, scene, camera: camera0, ao, gbuffer, model, material });
  // Software drivers compile each kernel at its first dispatch: the network's, one by one, with progress.
  if (o.onProgress && state.network) await warmUpNetwork(state.network.bound, o.onProgress);
  const passes = framePasses(ao);
  const timestamps = device.features.has('timestamp-query');
  const passTimes: Record<string, number[]> = Object.fromEntries(passes.map((p) => [p, []]));
  const n = passes.length * 2;
  const querySet = timestamps ? device.createQuerySet({ label: 'wgml demo timestamps', type: 'timestamp', count: n }) : null;
  const resolve = timestamps ? device.createBuffer({ label: 'wgml demo timestamps resolve', size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const files: string[] = [];
  let result: RenderDemoResult | undefined;
  try {
    for (let f = 0; f < frames; f++) {
      o.onProgress?.('frames', f, frames);
      setCamera(state, { ...camera0, yaw: camera0.yaw + (f * 2 * Math.PI) / Math.max(frames, 60) });
      const enc = device.createCommandEncoder({ label: `wgml demo frame ${f}` });
      encodeFrame(enc, state, querySet ? { querySet, first: 0 } : undefined);
      let staging: GPUBuffer | null = null;
      if (querySet && resolve) {
        staging = device.createBuffer({ label: 'wgml demo timestamps readback', size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        enc.resolveQuerySet(querySet, 0, n, resolve, 0);
        enc.copyBufferToBuffer(resolve, 0, staging, 0, n * 8);
      }
      device.queue.submit([enc.finish()]);
      if (staging) {
        await staging.mapAsync(GPUMapMode.READ);
        const t = new BigUint64Array(staging.getMappedRange().slice(0));
        staging.unmap(); staging.destroy();
        passes.forEach((p, i) => passTimes[p]!.push(Number(t[2 * i + 1]! - t[2 * i]!) / 1e6));
      } else {
        await device.queue.onSubmittedWorkDone();
      }
    }
    o.onProgress?.('frames', frames, frames);
    const color = await readTexture(device, state.color);
    if (o.out) { writePng(o.out, width, height, color); files.push(o.out); }
    result = { width, height, ao, gbuffer, passTimes, medianMs: Object.fromEntries(passes.map((p) => [p, median(passTimes[p]!)])), timestamps, files };
    if (o.compare) {
      const plane = width * height;
      const slot = (await readPacked(device, state.gbuffer.normal, state.aoTexture)).subarray(4 * plane);
      const gt = await createFrameState(device, { width, height, scene, camera: state.camera, ao: 'groundtruth', gbuffer, material });
      const none = await createFrameState(device, { width, height, scene, camera: state.camera, ao: 'none', gbuffer, material });
      try {
        const enc = device.createCommandEncoder({ label: 'wgml demo ground-truth compare' });
        encodeFrame(enc, gt);
        encodeFrame(enc, none);
        device.queue.submit([enc.finish()]);
        const ref = (await readPacked(device, gt.gbuffer.normal, gt.aoTexture)).subarray(4 * plane);
        let abs = 0, sq = 0;
        for (let i = 0; i < ref.length; i++) { const d = slot[i]! - ref[i]!; abs += Math.abs(d); sq += d * d; }
        result.compare = { mae: abs / ref.length, psnrDb: 10 * Math.log10(1 / Math.max(sq / ref.length, 1e-12)) };
        if (o.out) {
          const stem = o.out.replace(/\.png$/i, '');
          const [gtColor, noneColor] = [await readTexture(device, gt.color), await readTexture(device, none.color)];
          writePng(`${stem}-noao.png`, width, height, noneColor);
          writePng(`${stem}-groundtruth.png`, width, height, gtColor);
          // Top: no AO | this AO slot | ground-truth AO, lit; bottom: the AO maps (white for none).
          const top = sideBySide(width, height, [noneColor, color, gtColor]);
          const bottom = sideBySide(width, height, [greyToRgba(new Float32Array(plane).fill(1)), greyToRgba(slot), greyToRgba(ref)]);
          const both = new Uint8Array(top.length * 2); both.set(top); both.set(bottom, top.length);
          writePng(`${stem}-compare.png`, width * 3, height * 2, both);
          files.push(`${stem}-noao.png`, `${stem}-groundtruth.png`, `${stem}-compare.png`);
        }
      } finally {
        destroyFrameState(gt);
        destroyFrameState(none);
      }
    }
  } finally {
    querySet?.destroy(); resolve?.destroy();
    destroyFrameState(state);
  }
  return result!;
}
