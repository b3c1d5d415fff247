/**
 * Decode cost of real materials: a 3840×2160 material decoded at every pixel through loadMaterial +
 * materialWgsl (`<name>(p)`, as render-material's compute shading does) and shaded (Blinn-Phong with
 * the decoded normal, as bench.ts does), one compute pass, median of timestamp queries. Variants are
 * ladder shapes (ladder.ts) with random codes and a random leaky-ReLU decoder, loaded as loadMaterial
 * loads them by default (every grid on rgba8unorm textures, 2/4-bit codes expanded to bytes: what
 * ships) or, with a `-packed` suffix, with `latents: 'packed'` (2/4-bit codes packed in integer
 * texels, unpacked and filtered in the shader), or with `-balanced`, `latents: 'balanced'` (the finest grid packed).
 * Run: `node dist/shaderml/material/decode-bench.js [width height reps [variants…]]`, variants like
 * `s2f12b2-f32`, `s2f12b2-int8`, `s2f12b2-f32-packed`, `s2f4b8-f32` (scale, features, bits, precision[, packed or balanced]).
 * A `-uv` suffix decodes through `mat_uv(uv, 0)` (sampler-filtered, what a fragment shader calls)
 * instead of `mat(p)` (texel addressing, textureLoad + bilinear in the shader). A last `-p2` or `-p4` gives the
 * decoder that position input (position.ts) instead of u, v. A last `-c2`, `-c4`, `-c5`, `-c6`, `-c12` or `-c16` gives
 * the decoder that many outputs (a lone normal map, two normal maps, albedo + normal, albedo + normal + a scalar; and
 * past the 8 the ladder's budget is set for, four or six textures more) instead of 8 (albedo, normal, colour specular),
 * as decode-cost.ts's model reckons a material's cost by its outputs.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestDevice, deviceInfo } from '../../gpu/device.js';
import { flattenWgsl } from '../../gpu/wgsl.js';
import { ShaderMLP } from '../mlp.js';
import { encodeWgmat, loadMaterial, materialWgsl } from './wgmat.js';
import type { TextureTarget } from './textures.js';
import { featuresOf } from './kernels.js';
import { parseRung, type Rung } from './search.js';
import { gridBytes } from './train.js';
import { gridLayout, levelBytes, type LatentStorage } from './upload.js';
import { positionCount, type PositionInput } from './position.js';

const albedo: TextureTarget = { name: 'albedo', kind: 'color', channels: 3, alpha: false };
const normal: TextureTarget = { name: 'normal', kind: 'normal', channels: 2, alpha: false };
function scalars(...names: string[]): TextureTarget[] { return names.map((name) => ({ name, kind: 'scalar', channels: 1, alpha: false })); }

/**
 * Materials by decoder outputs (a `-c<N>` suffix; 8 without): which textures, and where the shading reads albedo, the
 * normal's x, y and roughness (a constant where the material has none), so every variant shades alike.
 */
