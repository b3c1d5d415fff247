/**
 * Compute G-buffer: one primary ray per pixel against the analytic scene (prims.ts), writing the same
 * four targets as the raster pass (gbuffer.ts) through storage textures: view normal + linear depth,
 * albedo + object id, uv + material, view tangent. Why: on GPUs with few graphics units (the H100)
 * rasterization and fragment work run far slower than compute, and this scene is analytic anyway.
 * There is no depth32float target (depth formats are not storage-writable); the only pass that read
 * it, the ground-truth AO, casts the primary ray again instead (gtao.ts, 'ray').
 */
import { computePipeline, encodeImagePass, FRAME_WGSL } from './common.js';
import { ALBEDO_FORMAT, NORMAL_FORMAT, SURFACE_FORMAT, type GBufferTargets } from './gbuffer.js';
import { PRIMS_WGSL } from './prims.js';

const WGSL = FRAME_WGSL + PRIMS_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
@group(0) @binding(1) var<storage, read> prims: array<Prim>;
@group(0) @binding(2) var normalOut: texture_storage_2d<${NORMAL_FORMAT}, write>;
@group(0) @binding(3) var albedoOut: texture_storage_2d<${ALBEDO_FORMAT}, write>;
@group(0) @binding(4) var surfaceOut: texture_storage_2d<${SURFACE_FORMAT}, write>;
@group(0) @binding(5) var tangentOut: texture_storage_2d<${SURFACE_FORMAT}, write>;

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalOut);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let cr = camera_ray(g.xy, dims);
  let hit = closest_hit(cr.o, cr.d, cr.tmin, cr.tmax);
  if (hit.prim == 0u) {
    // The raster pass's clear values.
    textureStore(normalOut, pix, vec4f(0.0, 0.0, 0.0, 1.0));
    textureStore(albedoOut, pix, vec4f(0.0));
    textureStore(surfaceOut, pix, vec4f(0.0));
    textureStore(tangentOut, pix, vec4f(1.0, 0.0, 0.0, 1.0));
    return;
  }
  let p = prims[hit.prim - 1u];
  let s = surface_at(p, cr.o + cr.d * hit.t);
  let id = hit.prim | (p.material << 16u);
  textureStore(normalOut, pix, vec4f(normalize((F.view * vec4f(s.n, 0.0)).xyz), hit.t * cr.depth_per_t / F.ao.w));
  textureStore(albedoOut, pix, vec4f(p.albedo, f32(id & 0xffffu) / 255.0));
  textureStore(surfaceOut, pix, vec4f(s.uv, f32(p.material), 0.0));
  textureStore(tangentOut, pix, vec4f((F.view * vec4f(s.tan.xyz, 0.0)).xyz, s.tan.w));
}`;

export const computeGBufferPipeline = (device: GPUDevice) => computePipeline(device, 'wgml demo compute gbuffer', WGSL);

/** The G-buffer targets the compute pass can write: storage textures, no depth texture. */
export function createComputeGBufferTargets(device: GPUDevice, width: number, height: number): GBufferTargets {
  const usage = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;
  const size = { width, height };
  return {
    depth: null,
    normal: device.createTexture({ label: 'wgml demo view normal + depth', size, format: NORMAL_FORMAT, usage }),
    albedo: device.createTexture({ label: 'wgml demo albedo + id', size, format: ALBEDO_FORMAT, usage }),
    surface: device.createTexture({ label: 'wgml demo uv + material', size, format: SURFACE_FORMAT, usage }),
    tangent: device.createTexture({ label: 'wgml demo tangent', size, format: SURFACE_FORMAT, usage }),
  };
}

export function computeGBufferBindGroup(device: GPUDevice, pipeline: GPUComputePipeline, t: GBufferTargets, uniforms: GPUBuffer, prims: GPUBuffer): GPUBindGroup {
  const v = (x: GPUTexture) => x.createView({ label: `${x.label} view` });
  return device.createBindGroup({ label: 'wgml demo compute gbuffer', layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: { buffer: prims } },
    { binding: 2, resource: v(t.normal) }, { binding: 3, resource: v(t.albedo) },
    { binding: 4, resource: v(t.surface) }, { binding: 5, resource: v(t.tangent) },
  ] });
}

export function encodeComputeGBuffer(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeImagePass(encoder, 'wgml demo compute gbuffer', pipeline, bindGroup, width, height, timestampWrites);
}
