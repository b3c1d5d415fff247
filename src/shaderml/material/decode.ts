/**
 * A .wgmat on the GPU: latent textures and the WGSL that decodes them (materialWgsl).
 * By default every grid is rgba8unorm textures (four features each, 2- and 4-bit codes expanded to
 * their exact unorm bytes at load: upload.ts) filtered by the sampler, the fast decode. With
 * `latents: 'packed'` 2- and 4-bit grids stay packed as stored, every latent texel's codes in one
 * r8uint/r16uint/r32uint/rg32uint/rgba32uint texel, or each row one stream of bits in r32uint texels where a texel's
 * codes would leave part of one empty, read with textureLoad and filtered in the shader (bilinear, trilinear between
 * mips): the stored size in GPU memory, at a slower decode (upload.ts).
 * Browser-safe: no node imports.
 */
import type { MlpStorage } from '../mlp.js';
import { flattenWgsl } from '../../gpu/wgsl.js';
import { withErrorScope } from '../../gpu/scope.js';
import { ShaderMLP } from '../mlp.js';
import { MaterialOptionError } from '../errors.js';
import { decodeWgmat, type WgmatManifest } from './format.js';
import { decoderInputs, gridsOf, type CompressedMaterial, type LatentGrid } from './train.js';
import { gridLayout, LATENT_STORAGE, uploadLatents, type LatentStorage } from './upload.js';
import { positionCount, positionWgsl } from './position.js';
import { featuresOf, gridInputs, ownGrid } from './kernels.js';

export { gpuLayout, LATENT_STORAGE, type LatentStorage } from './upload.js';

/** A material ready to decode on the GPU. */
export interface LoadedMaterial {
  manifest: WgmatManifest;
  material: CompressedMaterial;
  /** How the codes were uploaded (see {@link LoadMaterialOptions.latents}). */
  latents: LatentStorage;
  /**
   * Latent textures, finest grid first: an rgba8unorm grid has one texture per 4 features, a packed
   * grid one integer texture; grid 0's mip levels are the material's trained mips (mips.ts).
   */
  latentTextures: GPUTexture[];
  decoder: ShaderMLP;
}

export interface LoadMaterialOptions {
  /**
   * 'expanded' (default): 2- and 4-bit codes become rgba8unorm bytes (8 bits per feature per latent
   * texel in GPU memory), decoded by hardware-filtered sampling like 8-bit latents. 'packed': they stay
   * packed as stored (the file's size in GPU memory too), unpacked and filtered in the shader: 4K decode + shade
   * on the H100 at texels (`<name>(p)`), f32, the 20-bit sets' default 0.582 ms against 0.556 expanded, s2f5b4c 0.656
   * against 0.623. 'balanced': the finest grid packed where that is smaller (it holds four times the texels of the
   * next grid), the coarser grids expanded: s1f3b2+s2f2b4c is 10 bits a texel on the GPU against 36 expanded and 8
   * packed, and decodes at texels in 0.530 ms f32 against 0.542 expanded (a grid at material resolution is read at
   * the texel alone); through `<name>_uv` it is filtered by hand, 0.559 against 0.542. The decoder sees the same values every way (within the
   * sampler's filtering precision through `<name>_uv`); `materialReport` gives all three footprints.
   */
  latents?: LatentStorage;
}

/**
 * Make the latent textures (with the stored mip levels) and the decoder of a .wgmat on `device`.
 * @example
 * const m = loadMaterial(device, bytes);                          // fast decode, 8 bits per feature on the GPU
 * const small = loadMaterial(device, bytes, { latents: 'packed' }); // the stored size on the GPU, slower decode
 * const mid = loadMaterial(device, bytes, { latents: 'balanced' }); // the finest grid packed: most of the saving
 */
