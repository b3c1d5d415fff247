/**
 * GTAO, the screen-space ambient occlusion games ship, as the classic baseline beside the neural AO:
 * Jimenez, Wu, Pesce, Jarabo 2016, "Practical Realtime Strategies for Accurate Indirect Occlusion",
 * in the form of Intel's XeGTAO (MIT): per pixel, a few slices through the view vector (turned uniformly
 * about it, each walked along the screen line it projects to);
 * along each, the highest horizon within the AO radius on both sides (depth buffer samples); then the
 * slice's cosine-weighted visible arc in closed form, weighted by the length of the normal projected
 * into the slice. Unoccluded surfaces integrate to exactly 1, as the ray-cast AO does, and the radius
 * is the ray-cast AO's distance, so the two measure the same quantity.
 *
 * Two passes: the horizon search at full resolution with a 4×4 interleaved pattern of slice rotations
 * and step offsets (16 pixels cover 16 rotations), then a depth- and normal-aware 4×4 average that
 * cancels the pattern (XeGTAO's denoise does the same job). Reads only the G-buffer's view normal and
 * linear depth (rgba16float, the network's input too): nothing of the scene the screen does not show.
 */
import { computePipeline, FRAME_WGSL, groups8 } from './common.js';

/** Slices per pixel and samples per side of each slice (XeGTAO's "high" preset is 3 × 3; this is finer). */
export const GTAO_SLICES = 4;
export const GTAO_STEPS = 6;
/** The last fraction of the radius over which an occluder's weight falls to 0 (the ray-cast AO cuts off sharply). */
export const GTAO_FALLOFF = 0.2;

/** The 4×4 ordered-dither matrix the slice rotation and step offset are drawn from (values 0..15). */
export const BAYER4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

/** View-space helpers over the frame uniforms `F` (declared by the including shader). */
export const VIEW_WGSL = /* wgsl */ `
const PI = 3.141592653589793;
const HALF_PI = 1.5707963267948966;

// View-space position of the pixel centre p (pixels) at linear depth z, exact for demo/math.ts perspective().
fn view_pos(p: vec2f, z: f32, dims: vec2f) -> vec3f {
  let ndc = vec2f(p.x / dims.x * 2.0 - 1.0, 1.0 - p.y / dims.y * 2.0);
  return vec3f(ndc.x * z / F.proj[0][0], ndc.y * z / F.proj[1][1], -z);
}
fn is_sky(g: vec4f) -> bool { return dot(g.xyz, g.xyz) < 0.25; }
// Pixel coordinates (x right, y down) of a view-space point in front of the camera.
fn to_pixel(q: vec3f, dims: vec2f) -> vec2f {
  let ndc = vec2f(q.x * F.proj[0][0], q.y * F.proj[1][1]) / -q.z;
  return vec2f((ndc.x + 1.0) * 0.5 * dims.x, (1.0 - ndc.y) * 0.5 * dims.y);
}
`;

const COMMON = FRAME_WGSL + /* wgsl */ `
@group(0) @binding(0) var<uniform> F: Frame;
@group(0) @binding(1) var normalTex: texture_2d<f32>;
` + VIEW_WGSL;

/**
 * The horizon search for one pixel centre `pc` (pixels of a `dims` image) with G-buffer value `g0` (not sky),
 * its slice rotation and step offset drawn from 4×4 pattern cell `cell`: the slices' visible fraction, noisy
 * by the pattern. Needs `F`, `normalTex` and `depthSampler` declared by the including shader; shared by
 * the full-resolution GTAO pass and the neural AO's input grid (network.ts), which feeds it to a model as a channel.
 *
 * `radii` are fractions of the AO distance: one search (the same taps, the costly part) keeps a horizon pair per
 * radius and returns the visibility within each (f32 for one radius, vecN otherwise). Several radii tell a model
 * how far the occluders GTAO found are, which one integral over the whole radius does not.
 */
