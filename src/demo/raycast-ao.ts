/**
 * Ray-cast ambient occlusion, the ground truth every other AO is measured against (the neural AO
 * in network.ts, the screen-space GTAO baseline in gtao.ts): for each pixel, rebuild the world position from depth, then cast
 * cosine-weighted hemisphere rays (Hammersley points, rotated per pixel) against the analytic scene
 * and count those that travel `aoDistance` unblocked. AO = that fraction, in [0, 1] (1 = open).
 * The pixel's own object is skipped: every primitive is convex, so a ray leaving its surface on the
 * outer side never meets it again, and mesh-vs-analytic differences cannot self-shadow.
 */
import { computePipeline, encodeImagePass, FRAME_WGSL } from './common.js';
import { PRIMS_WGSL } from './prims.js';

/**
 * Where the surface point comes from: 'depth' unprojects the raster pass's depth32float texture;
 * 'ray' (after the compute G-buffer, which has no depth texture: depth formats are not
 * storage-writable, and a fifth storage texture would pass the default limit of four) casts the
 * pixel's primary ray again, the same closest_hit the G-buffer used, at full f32 precision.
 */
export type RayCastPosition = 'depth' | 'ray';

const wgsl = (from: RayCastPosition) => FRAME_WGSL + PRIMS_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
${from === 'depth' ? '@group(0) @binding(1) var depthTex: texture_depth_2d;' : ''}
@group(0) @binding(2) var normalTex: texture_2d<f32>;
@group(0) @binding(3) var albedoTex: texture_2d<f32>;
@group(0) @binding(4) var<storage, read> prims: array<Prim>;
@group(0) @binding(5) var aoOut: texture_storage_2d<r32float, write>;

fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let self_id = u32(round(textureLoad(albedoTex, pix, 0).a * 255.0));
  if (self_id == 0u) { textureStore(aoOut, pix, vec4f(1.0)); return; }
  ${from === 'depth' ? `let uv = (vec2f(g.xy) + 0.5) / vec2f(dims);
  var vp = F.invProj * vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, textureLoad(depthTex, pix, 0), 1.0);
  vp = vp / vp.w;
  let wp = (F.invView * vec4f(vp.xyz, 1.0)).xyz;` : `let cr = camera_ray(g.xy, dims);
  let wp = cr.o + cr.d * closest_hit(cr.o, cr.d, cr.tmin, cr.tmax).t;`}
  let n = normalize((F.invView * vec4f(textureLoad(normalTex, pix, 0).xyz, 0.0)).xyz);
  let up = select(vec3f(0.0, 1.0, 0.0), vec3f(1.0, 0.0, 0.0), abs(n.y) > 0.9);
  let t = normalize(cross(up, n));
  let b = cross(n, t);
  let o = wp + n * 1e-3;
  let rays = u32(F.ao.y);
  let h0 = pcg(g.x + pcg(g.y + pcg(u32(F.ao.z))));
  let jitter = vec2f(f32(h0), f32(pcg(h0))) * 2.3283064365386963e-10;
  let count = arrayLength(&prims);
  var open = 0u;
  for (var i = 0u; i < rays; i++) {
    let u = fract(vec2f((f32(i) + 0.5) / f32(rays), f32(reverseBits(i)) * 2.3283064365386963e-10) + jitter);
    let r = sqrt(u.x);
    let phi = 6.283185307179586 * u.y;
    let d = normalize(t * (r * cos(phi)) + b * (r * sin(phi)) + n * sqrt(max(0.0, 1.0 - u.x)));
    var blocked = false;
    for (var j = 0u; j < count; j++) {
      if (j + 1u == self_id) { continue; }
      if (hits(prims[j], o, d, F.ao.x)) { blocked = true; break; }
    }
    if (!blocked) { open++; }
  }
  textureStore(aoOut, pix, vec4f(f32(open) / f32(max(rays, 1u))));
}`;

export const rayCastAOPipeline = (device: GPUDevice, from: RayCastPosition = 'depth') =>
  computePipeline(device, from === 'depth' ? 'wgml demo ray-cast AO' : 'wgml demo ray-cast AO (ray-cast position)', wgsl(from));

export function encodeRayCastAO(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeImagePass(encoder, 'wgml demo ray-cast AO', pipeline, bindGroup, width, height, timestampWrites);
}
