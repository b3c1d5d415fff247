/** What every pass of the demo shares: the per-frame uniform block and a per-device pipeline cache. */
import { cameraEye, invert, lookAt, normalize, perspective, transform, type Camera, type Vec3 } from './math.js';

/** Linear view depth is divided by this in the network input channel (so it lies in [0, 1] for the demo's scenes). */
export const DEPTH_SCALE = 20;

export const FRAME_WGSL = /* wgsl */ `
struct Frame {
  view: mat4x4f, proj: mat4x4f, invView: mat4x4f, invProj: mat4x4f,
  size: vec2f, near: f32, far: f32,
  light: vec4f,  // view-space direction towards the light, w = ambient strength
  ao: vec4f,     // x = AO max distance, y = rays per pixel, z = seed, w = depth scale
}`;
export const FRAME_BYTES = 304;

export interface LightingParams {
  /** World-space direction towards the light. */
  lightDir: Vec3;
  ambient: number;
  aoDistance: number;
  aoRays: number;
  seed: number;
}

export const DEFAULT_LIGHTING: LightingParams = { lightDir: [0.5, 0.9, 0.35], ambient: 0.6, aoDistance: 1, aoRays: 128, seed: 1 };

export function frameUniforms(camera: Camera, width: number, height: number, p: LightingParams): ArrayBuffer {
  const buf = new ArrayBuffer(FRAME_BYTES);
  const f = new Float32Array(buf);
  const view = lookAt(cameraEye(camera), camera.target);
  const proj = perspective(camera.fovY, width / height, camera.near, camera.far);
  f.set(view, 0); f.set(proj, 16); f.set(invert(view), 32); f.set(invert(proj), 48);
  f.set([width, height, camera.near, camera.far], 64);
  f.set([...normalize(transform(view, normalize(p.lightDir), 0)), p.ambient], 68);
  f.set([p.aoDistance, p.aoRays, p.seed, DEPTH_SCALE], 72);
  return buf;
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<unknown>>>();

/** Compile once per device and key; a failed compile is not cached so a fix can retry. */
export function cachedPipeline<T>(device: GPUDevice, key: string, make: () => Promise<T>): Promise<T> {
  let c = caches.get(device);
  if (!c) { c = new Map(); caches.set(device, c); }
  let p = c.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    c.set(key, p);
    p.catch(() => c!.delete(key));
  }
  return p;
}

export async function computePipeline(device: GPUDevice, label: string, code: string): Promise<GPUComputePipeline> {
  return cachedPipeline(device, label, () => device.createComputePipelineAsync({
    label, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' },
  }));
}

/** 8×8 workgroups over the image. */
export const groups8 = (w: number, h: number): [number, number] => [Math.ceil(w / 8), Math.ceil(h / 8)];

/** Record one compute pass over a width×height image in 8×8 workgroups (bind groups 0, 1, … in order), optionally timed. */
export function encodeImagePass(encoder: GPUCommandEncoder, label: string, pipeline: GPUComputePipeline, bindGroups: GPUBindGroup | readonly GPUBindGroup[],
  width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass({ label, ...(timestampWrites ? { timestampWrites } : {}) });
  pass.setPipeline(pipeline);
  if (Array.isArray(bindGroups)) bindGroups.forEach((g, i) => pass.setBindGroup(i, g));
  else pass.setBindGroup(0, bindGroups as GPUBindGroup);
  pass.dispatchWorkgroups(...groups8(width, height));
  pass.end();
}
