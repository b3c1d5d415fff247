/**
 * Lighting pass (compute): albedo × (ambient × AO + sun × N·L), reading the G-buffer and the AO slot,
 * writing an rgba8unorm storage texture. Sky pixels (object id 0) get a gradient.
 */
import { computePipeline, FRAME_WGSL, groups8 } from './common.js';

export const COLOR_FORMAT: GPUTextureFormat = 'rgba8unorm';

const WGSL = FRAME_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
@group(0) @binding(1) var normalTex: texture_2d<f32>;
@group(0) @binding(2) var albedoTex: texture_2d<f32>;
@group(0) @binding(3) var aoTex: texture_2d<f32>;
@group(0) @binding(4) var colorOut: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let alb = textureLoad(albedoTex, pix, 0);
  if (alb.a == 0.0) {
    let v = f32(g.y) / f32(dims.y);
    textureStore(colorOut, pix, vec4f(mix(vec3f(0.35, 0.55, 0.85), vec3f(0.85, 0.9, 0.95), v), 1.0));
    return;
  }
  let n = normalize(textureLoad(normalTex, pix, 0).xyz);
  let ao = clamp(textureLoad(aoTex, pix, 0).r, 0.0, 1.0);
  let diffuse = max(dot(n, F.light.xyz), 0.0) * (1.0 - F.light.w);
  let linear = alb.rgb * (F.light.w * ao + diffuse);
  textureStore(colorOut, pix, vec4f(pow(clamp(linear, vec3f(0.0), vec3f(1.0)), vec3f(1.0 / 2.2)), 1.0));
}`;

export const lightingPipeline = (device: GPUDevice) => computePipeline(device, 'wgml demo lighting', WGSL);

export function encodeLighting(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass({ label: 'wgml demo lighting', ...(timestampWrites ? { timestampWrites } : {}) });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...groups8(width, height));
  pass.end();
}