const MATERIALS: Record<number, { textures: TextureTarget[]; albedo?: number; normal: number; rough?: number }> = {
  2: { textures: [normal], normal: 0 },
  4: { textures: [normal, { ...normal, name: 'detail_normal' }], normal: 0 },
  5: { textures: [albedo, normal], albedo: 0, normal: 3 },
  6: { textures: [albedo, normal, { name: 'spec', kind: 'scalar', channels: 1, alpha: false }], albedo: 0, normal: 3, rough: 5 },
  8: { textures: [albedo, normal, { name: 'spec', kind: 'color', channels: 3, alpha: false }], albedo: 0, normal: 3, rough: 5 },
  12: { textures: [albedo, normal, { name: 'spec', kind: 'color', channels: 3, alpha: false }, ...scalars('roughness', 'metallic', 'ao', 'height')], albedo: 0, normal: 3, rough: 8 },
  16: { textures: [albedo, normal, { name: 'spec', kind: 'color', channels: 3, alpha: false }, ...scalars('roughness', 'metallic', 'ao', 'height'), { ...albedo, name: 'emissive' }, ...scalars('opacity')], albedo: 0, normal: 3, rough: 8 },
};

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const W = Number(args[0] ?? 3840), H = Number(args[1] ?? 2160), reps = Number(args[2] ?? 50);
  const names = args.length > 3 ? args.slice(3) : ['s2f4b8-f32', 's2f4b8-int8', 's2f12b2-f32', 's2f12b2-int8', 's2f12b2-f32-packed', 's2f12b2-int8-packed'];
  const device = await requestDevice({ quiet: true });
  const info = deviceInfo(device);
  console.log(`device: ${info.adapter.description || info.adapter.device}; ${W}×${H}, median of ${reps}, decode + shade at every pixel; latents expanded (the default, what ships), packed (latents: 'packed') or balanced (the finest grid packed)`);
  const hasTs = device.features.has('timestamp-query');
  for (const name of names) {
    // One grid (s2f12b2) or several joined by + (s1f1b2+s2f8b2: grid 0 first), named as the ladder names rungs.
    const m = /^([^-]+)-(f32|int8)(-packed|-balanced)?(-uv)?(?:-(p2|p4))?(?:-c(\d+))?$/.exec(name);
    let rung: Rung | undefined;
    try { rung = m ? parseRung(m[1]!) : undefined; } catch (e) { console.log(`${name}: ${(e as Error).message}`); continue; }
    const mat8 = MATERIALS[Number(m?.[6] ?? 8)];
    if (!m || !rung || !mat8) { console.log(`${name}: not a variant (s<scale>f<features>b<bits>[+…]-f32|int8[-packed|-balanced][-uv][-p2|-p4][-c2|-c4|-c5|-c6|-c12|-c16])`); continue; }
    const C = mat8.textures.reduce((a, t) => a + t.channels, 0);
    const precision = m[2] as 'f32' | 'int8', storage = (m[3]?.slice(1) ?? 'expanded') as LatentStorage;
    let s = 12345;
    const grids = rung.grids.map(({ scale, features, bits, concat }) => {
      const lw = Math.ceil(W / scale), lh = Math.ceil(H / scale), latents = new Uint8Array(lw * lh * features);
      for (let i = 0; i < latents.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; latents[i] = s & ((1 << bits) - 1); }
      return { lw, lh, features, bits, latents, ...(concat ? { concat } : {}) };
    });
    const [first, ...coarse] = grids, F = featuresOf({ grids });
    const position: PositionInput = (m[5] as PositionInput | undefined) ?? 'uv';
    const decoder = ShaderMLP.random([F + positionCount(position), rung.hidden, rung.hidden, C], ['leaky_relu', 'leaky_relu', 'none'], 7, 0.5);
    const mat = loadMaterial(device, encodeWgmat({ width: W, height: H, lw: first!.lw, lh: first!.lh, features: first!.features, latents: first!.latents, decoder, position, ...(first!.bits !== 8 ? { bits: first!.bits } : {}), ...(first!.concat ? { concat: true } : {}), ...(coarse.length ? { coarse } : {}) }, mat8.textures), { latents: storage });
    const a = mat8.albedo, n = mat8.normal, r = mat8.rough;
    // A renderer reads every output (emissive, AO, metalness…); the shade here reads albedo, normal and roughness, so
    // the rest go into the colour with a small weight, or the compiler drops their last-layer work (until 2026-12-06
    // it did: 8, 12 and 16 outputs timed alike, bench/materials-2026-12-06-heada-h100).
    const read = new Set([...(a === undefined ? [] : [a, a + 1, a + 2]), n, n + 1, ...(r === undefined ? [] : [r])]);
    const rest = Array.from({ length: C }, (_, k) => k).filter((k) => !read.has(k));
    const dec = materialWgsl(mat, 'mat', 1, 0, device, { precision });
    const lib = flattenWgsl(dec.module);
    const code = `${lib.enables.map((e) => `enable ${e};`).join('\n')}
@group(0) @binding(0) var<storage, read_write> LIT: array<u32>;
${lib.code}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= ${W}u || g.y >= ${H}u) { return; }
  let y = ${m[4] ? `mat_uv((vec2<f32>(g.xy) + 0.5) / vec2(${W}.0, ${H}.0), 0.0)` : 'mat(g.xy)'};
  let alb = ${a === undefined ? 'vec3(0.6)' : `clamp(vec3(y[${a}], y[${a + 1}], y[${a + 2}]), vec3(0.0), vec3(1.0))`};
  let ts = clamp(vec2(y[${n}], y[${n + 1}]), vec2(0.0), vec2(1.0)) * 2.0 - 1.0;
  let n = vec3(ts, sqrt(max(0.0, 1.0 - dot(ts, ts))));
  let l = vec3(0.4, 0.5, 0.7681146); let h = normalize(l + vec3(0.0, 0.0, 1.0));
  let r = ${r === undefined ? '0.5' : `clamp(y[${r}], 0.02, 1.0)`};
  let spec = pow(max(dot(n, h), 0.0), mix(256.0, 4.0, r)) * (1.0 - r) * 0.6;
  let rest = ${rest.length ? rest.map((k) => `y[${k}]`).join(' + ') : '0.0'};
  LIT[g.y * ${W}u + g.x] = pack4x8unorm(vec4(clamp(alb * (0.08 + 0.92 * max(dot(n, l), 0.0)) + vec3(spec + 0.001 * rest), vec3(0.0), vec3(1.0)), 1.0));
}`;
    const lit = device.createBuffer({ label: 'decode-bench lit', size: W * H * 4, usage: GPUBufferUsage.STORAGE });
    const l0 = device.createBindGroupLayout({ label: 'decode-bench out', entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
    const l1 = device.createBindGroupLayout({ label: 'decode-bench material', entries: dec.layoutEntries(GPUShaderStage.COMPUTE) });
    device.pushErrorScope('validation');
    const pipe = await device.createComputePipelineAsync({ label: `decode-bench ${name}`, layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ label: name, code }), entryPoint: 'main' } });
    const g0 = device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: lit } }] }), g1 = device.createBindGroup({ layout: l1, entries: dec.bindGroupEntries(device) });
    const qs = hasTs ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
    const qb = device.createBuffer({ label: 'decode-bench queries', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const rb = device.createBuffer({ label: 'decode-bench readback', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const times: number[] = [];
    // Warm-up: ~0.3 s of back-to-back decodes first, so the GPU's clocks are up before the timed passes (one
    // H200 run timed the first variant at 0.52 ms and later ones 2-5x slower than the same shapes a day before).
    for (const t0 = performance.now(); performance.now() - t0 < 300;) {
      const enc = device.createCommandEncoder(), pass = enc.beginComputePass();
      pass.setPipeline(pipe); pass.setBindGroup(0, g0); pass.setBindGroup(1, g1);
      for (let i = 0; i < 8; i++) pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8));
      pass.end(); device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    }
    for (let k = 0; k < reps + 3; k++) {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
      pass.setPipeline(pipe); pass.setBindGroup(0, g0); pass.setBindGroup(1, g1); pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8)); pass.end();
      if (qs) { enc.resolveQuerySet(qs, 0, 2, qb, 0); enc.copyBufferToBuffer(qb, 0, rb, 0, 16); }
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      if (qs) {
        await rb.mapAsync(GPUMapMode.READ);
        const ts = new BigUint64Array(rb.getMappedRange().slice(0));
        rb.unmap();
        if (k >= 3) times.push(Number(ts[1]! - ts[0]!) / 1e6);
      } else { await device.queue.onSubmittedWorkDone(); if (k >= 3) times.push(performance.now() - t0); }
    }
    const err = await device.popErrorScope();
    times.sort((a, b) => a - b);
    const gpuBytes = grids.reduce((a, g, i) => a + levelBytes(g, g.lw, g.lh, gridLayout(g, storage, i)), 0);
    console.log(`${name.padEnd(21)} ${times[times.length >> 1]!.toFixed(3).padStart(7)} ms (min ${times[0]!.toFixed(3)})  latents ${storage}: ${mat.latentTextures.map((t) => t.format).join('+')}, ${((gpuBytes * 8) / (W * H)).toFixed(2)} bits/texel on the GPU, ${((8 * grids.reduce((a, g) => a + gridBytes(g), 0)) / (W * H)).toFixed(2)} stored${err ? `; GPU error: ${err.message}` : ''}`);
    [lit, qb, rb].forEach((b) => b.destroy()); qs?.destroy(); mat.latentTextures.forEach((t) => t.destroy());
  }
  device.destroy();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