export function loadMaterial(device: GPUDevice, bytes: Uint8Array, o: LoadMaterialOptions = {}): LoadedMaterial {
  const latents = o.latents ?? 'expanded';
  if (!LATENT_STORAGE.includes(latents)) throw new MaterialOptionError(`latents: '${String(latents)}' is not one of ${LATENT_STORAGE.join(', ')}`, "give latents: 'expanded' (fast decode), 'packed' (least GPU memory) or 'balanced' (the finest grid packed)", { latents });
  const { manifest, material } = decodeWgmat(bytes);
  return { manifest, material, latents, latentTextures: uploadLatents(device, material, latents), decoder: material.decoder };
}

/** How {@link materialWgsl} writes the decoder. */
export interface MaterialDecodeOptions {
  /**
   * 'f32' (default), 'f16' (needs shader-f16) or 'int8': dot4I8Packed with per-layer scales
   * calibrated on the material's own latents (0.35 vs 0.55 ms for a 4K decode on an H100, at a small
   * PSNR cost that `wgml render-material --precision int8` reports).
   */
  precision?: 'f32' | 'f16' | 'int8';
  /** Default 'constants': straight-line code with the weights as literals, the fastest form. */
  storage?: MlpStorage;
}

/**
 * WGSL adding grid `g`'s features, bilinear at latent coordinates `l` of mip `lv`, into x[f0…] (scaled by `scale`); a
 * concatenated grid's four taps go side by side instead (x[f0 + k·features + f] for tap k, unweighted).
 */
function packedTaps(name: string, tex: number, g: LatentGrid, f0: number, lv: string, scale: string, stream = false, one = false): string {
  const comp = ['x', 'y', 'z', 'w'], Q = (1 << g.bits) - 1;
  // A stream row (upload.ts) holds texel x at bit x·n (n = features·bits): its word, shifted down to it, and the next
  // word's low bits where the texel straddles the two.
  const n = g.features * g.bits;
  const word = (c: string, k: string) => `textureLoad(${name}_lat${tex}, vec2(${k}, (${c}).y), ${lv}).x`;
  const tap = (c: string) => !stream ? `textureLoad(${name}_lat${tex}, ${c}, ${lv})`
    : 32 % n === 0 ? `vec4(${word(c, `(${c}).x * ${n} / 32`)} >> (u32((${c}).x * ${n}) % 32u), 0u, 0u, 0u)`
    : `${name}_g${tex}_stream(${c}, ${lv})`;
  const e = (t: string, f: number) => { const b = f * g.bits; return `f32(extractBits(${t}.${comp[b >> 5]}, ${b & 31}u, ${g.bits}u))`; };
  // `one`: a grid at material resolution read at a texel (kernels.ts ownGrid): one tap, weight 1.
  if (one) return `    let t0 = ${tap('c0')};
${Array.from({ length: g.features }, (_, f) => `    x[${f0 + f}] += ${scale} / ${Q}.0 * ${e('t0', f)};`).join('\n')}`;
  return `    let t0 = ${tap('c0')}; let t1 = ${tap('vec2(c1.x, c0.y)')}; let t2 = ${tap('vec2(c0.x, c1.y)')}; let t3 = ${tap('c1')};
    let w = ${g.concat ? `vec4(${scale} / ${Q}.0)` : `vec4((1.0 - a.x) * (1.0 - a.y), a.x * (1.0 - a.y), (1.0 - a.x) * a.y, a.x * a.y) * (${scale} / ${Q}.0)`};
${Array.from({ length: g.features }, (_, f) => g.concat ? [0, 1, 2, 3].map((k) => `    x[${f0 + k * g.features + f}] += w.${comp[k]} * ${e(`t${k}`, f)};`).join('\n')
    : `    x[${f0 + f}] += w.x * ${e('t0', f)} + w.y * ${e('t1', f)} + w.z * ${e('t2', f)} + w.w * ${e('t3', f)};`).join('\n')}`;
}

