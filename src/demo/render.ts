/**
 * renderDemo: the showcase end to end (what `wgml demo` runs): a scene rendered through the G-buffer,
 * the chosen AO slot and the lighting pass along a camera path, per-pass GPU times from timestamp
 * queries when the device has 'timestamp-query', PNG output (the last frame, or every frame into a
 * folder), and optionally every AO slot on the last view scored against the ray-cast AO.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceInfo, requestDevice } from '../gpu/device.js';
import { warmUpNetwork } from '../runtime/run.js';
import type { ProgressCallback } from '../runtime/pipeline.js';
import { compareView, type AOScore } from './compare.js';
import { createFrameState, destroyFrameState, encodeFrame, framePasses, setCamera, type AOMode, type GBufferMode } from './frame.js';
import type { MaterialMode, MaterialSet } from './material.js';
import { loadMaterialSet } from './materials-node.js';
import type { Camera } from './math.js';
import { greyToRgba, readTexture, sideBySide, writePng } from './png.js';
import type { Scene } from './scene.js';
import { SHOWCASE_LIGHTING, SHOWCASE_MATERIALS, showcaseCamera, showcaseScene } from './showcase.js';
import { cropGuard, guardedFrame, resolveGuard, type GuardOption } from './guard.js';

export interface RenderDemoOptions {
  /**
   * Frame size in pixels, a number (square) or [width, height] (default 256×256 on a software GPU,
   * 1920×1080 on a real one).
   */
  size?: number | [number, number];
  /** Frames to render along the camera path (default 1). */
  frames?: number;
  /** PNG path for the last frame; with compare also `<stem>-compare.png` (lit frames over their AO maps: none | network | GTAO | ray-cast). */
  out?: string;
  /** Folder to write every frame into, as frame-0000.png, frame-0001.png, … (a sequence along the camera path). */
  outDir?: string;
  /** Also render the last view with every AO slot and score each against the ray-cast AO. */
  compare?: boolean;
  /** AO slot (default 'network'). */
  ao?: AOMode;
  /** G-buffer path: 'raster' (default) or 'compute' (primary rays in a compute pass). */
  gbuffer?: GBufferMode;
  /** ONNX model for the network slot (default models/ao/ao.onnx). */
  model?: string | Uint8Array;
  /** One neural material (.wgmat path or bytes) for material index 1; for scenes given with `scene` (default examples/materials/bricks.wgmat). */
  material?: string | Uint8Array;
  /** The materials for every index the scene uses (default: the showcase's four, or `material`). */
  materials?: MaterialSet;
  /** 'neural' (default) or 'original' (the textures the materials were compressed from). */
  materialMode?: MaterialMode;
  device?: GPUDevice;
  /** The scene (default: the showcase courtyard, showcase.ts). */
  scene?: Scene;
  /** A start camera the frames orbit from (default: the showcase path, or demoCamera-like orbit for a given scene). */
  camera?: Camera;
  /** Camera at t ∈ [0, 1) along a path (default for the showcase scene: showcaseCamera). Frame f of N is at t = f / N. */
  path?: (t: number) => Camera;
  /** Ray-cast AO rays per pixel for this frame (default 128). */
  aoRays?: number;
  /** Progress: the AO network's first run kernel by kernel ('first run'), then 'frames'. */
  onProgress?: ProgressCallback;
  /**
   * Guard band in pixels on every side, or 'auto' (guard.ts autoGuard: 64 at 1080p; default 0): every pass renders
   * the frame that much wider with the same focal length, so screen-space AO sees occluders just off screen; the
   * images are the visible `size`, the pass times those of the wider frame.
   */
  guard?: GuardOption;
}

