// How much of the ray-cast AO comes from occluders a screen-space method cannot see, on the evaluation's views.
// Every blocked ray of the reference AO (same rays as raycast-ao.ts) is classified by where its first
// occluder point q lies as seen from the camera:
//   vis      q is on screen and is the first surface along the camera ray to it (layer 1: the G-buffer)
//   guard    the same, but in the guard band around the frame (GUARD px at this size)
//   l2front  hidden in layer 1, but the first front-facing surface at least DELTA behind layer 1 (a depth-peeled
//            second layer, as in Mara et al. 2016, "Deep G-Buffers for Stable Global Illumination Approximation")
//   l2any    hidden in layer 1, but the first surface of any facing at least DELTA behind it (back faces count:
//            the visible object's thickness)
//   off      outside the frame and guard band (or behind the camera)
// and the AO a method would compute from each set of layers if it knew them exactly (occluders elsewhere
// counted open) is scored against the reference (PSNR over surface pixels, mean of per-view values).
// A method that sees layer 1 can still infer some hidden geometry, so these say how much there is to infer.
//   node bench/ao/hidden-occluders.mjs [--size 480x270] [--guard 16] [--delta 0.2] [--rays 256] [--views 4] [--random 4]
import { parseArgs } from 'node:util';
import { requestDevice } from '../../dist/gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame } from '../../dist/demo/frame.js';
import { computePipeline, encodeImagePass, FRAME_WGSL } from '../../dist/demo/common.js';
import { PRIMS_WGSL } from '../../dist/demo/prims.js';
import { SHOWCASE_MATERIALS, showcaseCamera, showcaseScene } from '../../dist/demo/showcase.js';
import { loadMaterialSet } from '../../dist/demo/materials-node.js';
import { randomArchCameras, randomArchScene } from '../../dist/demo/random-arch.js';
import { EVAL_SEED_BASE } from '../../dist/demo/evaluate.js';

const { values: a } = parseArgs({ options: { size: { type: 'string', default: '480x270' }, guard: { type: 'string', default: '16' }, delta: { type: 'string', default: '0.2' },
  rays: { type: 'string', default: '256' }, views: { type: 'string', default: '4' }, random: { type: 'string', default: '4' } } });
const [W, H] = a.size.split('x').map(Number);
const K = 8; // open, vis, guard, l2front, l2any, off, hidden behind layer 1 (all), l2front or l2any
const wgsl = FRAME_WGSL + PRIMS_WGSL + /* wgsl */ `
struct G { guard: f32, delta: f32, rays: u32, _p: u32 }
@group(0) @binding(0) var<uniform> F: Frame;
@group(0) @binding(1) var normalTex: texture_2d<f32>;
@group(0) @binding(2) var albedoTex: texture_2d<f32>;
@group(0) @binding(3) var<storage, read> prims: array<Prim>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;
@group(0) @binding(5) var<uniform> U: G;

fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
// The reference's occluder test (hits, infinite floor), returning the nearest such t instead of any.
fn block_t(p: Prim, o: vec3f, d: vec3f, tmax: f32) -> f32 {
  if (p.kind == 0u) {
    if (d.y >= 0.0) { return -1.0; }
    let t = (p.center.y - o.y) / d.y;
    return select(-1.0, t, t > 0.0 && t < tmax);
  }
  if (!near_bound(p, o, d, tmax)) { return -1.0; }
  let s = prim_span(p, o, d);
  if (s.y >= max(s.x, 0.0) && s.x < tmax) { return max(s.x, 0.0); }
  return -1.0;
}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let base = (g.y * dims.x + g.x) * ${K}u;
  let self_id = u32(round(textureLoad(albedoTex, pix, 0).a * 255.0));
  if (self_id == 0u) { return; }
  let cr = camera_ray(g.xy, dims);
  let wp = cr.o + cr.d * closest_hit(cr.o, cr.d, cr.tmin, cr.tmax).t;
  let n = normalize((F.invView * vec4f(textureLoad(normalTex, pix, 0).xyz, 0.0)).xyz);
  let up = select(vec3f(0.0, 1.0, 0.0), vec3f(1.0, 0.0, 0.0), abs(n.y) > 0.9);
  let t = normalize(cross(up, n));
  let b = cross(n, t);
  let o = wp + n * 1e-3;
  let rays = U.rays;
  let h0 = pcg(g.x + pcg(g.y + pcg(u32(F.ao.z))));
  let jitter = vec2f(f32(h0), f32(pcg(h0))) * 2.3283064365386963e-10;
  var c: array<u32, ${K}>;
  for (var i = 0u; i < rays; i++) {
    let u = fract(vec2f((f32(i) + 0.5) / f32(rays), f32(reverseBits(i)) * 2.3283064365386963e-10) + jitter);
    let r = sqrt(u.x);
    let phi = 6.283185307179586 * u.y;
    let d = normalize(t * (r * cos(phi)) + b * (r * sin(phi)) + n * sqrt(max(0.0, 1.0 - u.x)));
    var tb = F.ao.x;
    for (var j = 0u; j < arrayLength(&prims); j++) {
      if (j + 1u == self_id) { continue; }
      let tj = block_t(prims[j], o, d, tb);
      if (tj >= 0.0 && tj < tb) { tb = tj; }
    }
    if (tb >= F.ao.x) { c[0]++; continue; }
    let q = o + d * tb;
    let vq = (F.view * vec4f(q, 1.0)).xyz;
    let clip = F.proj * vec4f(vq, 1.0);
    let px = vec2f((clip.x / clip.w + 1.0) * 0.5 * f32(dims.x), (1.0 - clip.y / clip.w) * 0.5 * f32(dims.y));
    let inside = all(px >= vec2f(0.0)) && all(px < vec2f(dims));
    let inGuard = all(px >= vec2f(-U.guard)) && all(px < vec2f(dims) + U.guard);
    if (-vq.z <= F.near || !inGuard) { c[5]++; continue; }
    let v = q - cr.o;
    let dist = length(v);
    let dir = v / dist;
    let eps = 1e-4 * dist + 1e-4;
    let h1 = closest_hit(cr.o, dir, 0.0, dist - eps);
    if (h1.prim == 0u) { c[select(2u, 1u, inside)]++; continue; }
    let tf = nearest_front(cr.o, dir, h1.t + U.delta, dist + eps);
    let h2 = closest_hit(cr.o, dir, h1.t + U.delta, dist + eps);
    let front = tf >= dist - eps;
    let any = h2.prim != 0u && h2.t >= dist - eps;
    c[6]++;
    if (front) { c[3]++; }
    if (any) { c[4]++; }
    if (front || any) { c[7]++; }
  }
  for (var k = 0u; k < ${K}u; k++) { counts[base + k] = c[k]; }
}`;

