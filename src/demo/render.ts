/**
 * renderDemo: the showcase end to end (what `wgml demo` runs): a scene rendered through the G-buffer,
 * the chosen AO slot and the lighting pass, per-pass GPU times from timestamp queries when the device
 * has 'timestamp-query', PNG output, and optionally the network's AO compared with the ray-cast one.
 */
import { requestDevice } from '../gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame, framePasses, setCamera, type AOMode } from './frame.js';
import type { Camera } from './math.js';
import { readPacked } from './pack.js';
import { greyToRgba, readTexture, sideBySide, writePng } from './png.js';
import { demoCamera, demoScene, type Scene } from './scene.js';

export interface RenderDemoOptions {
  /** Square frame size in pixels, a multiple of 4 for the network (default 256). */
  size?: number;
  /** Frames to render, the camera orbiting a little each frame (default 1). */
  frames?: number;
  /** PNG path for the last frame; with compare, `<out>` minus .png plus `-compare.png` gets lit | AO | ground-truth AO. */
  out?: string;
  /** Also ray-cast the ground-truth AO of the last frame and report the AO slot's error against it. */
  compare?: boolean;
  /** AO slot (default 'network'). */
  ao?: AOMode;
  /** ONNX model for ao: 'network' (default models/ao/ao.onnx). */
  model?: string | Uint8Array;
  device?: GPUDevice;
  scene?: Scene;
  camera?: Camera;
}

export interface RenderDemoResult {
  width: number;
  height: number;
  ao: AOMode;
  /** GPU milliseconds per pass per frame (empty when the device lacks timestamp-query). */
  passTimes: Record<string, number[]>;
  /** Median GPU milliseconds per pass. */
  medianMs: Record<string, number>;
  timestamps: boolean;
  files: string[];
  /** AO slot vs ray-cast AO on the last frame (compare only). */
  compare?: { mae: number; psnrDb: number };
}

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

export async function renderDemo(o: RenderDemoOptions = {}): Promise<RenderDemoResult> {
  const size = o.size ?? 256, frames = o.frames ?? 1, ao = o.ao ?? 'network';
  const device = o.device ?? (await requestDevice());
  const scene = o.scene ?? demoScene();
  const camera0 = o.camera ?? demoCamera();
  const state = await createFrameState(device, { width: size, height: size, scene, camera: camera0, ao, model: o.model ?? 'models/ao/ao.onnx' });
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
    const color = await readTexture(device, state.color);
    if (o.out) { writePng(o.out, size, size, color); files.push(o.out); }
    result = { width: size, height: size, ao, passTimes, medianMs: Object.fromEntries(passes.map((p) => [p, median(passTimes[p]!)])), timestamps, files };
    if (o.compare) {
      const slot = (await readPacked(device, state.gbuffer.normal, state.aoTexture)).subarray(4 * size * size);
      const gt = await createFrameState(device, { width: size, height: size, scene, camera: state.camera, ao: 'groundtruth' });
      try {
        const enc = device.createCommandEncoder({ label: 'wgml demo ground-truth compare' });
        encodeFrame(enc, gt);
        device.queue.submit([enc.finish()]);
        const ref = (await readPacked(device, gt.gbuffer.normal, gt.aoTexture)).subarray(4 * size * size);
        let abs = 0, sq = 0;
        for (let i = 0; i < ref.length; i++) { const d = slot[i]! - ref[i]!; abs += Math.abs(d); sq += d * d; }
        result.compare = { mae: abs / ref.length, psnrDb: 10 * Math.log10(1 / Math.max(sq / ref.length, 1e-12)) };
        if (o.out) {
          const path = o.out.replace(/\.png$/i, '') + '-compare.png';
          writePng(path, size * 3, size, sideBySide(size, size, [color, greyToRgba(slot), greyToRgba(ref)]));
          files.push(path);
        }
      } finally {
        destroyFrameState(gt);
      }
    }
  } finally {
    querySet?.destroy(); resolve?.destroy();
    destroyFrameState(state);
  }
  return result!;
}