/** WGSL setting a concatenated rgba8unorm grid's features from its four taps c0, (c1.x, c0.y), (c0.x, c1.y), c1 of level 0. */
function concatTaps(name: string, tex: number, textures: number, g: LatentGrid, f0: number): string {
  const at = ['c0', 'vec2(c1.x, c0.y)', 'vec2(c0.x, c1.y)', 'c1'];
  return Array.from({ length: textures }, (_, t) => `    {
${at.map((c, k) => `    let q${k} = textureLoad(${name}_lat${tex + t}, ${c}, 0);`).join('\n')}
${[0, 1, 2, 3].filter((ch) => t * 4 + ch < g.features).flatMap((ch) => [0, 1, 2, 3].map((k) => `    x[${f0 + k * g.features + t * 4 + ch}] = q${k}[${ch}];`)).join('\n')}
    }`).join('\n');
}

/**
 * WGSL that decodes the material, two ways:
 * - `fn <name>(p: vec2<u32>) -> array<f32, C>`: at material texel p, bilinear from latent level 0 (what
 *   training saw; exact texel addressing for compute shading and for scoring);
 * - `fn <name>_uv(uv: vec2<f32>, lod: f32) -> array<f32, C>`: at uv in [0, 1], trilinear between the
 *   material's trained mip levels at `lod` (`<name>_lod(dpdx(uv), dpdy(uv))` in a fragment shader), so
 *   a minified surface decodes its own level instead of aliasing. A material compressed without
 *   `--mips` has level 0 only, and every lod reads it.
 * Bindings: the latent textures at binding…binding+L−1 (L = latentTextures.length), a filtering
 * sampler after them, then the decoder's weights (none with the default literal storage).
 * @example
 * const m = loadMaterial(device, bytes);
 * const dec = materialWgsl(m, 'mat_at', 1, 0, device, { precision: 'int8' });
 * const code = resolveWgsl({ bindings: [], requires: [dec.module], body: '... mat_at_uv(uv, mat_at_lod(dpdx(uv), dpdy(uv))) ...' });
 */