const device = await requestDevice({ quiet: true });
const materials = loadMaterialSet(SHOWCASE_MATERIALS);
const pipe = await computePipeline(device, 'hidden occluders', wgsl);
const jobs = [];
for (let i = 0; i < Number(a.views); i++) jobs.push({ name: `showcase t=${((i + 0.5) / Number(a.views)).toFixed(3)}`, scene: showcaseScene(), camera: showcaseCamera((i + 0.5) / Number(a.views)), materials });
for (let i = 0; i < Number(a.random); i++) {
  const seed = EVAL_SEED_BASE + i, arch = randomArchScene(seed), camera = randomArchCameras(arch, seed, 1)[0];
  if (camera) jobs.push({ name: `random seed ${seed}`, scene: arch.scene, camera });
}
const names = ['L1 (screen)', 'L1 + guard', 'L1 + guard + L2 front', 'L1 + guard + L2 any', 'L1 + guard + both'];
const sums = names.map(() => []);
const shares = [];
for (const job of jobs) {
  const t0 = performance.now();
  const state = await createFrameState(device, { width: W, height: H, scene: job.scene, camera: job.camera, ao: 'none', gbuffer: 'compute', materials: job.materials, lighting: { aoRays: Number(a.rays) } });
  const out = device.createBuffer({ label: 'counts', size: W * H * K * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const u = device.createBuffer({ label: 'params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(u, 0, new Float32Array([Number(a.guard), Number(a.delta), 0, 0]));
  device.queue.writeBuffer(u, 8, new Uint32Array([Number(a.rays)]));
  const group = device.createBindGroup({ label: 'hidden occluders', layout: pipe.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: state.uniforms } }, { binding: 1, resource: state.gbuffer.normal.createView() }, { binding: 2, resource: state.gbuffer.albedo.createView() },
    { binding: 3, resource: { buffer: state.prims } }, { binding: 4, resource: { buffer: out } }, { binding: 5, resource: { buffer: u } }] });
  const enc = device.createCommandEncoder();
  encodeFrame(enc, state);
  encodeImagePass(enc, 'hidden occluders', pipe, group, W, H);
  const rb = device.createBuffer({ size: W * H * K * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  enc.copyBufferToBuffer(out, 0, rb, 0, W * H * K * 4);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const cnt = new Uint32Array(rb.getMappedRange().slice(0));
  rb.unmap();
  const se = names.map(() => 0), tot = new Array(K).fill(0);
  let px = 0;
  for (let p = 0; p < W * H; p++) {
    const c = cnt.subarray(p * K, p * K + K);
    const N = Number(a.rays);
    if (c.every((x) => x === 0)) continue;
    px++;
    for (let k = 0; k < K; k++) tot[k] += c[k];
    const truth = c[0] / N;
    // Blocked rays a method sees with each set of layers; the others it would count open.
    const seen = [c[1], c[1] + c[2], c[1] + c[2] + c[3], c[1] + c[2] + c[4], c[1] + c[2] + c[7]];
    seen.forEach((s, k) => { se[k] += (1 - s / N - truth) ** 2; });
  }
  const psnr = se.map((s) => -10 * Math.log10(Math.max(s / px, 1e-12)));
  psnr.forEach((v, k) => sums[k].push(v));
  const blocked = tot[1] + tot[2] + tot[5] + tot[6];
  shares.push(tot);
  console.log(`${job.name}: ${px} surface px; blocked rays: vis ${(tot[1] / blocked * 100).toFixed(1)}%, guard ${(tot[2] / blocked * 100).toFixed(1)}%, L2 front ${(tot[3] / blocked * 100).toFixed(1)}%, L2 any ${(tot[4] / blocked * 100).toFixed(1)}%, off ${(tot[5] / blocked * 100).toFixed(1)}%, hidden in neither ${((tot[6] - tot[7]) / blocked * 100).toFixed(1)}%; AO PSNR ${names.map((nm, k) => `${nm} ${psnr[k].toFixed(2)}`).join(', ')} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
  out.destroy(); u.destroy(); rb.destroy();
  destroyFrameState(state);
}
const mean = (v) => v.reduce((x, y) => x + y, 0) / v.length;
console.log(`mean of ${jobs.length} views (${W}x${H}, guard ${a.guard} px, delta ${a.delta}, ${a.rays} rays): ${names.map((nm, k) => `${nm} ${mean(sums[k]).toFixed(2)} dB`).join(', ')}`);
device.destroy();
