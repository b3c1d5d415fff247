/**
 * Lighting pass (compute): albedo × (ambient × AO + sun × N·L) + a Blinn-Phong highlight from the
 * material's roughness, reading the material pass's shading albedo/normal, the G-buffer (object id
 * for the sky) and the AO slot, writing an rgba8unorm storage texture. Sky pixels (id 0) get a gradient.
 */
import { computePipeline, encodeImagePass, FRAME_WGSL } from './common.js';

export const COLOR_FORMAT: GPUTextureFormat = 'rgba8unorm';
/** Highlight strength: spec × (1 − roughness) × this × sun. */
export const SPECULAR = 0.35;

const WGSL = FRAME_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
@group(0) @binding(1) var shadeNormalTex: texture_2d<f32>;
@group(0) @binding(2) var albedoTex: texture_2d<f32>;
@group(0) @binding(3) var aoTex: texture_2d<f32>;
@group(0) @binding(4) var colorOut: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(5) var shadeAlbedoTex: texture_2d<f32>;

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(albedoTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  if (textureLoad(albedoTex, pix, 0).a == 0.0) {
    let v = f32(g.y) / f32(dims.y);
    textureStore(colorOut, pix, vec4f(mix(vec3f(0.35, 0.55, 0.85), vec3f(0.85, 0.9, 0.95), v), 1.0));
    return;
  }
  let alb = textureLoad(shadeAlbedoTex, pix, 0);
  let n = normalize(textureLoad(shadeNormalTex, pix, 0).xyz);
  let ao = clamp(textureLoad(aoTex, pix, 0).r, 0.0, 1.0);
  let sun = 1.0 - F.light.w;
  let diffuse = max(dot(n, F.light.xyz), 0.0) * sun;
  // View direction (towards the eye) from the pixel's ray through the inverse projection.
  let uv = (vec2f(g.xy) + 0.5) / vec2f(dims);
  let r = F.invProj * vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 1.0, 1.0);
  let vdir = -normalize(r.xyz / r.w);
  let h = normalize(F.light.xyz + vdir);
  let rough = alb.a;
  let spec = select(0.0, pow(max(dot(n, h), 0.0), mix(256.0, 4.0, rough)) * (1.0 - rough) * ${SPECULAR} * sun, dot(n, F.light.xyz) > 0.0);
  let linear = alb.rgb * (F.light.w * ao + diffuse) + vec3f(spec);
  textureStore(colorOut, pix, vec4f(pow(clamp(linear, vec3f(0.0), vec3f(1.0)), vec3f(1.0 / 2.2)), 1.0));
}`;

export const lightingPipeline = (device: GPUDevice) => computePipeline(device, 'wgml demo lighting', WGSL);

export function encodeLighting(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeImagePass(encoder, 'wgml demo lighting', pipeline, bindGroup, width, height, timestampWrites);
}