export function materialWgsl(m: LoadedMaterial, name: string, group: number, binding: number, device?: GPUDevice, o: MaterialDecodeOptions = {}) {
  const grids = gridsOf(m.material), C = m.manifest.channels;
  const F = featuresOf({ grids }), L = m.latentTextures.length;
  const pos = m.material.position ?? 'uv', I = F + positionCount(pos);
  const precision = o.precision ?? 'f32';
  const decoder = precision === 'int8' ? calibratedDecoder(m) : m.decoder;
  const net = decoder.wgsl({ name: `${name}_mlp`, group, binding: binding + L + 1, device, precision, storage: o.storage ?? 'constants' });
  const W = m.manifest.width, H = m.manifest.height, mips = 1 + (m.material.mips?.length ?? 0);
  // Texture k of an rgba8unorm grid holds its features 4k…4k+3 (decoder inputs f0 + 4k + c); a packed grid has one texture.
  let tex = 0, f0 = 0;
  const layout = grids.map((g, i) => { const lay = gridLayout(g, m.latents, i, i === 0 ? mips : 1); const r = { g, i, tex, f0, lay }; tex += lay.packed ? 1 : lay.textures; f0 += gridInputs(g); return r; });
  const decls = layout.flatMap(({ tex, lay }) => lay.packed ? [`@group(${group}) @binding(${binding + tex}) var ${name}_lat${tex}: texture_2d<u32>;`]
    : Array.from({ length: lay.textures }, (_, k) => `@group(${group}) @binding(${binding + tex + k}) var ${name}_lat${tex + k}: texture_2d<f32>;`)).join('\n');
  const feats = (g: LatentGrid, at: number, k: number) => [0, 1, 2, 3].filter((c) => k * 4 + c < g.features).map((c) => `    x[${at + k * 4 + c}] = s[${c}];`).join('\n');
  const cells = (dims: string) => `    let fl = floor(l); let a = l - fl;
    let hi = ${dims} - 1;
    let c0 = clamp(vec2<i32>(fl), vec2(0), hi); let c1 = clamp(vec2<i32>(fl) + 1, vec2(0), hi);`;
  const texel = layout.map(({ g, tex, f0, lay }) => ownGrid({ width: W, height: H }, g) ? `  {
    let c0 = vec2<i32>(p);
${lay.packed ? packedTaps(name, tex, g, f0, '0', '1.0', lay.stream, true) : Array.from({ length: lay.textures }, (_, k) => `    {
    let s = textureLoad(${name}_lat${tex + k}, c0, 0);
${feats(g, f0, k)}
    }`).join('\n')}
  }` : `  {
    let l = (vec2<f32>(p) + 0.5) * vec2(${g.lw}.0 / ${W}.0, ${g.lh}.0 / ${H}.0) - 0.5;
${cells(`vec2<i32>(${g.lw}, ${g.lh})`)}
${lay.packed ? packedTaps(name, tex, g, f0, '0', '1.0', lay.stream) : g.concat ? concatTaps(name, tex, lay.textures, g, f0) : Array.from({ length: lay.textures }, (_, k) => `    {
    let s = mix(mix(textureLoad(${name}_lat${tex + k}, c0, 0), textureLoad(${name}_lat${tex + k}, vec2(c1.x, c0.y), 0), a.x),
                mix(textureLoad(${name}_lat${tex + k}, vec2(c0.x, c1.y), 0), textureLoad(${name}_lat${tex + k}, c1, 0), a.x), a.y);
${feats(g, f0, k)}
    }`).join('\n')}
  }`).join('\n');
  // Packed grids filter by hand at uv: bilinear in each of the two mip levels around lod, then mixed.
  const levelsOf = (i: number) => (i === 0 ? mips : 1);
  const packedUv = layout.flatMap((x) => (x.lay.packed ? [{ ...x, stream: x.lay.stream }] : [])).map(({ g, i, tex, f0, stream }) => `fn ${name}_g${i}_add(x: ptr<function, array<f32, ${I}>>, u: vec2<f32>, lv: i32, scale: f32) {
  // Level size by WebGPU's mip rule (lavapipe's textureDimensions(t, level) ignores a non-uniform level).
  let dims = max(vec2(1i), vec2(${g.lw}i, ${g.lh}i) >> vec2(u32(lv)));
  let l = u * vec2<f32>(dims) - 0.5;
${cells('dims')}
${packedTaps(name, tex, g, f0, 'lv', 'scale', stream).replace(/x\[/g, '(*x)[')}
}`).join('\n');
  const sampled = layout.map(({ g, i, tex, f0, lay }) => lay.packed ? `  {
    let lod_c = clamp(lod, 0.0, ${levelsOf(i) - 1}.0); let l0 = i32(floor(lod_c)); let fr = lod_c - f32(l0);
    ${name}_g${i}_add(&x, u, l0, 1.0 - fr);
    if (fr > 0.0) { ${name}_g${i}_add(&x, u, min(l0 + 1, ${levelsOf(i) - 1}), fr); }
  }` : g.concat ? `  {
    // Concatenated taps are not filtered: those of the level-0 cell around u (such grids have no mips), as at a texel
    let l = u * vec2(${g.lw}.0, ${g.lh}.0) - 0.5;
${cells(`vec2<i32>(${g.lw}, ${g.lh})`)}
${concatTaps(name, tex, lay.textures, g, f0)}
  }` : Array.from({ length: lay.textures }, (_, k) => `  {
    let s = textureSampleLevel(${name}_lat${tex + k}, ${name}_samp, u, lod);
${feats(g, f0, k)}
  }`).join('\n')).join('\n');
  // The position at uv: in texels of the level(s) grid 0 is read at (position.ts), mixed as trilinear filtering mixes the latents.
  const size = (lv: string) => `max(vec2(1.0), floor(vec2(${W}.0, ${H}.0) / exp2(${lv})))`;
  const uvPosition = pos === 'uv' ? `  x[${F}] = u.x; x[${F + 1}] = u.y;` : mips === 1 ? `  ${positionWgsl(pos, F, `u * vec2(${W}.0, ${H}.0)`, `vec2(${W}.0, ${H}.0)`)}` : `  {
    let lod_c = clamp(lod, 0.0, ${mips - 1}.0); let l0 = floor(lod_c); let fr = lod_c - l0;
    var y: array<f32, ${I}>;
    { let s = ${size('l0')}; ${positionWgsl(pos, F, 'u * s', 's')} }
    { let s = ${size(`min(l0 + 1.0, ${mips - 1}.0)`)}; ${positionWgsl(pos, F, 'u * s', 's', 'y')} }
    for (var k = ${F}; k < ${I}; k++) { x[k] = mix(x[k], y[k], fr); }
  }`;
  // A stream grid whose texels straddle words (bits not dividing 32) reads a texel through this; the second load is
  // kept only where the texel runs past its first word.
  const streams = layout.filter(({ g, lay }) => lay.packed && lay.stream && 32 % (g.features * g.bits) !== 0).map(({ g, tex }) => {
    const n = g.features * g.bits;
    return `fn ${name}_g${tex}_stream(c: vec2<i32>, lv: i32) -> vec4<u32> {
  let b = u32(c.x) * ${n}u; let o = b % 32u; let w = i32(b / 32u);
  let lo = textureLoad(${name}_lat${tex}, vec2(w, c.y), lv).x >> o;
  let hi = select(0u, textureLoad(${name}_lat${tex}, vec2(w + 1, c.y), lv).x << (32u - o), o + ${n}u > 32u);
  return vec4(lo | hi, 0u, 0u, 0u);
}`;
  }).join('\n');
  const code = `${decls}
@group(${group}) @binding(${binding + L}) var ${name}_samp: sampler;
${streams}
fn ${name}(p: vec2<u32>) -> array<f32, ${C}> {
  var x: array<f32, ${I}>;
${texel}
  ${positionWgsl(pos, F, 'vec2<f32>(p) + 0.5', `vec2(${W}.0, ${H}.0)`)}
  return ${name}_mlp(x);
}
${packedUv}
fn ${name}_uv(uv: vec2<f32>, lod: f32) -> array<f32, ${C}> {
  let u = clamp(uv, vec2(0.0), vec2(1.0));
  var x: array<f32, ${I}>;
${sampled}
${uvPosition}
  return ${name}_mlp(x);
}
// Mip level for uv derivatives (dpdx(uv), dpdy(uv)): log2 of the footprint in *material* texels, since
// latent level m was trained to give material level m (the latents being smaller does not shift it).
// Coarse grids hold level 0 only, which every lod then reads.
fn ${name}_lod(dx: vec2<f32>, dy: vec2<f32>) -> f32 {
  let s = vec2(${W}.0, ${H}.0);
  return max(0.0, log2(max(length(dx * s), length(dy * s))));
}`;
  const packedAt = new Set(layout.filter((x) => x.lay.packed).map((x) => x.tex));
  return {
    module: { name: `wgmat_${name}`, code, requires: [net.module], enables: net.module.enables },
    layoutEntries: (visibility: GPUShaderStageFlags): GPUBindGroupLayoutEntry[] => [
      ...Array.from({ length: L }, (_, k) => ({ binding: binding + k, visibility, texture: { sampleType: packedAt.has(k) ? 'uint' as const : 'float' as const } })),
      { binding: binding + L, visibility, sampler: { type: 'filtering' as const } },
      ...net.layoutEntries(visibility)],
    bindGroupEntries: (dev: GPUDevice): GPUBindGroupEntry[] => [
      ...m.latentTextures.map((t, k) => ({ binding: binding + k, resource: t.createView() })),
      { binding: binding + L, resource: latentSampler(dev) },
      ...net.bindGroupEntries(dev)],
  };
}