export interface RenderDemoResult {
  width: number;
  height: number;
  /** The guard band rendered around the visible frame, in pixels on every side. */
  guard: number;
  ao: AOMode;
  /** Which G-buffer path rendered the frames (the 'gbuffer' pass times are that path's). */
  gbuffer: GBufferMode;
  /** GPU milliseconds per pass per frame (empty when the device lacks timestamp-query). */
  passTimes: Record<string, number[]>;
  /** Median GPU milliseconds per pass. */
  medianMs: Record<string, number>;
  timestamps: boolean;
  files: string[];
  /** The AO network's sampling step (network slot only). */
  networkFactor?: number;
  /**
   * The last view's AO slots against the ray-cast AO over surface pixels (compare only): `mae`,
   * `psnrDb` of this frame's slot (0 and ∞-capped for 'raycast' itself), and `slots` for every slot compared.
   */
  compare?: AOScore & { slots: Partial<Record<AOMode, AOScore>> };
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
  const showcase = !o.scene;
  const scene = o.scene ?? showcaseScene();
  const camera0 = o.camera ?? (showcase ? showcaseCamera(0) : undefined);
  const path = o.path ?? (showcase && !o.camera ? showcaseCamera : (t: number) => ({ ...camera0!, yaw: camera0!.yaw + t * 2 * Math.PI * Math.min(1, frames / 60) }));
  if (!camera0 && !o.path) throw new Error('renderDemo: a scene given without camera or path');
  const single = typeof o.material === 'string' ? new Uint8Array(readFileSync(o.material)) : o.material;
  // One material given: it covers every index the scene uses; none: the showcase's four, or bricks for a scene given by the caller.
  const materials: MaterialSet = o.materials ?? (single ? { wgmats: showcase ? SHOWCASE_MATERIALS.map(() => single) : [single] }
    : showcase ? loadMaterialSet(SHOWCASE_MATERIALS) : { wgmats: [new Uint8Array(readFileSync(DEFAULT_MATERIAL))] });
  const model = o.model ?? DEFAULT_MODEL;
  const lighting = { ...(showcase ? SHOWCASE_LIGHTING : {}), ...(o.aoRays ? { aoRays: o.aoRays } : {}) };
  const guard = resolveGuard(o.guard, height);
  const base = { width, height, scene, gbuffer, model, materials, materialMode: o.materialMode ?? 'neural', lighting } as const;
  // What the passes render: the visible frame, or the wider one of the guard band (its lens per camera of the path).
  const view = (t: number) => guardedFrame({ ...base, camera: path(t) }, guard);
  const crop = (rgba: Uint8Array) => cropGuard(rgba, width, height, guard, 1, 4);
  const state = await createFrameState(device, { ...view(0), ao });
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
    // Frames go back to back, as a game submits them: waiting for each frame's timestamps left the GPU idle
    // between frames, and every pass measured up to 3x its back-to-back time (the AO network 2.36 ms in the
    // frame against 0.84 ms, H200 2026-12-02). Timestamps are read once at the end, unless frames are
    // written out (each one is read back as it is rendered).
    const pending: GPUBuffer[] = [];
    const readTimes = async (staging: GPUBuffer) => {
      await staging.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap(); staging.destroy();
      passes.forEach((p, i) => passTimes[p]!.push(Number(t[2 * i + 1]! - t[2 * i]!) / 1e6));
    };
    for (let f = 0; f < frames; f++) {
      o.onProgress?.('frames', f, frames);
      setCamera(state, view(f / frames).camera);
      const enc = device.createCommandEncoder({ label: `wgml demo frame ${f}` });
      encodeFrame(enc, state, querySet ? { querySet, first: 0 } : undefined);
      if (querySet && resolve) {
        const staging = device.createBuffer({ label: 'wgml demo timestamps readback', size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        enc.resolveQuerySet(querySet, 0, n, resolve, 0);
        enc.copyBufferToBuffer(resolve, 0, staging, 0, n * 8);
        pending.push(staging);
      }
      device.queue.submit([enc.finish()]);
      if (o.outDir) {
        for (const s of pending.splice(0)) await readTimes(s);
        const file = join(o.outDir, `frame-${String(f).padStart(4, '0')}.png`);
        writePng(file, width, height, crop(await readTexture(device, state.color)));
        files.push(file);
      }
    }
    for (const s of pending.splice(0)) await readTimes(s);
    if (!querySet) await device.queue.onSubmittedWorkDone();
    o.onProgress?.('frames', frames, frames);
    const color = crop(await readTexture(device, state.color));
    if (o.out) { writePng(o.out, width, height, color); files.push(o.out); }
    result = { width, height, guard, ao, gbuffer, passTimes, medianMs: Object.fromEntries(passes.map((p) => [p, median(passTimes[p]!)])), timestamps, files,
      ...(state.network ? { networkFactor: state.network.factor } : {}) };
    if (o.compare) {
      const slots: AOMode[] = ['none', 'network', 'gtao', 'raycast'];
      const cmp = await compareView(device, { ...base, camera: path(frames > 0 ? (frames - 1) / frames : 0) }, slots, 1, [], guard);
      const own = ao === 'raycast' ? { mae: 0, psnrDb: 120 } : cmp.scores[ao]!;
      result.compare = { ...own, slots: cmp.scores };
      if (o.out) {
        const stem = o.out.replace(/\.png$/i, '');
        // Top: lit frames none | network | GTAO | ray-cast; bottom: their AO maps.
        const top = sideBySide(width, height, cmp.slots.map((s) => s.color));
        const bottom = sideBySide(width, height, cmp.slots.map((s) => greyToRgba(s.map)));
        const both = new Uint8Array(top.length * 2); both.set(top); both.set(bottom, top.length);
        writePng(`${stem}-compare.png`, width * slots.length, height * 2, both);
        files.push(`${stem}-compare.png`);
      }
    }
  } finally {
    querySet?.destroy(); resolve?.destroy();
    destroyFrameState(state);
  }
  return result!;
}