export function gtaoVisibilityWgsl(name: string, radii: readonly number[] = [1]): string {
  if (radii.length < 1 || radii.length > 4 || radii.some((r) => !(r > 0 && r <= 1))) throw new RangeError(`gtaoVisibilityWgsl: radii ${radii.join(', ')}: 1 to 4 fractions in (0, 1]`);
  const T = radii.length === 1 ? 'f32' : `vec${radii.length}f`;
  const fr = radii.map((r) => r.toFixed(6)).join(', ');
  return /* wgsl */ `
const GTAO_BAYER = array<u32, 16>(${BAYER4.join('u, ')}u);
fn ${name}(pc: vec2f, dims: vec2f, g0: vec4f, cell: u32) -> ${T} {
  let z = g0.w * F.ao.w;
  let P = view_pos(pc, z, dims);
  let V = normalize(-P);
  let N = normalize(g0.xyz);
  let R = F.ao.x;
  let Rr = R * ${T}(${fr});
  // The radius in pixels at this depth (vertical focal length × R / z).
  let radiusPx = R * F.proj[1][1] * 0.5 * dims.y / z;
  if (radiusPx < 1.0) { return ${T}(1.0); }
  let noiseSlice = (f32(GTAO_BAYER[cell]) + 0.5) / 16.0;
  let noiseStep = (f32(GTAO_BAYER[(cell * 7u + 5u) & 15u]) + 0.5) / 16.0;
  var visibility = ${T}(0.0);
  // Slices turn uniformly about V (the closed-form integral is exact for that, not for directions
  // uniform on the screen, which off the image centre undercount by up to 5%): basis T1, T2 ⟂ V.
  let T1 = normalize(vec3f(V.z, 0.0, -V.x));
  let T2 = cross(V, T1);
  let pix0 = to_pixel(P, dims);
  for (var s = 0u; s < ${GTAO_SLICES}u; s++) {
    let phi = (f32(s) + noiseSlice) * PI / ${GTAO_SLICES}.0;
    let ortho = cos(phi) * T1 + sin(phi) * T2;
    // The screen line through the pixel along which P + t·ortho projects: its samples lie in the slice plane (V, ortho).
    let omega = normalize(to_pixel(P + ortho * (0.01 * z), dims) - pix0);
    let axis = normalize(cross(ortho, V));
    let projN = N - axis * dot(N, axis);
    let projLen = length(projN);
    if (projLen < 1e-4) { continue; }
    let cosN = clamp(dot(projN, V) / projLen, 0.0, 1.0);
    let n = sign(dot(ortho, projN)) * acos(cosN);
    let low0 = ${T}(cos(n + HALF_PI));
    let low1 = ${T}(cos(n - HALF_PI));
    var hc0 = low0;
    var hc1 = low1;
    for (var j = 0u; j < ${GTAO_STEPS}u; j++) {
      var t = (f32(j) + noiseStep) / ${GTAO_STEPS}.0;
      t = t * t;
      let off = omega * max(t * radiusPx, f32(j) + 1.0);
      for (var side = 0u; side < 2u; side++) {
        let sp = pc + select(-off, off, side == 0u);
        if (sp.x < 0.0 || sp.y < 0.0 || sp.x >= dims.x || sp.y >= dims.y) { continue; }
        // Filtered depth exactly on the slice's screen line: a pixel centre beside the line is a point
        // beside the slice plane, whose elevation would read as a false horizon on flat ground.
        let gs = textureSampleLevel(normalTex, depthSampler, sp / dims, 0.0);
        if (is_sky(gs)) { continue; }
        let delta = view_pos(sp, gs.w * F.ao.w, dims) - P;
        let dist = length(delta);
        if (dist < 1e-6) { continue; }
        let w = clamp((Rr - dist) / (${GTAO_FALLOFF} * Rr), ${T}(0.0), ${T}(1.0));
        if (side == 0u) { hc0 = max(hc0, mix(low0, ${T}(dot(delta / dist, V)), w)); }
        else { hc1 = max(hc1, mix(low1, ${T}(dot(delta / dist, V)), w)); }
      }
    }
    var h0 = -acos(clamp(hc1, ${T}(-1.0), ${T}(1.0)));
    var h1 = acos(clamp(hc0, ${T}(-1.0), ${T}(1.0)));
    h0 = n + clamp(h0 - n, ${T}(-HALF_PI), ${T}(HALF_PI));
    h1 = n + clamp(h1 - n, ${T}(-HALF_PI), ${T}(HALF_PI));
    let a0 = cosN + 2.0 * h0 * sin(n) - cos(2.0 * h0 - n);
    let a1 = cosN + 2.0 * h1 * sin(n) - cos(2.0 * h1 - n);
    visibility += projLen * 0.25 * (a0 + a1);
  }
  return clamp(visibility / ${GTAO_SLICES}.0, ${T}(0.0), ${T}(1.0));
}`;
}

/** The one-radius search as `gtao_visibility(pc, dims, g0, cell) -> f32` (the GTAO pass's, and 5-channel models'). */
export const GTAO_VISIBILITY_WGSL = gtaoVisibilityWgsl('gtao_visibility');