/** Trilinear, clamp to edge (the decoder was trained on clamped bilinear taps). One per device. */
const samplers = new WeakMap<GPUDevice, GPUSampler>();
function latentSampler(device: GPUDevice): GPUSampler {
  let s = samplers.get(device);
  if (!s) {
    s = device.createSampler({ label: 'wgmat latents (trilinear)', magFilter: 'linear', minFilter: 'linear', mipmapFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge' });
    samplers.set(device, s);
  }
  return s;
}

/**
 * A copy of the decoder with int8 input ranges measured on the material itself: decoder inputs at
 * (at most 16384) texels spread over the material.
 */
const calibrated = new WeakMap<LoadedMaterial, ShaderMLP>();
function calibratedDecoder(m: LoadedMaterial): ShaderMLP {
  const hit = calibrated.get(m);
  if (hit) return hit;
  const c = m.material, x = decoderInputs(c, 0, Math.max(1, Math.ceil((c.width * c.height) / 16384)));
  const d = ShaderMLP.fromLayers([...c.decoder.sizes], c.decoder.layers.map((l) => ({ weight: l.weight, bias: l.bias })), c.decoder.layers.map((l) => l.activation), c.decoder.layers.map((l) => l.alpha));
  d.calibrate(x);
  calibrated.set(m, d);
  return d;
}

/**
 * Every texel of level 0 decoded on `device` through materialWgsl (rows of C channels, unclamped):
 * what a renderer reads, and much faster than decodeMaterialCpu for scoring large materials.
 * Decodes in bands of rows so the output binding stays small.
 */
export async function decodeMaterialGpu(device: GPUDevice, m: LoadedMaterial, bandFloats = 1 << 22): Promise<Float32Array> {
  const { width: W, height: H, channels: C } = m.manifest;
  const dec = materialWgsl(m, 'mat', 1, 0, device);
  const lib = flattenWgsl(dec.module);
  const rows = Math.max(1, Math.min(H, Math.floor(bandFloats / (W * C))));
  const code = `${lib.enables.map((e) => `enable ${e};`).join('\n')}
@group(0) @binding(0) var<uniform> band: vec4<u32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
${lib.code}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let y = g.y + band.x;
  if (g.x >= ${W}u || g.y >= ${rows}u || y >= ${H}u) { return; }
  let v = mat(vec2(g.x, y));
  for (var c = 0u; c < ${C}u; c++) { Y[(g.y * ${W}u + g.x) * ${C}u + c] = v[c]; }
}`;
  return withErrorScope(device, 'decoding the material on the GPU', async () => {
    const bytes = rows * W * C * 4;
    const ub = device.createBuffer({ label: 'wgmat decode band', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const yb = device.createBuffer({ label: 'wgmat decode out', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const rb = device.createBuffer({ label: 'wgmat decode readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const l0 = device.createBindGroupLayout({ label: 'wgmat decode out', entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }, { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
    const l1 = device.createBindGroupLayout({ label: 'wgmat decode material', entries: dec.layoutEntries(GPUShaderStage.COMPUTE) });
    const pipe = await device.createComputePipelineAsync({ label: 'wgmat decode', layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ label: 'wgmat decode', code }), entryPoint: 'main' } });
    const g0 = device.createBindGroup({ label: 'wgmat decode out', layout: l0, entries: [{ binding: 0, resource: { buffer: ub } }, { binding: 1, resource: { buffer: yb } }] });
    const g1 = device.createBindGroup({ label: 'wgmat decode material', layout: l1, entries: dec.bindGroupEntries(device) });
    const out = new Float32Array(W * H * C);
    for (let y0 = 0; y0 < H; y0 += rows) {
      const n = Math.min(rows, H - y0);
      device.queue.writeBuffer(ub, 0, new Uint32Array([y0, 0, 0, 0]));
      const enc = device.createCommandEncoder({ label: 'wgmat decode' });
      const pass = enc.beginComputePass({ label: 'wgmat decode' });
      pass.setPipeline(pipe); pass.setBindGroup(0, g0); pass.setBindGroup(1, g1); pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(n / 8)); pass.end();
      enc.copyBufferToBuffer(yb, 0, rb, 0, n * W * C * 4);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ, 0, n * W * C * 4);
      out.set(new Float32Array(rb.getMappedRange(0, n * W * C * 4)), y0 * W * C);
      rb.unmap();
    }
    [ub, yb, rb].forEach((b) => b.destroy());
    return out;
  });
}