const MAIN = COMMON + GTAO_VISIBILITY_WGSL + /* wgsl */ `
@group(0) @binding(2) var rawOut: texture_storage_2d<r32float, write>;
@group(0) @binding(3) var depthSampler: sampler;

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let idims = textureDimensions(normalTex);
  if (gid.x >= idims.x || gid.y >= idims.y) { return; }
  let pix = vec2i(gid.xy);
  let g0 = textureLoad(normalTex, pix, 0);
  if (is_sky(g0)) { textureStore(rawOut, pix, vec4f(1.0)); return; }
  let cell = (gid.y & 3u) * 4u + (gid.x & 3u);
  textureStore(rawOut, pix, vec4f(gtao_visibility(vec2f(gid.xy) + 0.5, vec2f(idims), g0, cell)));
}`;

/** Relative depth difference at which a neighbour's weight in the 4×4 average falls to 1/e. */
export const GTAO_DENOISE_DEPTH = 0.02;

const DENOISE = COMMON + /* wgsl */ `
@group(0) @binding(2) var rawTex: texture_2d<f32>;
@group(0) @binding(3) var aoOut: texture_storage_2d<r32float, write>;

@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let idims = textureDimensions(normalTex);
  if (gid.x >= idims.x || gid.y >= idims.y) { return; }
  let pix = vec2i(gid.xy);
  let g0 = textureLoad(normalTex, pix, 0);
  if (is_sky(g0)) { textureStore(aoOut, pix, vec4f(1.0)); return; }
  var sum = 0.0;
  var wsum = 0.0;
  // The 4×4 block of offsets -1..2 holds each cell of the 4×4 pattern once.
  for (var dy = -1; dy <= 2; dy++) {
    for (var dx = -1; dx <= 2; dx++) {
      let q = clamp(pix + vec2i(dx, dy), vec2i(0), vec2i(idims) - 1);
      let gq = textureLoad(normalTex, q, 0);
      if (is_sky(gq)) { continue; }
      let rel = (gq.w - g0.w) / (${GTAO_DENOISE_DEPTH} * g0.w);
      let w = exp(-rel * rel) * max(dot(gq.xyz, g0.xyz), 0.0);
      sum += w * textureLoad(rawTex, q, 0).r;
      wsum += w;
    }
  }
  textureStore(aoOut, pix, vec4f(select(textureLoad(rawTex, pix, 0).r, sum / wsum, wsum > 1e-6)));
}`;

export interface GtaoPass {
  /** The horizon search's noisy output (r32float), kept for tests and inspection. */
  raw: GPUTexture;
  main: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  denoise: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  destroy(): void;
}

/** GTAO over a G-buffer's normal + depth texture into `ao` (r32float storage), with the frame's uniforms. */
export async function createGtaoPass(device: GPUDevice, normal: GPUTexture, ao: GPUTexture, uniforms: GPUBuffer): Promise<GtaoPass> {
  const [mp, dp] = await Promise.all([computePipeline(device, 'wgml demo GTAO', MAIN), computePipeline(device, 'wgml demo GTAO denoise', DENOISE)]);
  const raw = device.createTexture({ label: 'wgml demo GTAO raw', size: { width: normal.width, height: normal.height }, format: 'r32float',
    usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC });
  const v = (t: GPUTexture) => t.createView({ label: `${t.label} view` });
  return {
    raw,
    main: { pipeline: mp, bindGroup: device.createBindGroup({ label: 'wgml demo GTAO', layout: mp.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: v(normal) }, { binding: 2, resource: v(raw) },
      { binding: 3, resource: device.createSampler({ label: 'wgml demo GTAO depth (bilinear, clamped)', magFilter: 'linear', minFilter: 'linear' }) }] }) },
    // The denoise reads no uniforms ('auto' layouts hold only what a shader uses).
    denoise: { pipeline: dp, bindGroup: device.createBindGroup({ label: 'wgml demo GTAO denoise', layout: dp.getBindGroupLayout(0), entries: [
      { binding: 1, resource: v(normal) }, { binding: 2, resource: v(raw) }, { binding: 3, resource: v(ao) }] }) },
    destroy() { raw.destroy(); },
  };
}

/** Both GTAO dispatches in one compute pass (one timestamp pair: the cost of the whole effect). */
export function encodeGtao(encoder: GPUCommandEncoder, g: GtaoPass, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass({ label: 'wgml demo GTAO', ...(timestampWrites ? { timestampWrites } : {}) });
  for (const step of [g.main, g.denoise]) {
    pass.setPipeline(step.pipeline);
    pass.setBindGroup(0, step.bindGroup);
    pass.dispatchWorkgroups(...groups8(width, height));
  }
  pass.end();
}

