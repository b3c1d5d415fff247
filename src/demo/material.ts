/**
 * Material decode pass (compute): for every pixel whose G-buffer surface names a material (index
 * 1…M), decode that material at the pixel's texel and write the shading inputs the lighting pass
 * reads: albedo × tint + roughness (rgba8unorm) and the normal-mapped view-space normal
 * (rgba16float). Other pixels pass their G-buffer albedo and normal through, so the lighting pass has
 * one path. Two modes over the same materials: 'neural' runs each material's tiny MLP on its latents
 * (`materialWgsl`), 'original' reads the textures it was compressed from, so the page can show what
 * the compression costs. Browser-safe: no node imports.
 */
import { flattenWgsl, type WgslModule } from '../gpu/wgsl.js';
import { materialWgsl, loadMaterial, type LoadedMaterial, type WgmatManifest } from '../shaderml/material/wgmat.js';
import { cachedPipeline, encodeImagePass } from './common.js';
import { DemoError } from './network.js';

export const SHADE_ALBEDO_FORMAT: GPUTextureFormat = 'rgba8unorm';
export const SHADE_NORMAL_FORMAT: GPUTextureFormat = 'rgba16float';

/** Roughness of surfaces without a material. */
export const PLAIN_ROUGHNESS = 0.6;

/** An RGBA8 image (rows top first), e.g. a decoded PNG. */
export interface RgbaImage { width: number; height: number; data: Uint8Array }

/** The frame's materials: material index i + 1 is wgmats[i]; originals[i] holds the textures it was compressed from, by texture name. */
export interface MaterialSet {
  wgmats: Uint8Array[];
  originals?: (Record<string, RgbaImage> | null)[];
}

export type MaterialMode = 'neural' | 'original';

/** WGSL mapping the material's channels (textures in manifest order) to albedo, tangent-space normal xy, roughness. */
function surfaceExprs(m: WgmatManifest): { albedo: string; nxy: string; rough: string } {
  let c0 = 0, albedo = '', nxy = '', rough = '';
  for (const t of m.textures) {
    if (t.kind === 'color' && !albedo) albedo = t.channels >= 3 ? `vec3f(m[${c0}], m[${c0 + 1}], m[${c0 + 2}])` : `vec3f(m[${c0}])`;
    else if (t.kind === 'normal' && !nxy && t.channels >= 2) nxy = `vec2f(m[${c0}], m[${c0 + 1}])`;
    else if (t.kind === 'scalar' && !rough) rough = /gloss|smooth/i.test(t.name) ? `1.0 - m[${c0}]` : `m[${c0}]`;
    c0 += t.channels;
  }
  if (!albedo) throw new DemoError('the neural material has no colour texture', 'compress a folder with an albedo PNG (wgml compress)', { textures: m.textures.map((t) => t.name) });
  return { albedo, nxy: nxy || 'vec2f(0.5)', rough: rough || `${PLAIN_ROUGHNESS}` };
}

/** One material's `mat<i>` function as a WGSL module (flattened together: the decoders share helpers), its group-1 bindings. */
interface Decoder { module: WgslModule; layout: GPUBindGroupLayoutEntry[]; entries: () => GPUBindGroupEntry[]; destroy(): void }

/** `fn mat<i>_at(tx: vec2u) -> array<f32, C>` from the neural material, bindings of group 1 from `first` on. */
function neuralDecoder(device: GPUDevice, m: LoadedMaterial, i: number, first: number): Decoder {
  const mw = materialWgsl(m, `mat${i}`, 1, first, device);
  return { module: mw.module, layout: mw.layoutEntries(GPUShaderStage.COMPUTE), entries: () => mw.bindGroupEntries(device), destroy() { for (const t of m.latentTextures) t.destroy(); } };
}

/** The same function reading the original textures (one rgba8unorm texture per manifest texture, its first `channels` channels). */
function originalDecoder(device: GPUDevice, manifest: WgmatManifest, images: Record<string, RgbaImage> | null | undefined, i: number, first: number): Decoder {
  const textures = manifest.textures.map((t, k) => {
    const img = images?.[t.name];
    if (!img) throw new DemoError(`material ${i} has no original '${t.name}' texture to show in 'original' mode`, 'pass originals[i] with every texture the .wgmat was compressed from (the PNGs of its folder)', { material: i, texture: t.name });
    if (img.width !== manifest.width || img.height !== manifest.height)
      throw new DemoError(`material ${i}'s original '${t.name}' is ${img.width}×${img.height}; the .wgmat was compressed from ${manifest.width}×${manifest.height}`, 'pass the textures the material was compressed from', { material: i, texture: t.name });
    const tex = device.createTexture({ label: `wgml demo material ${i} original ${t.name}`, size: [img.width, img.height], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    device.queue.writeTexture({ texture: tex }, img.data, { bytesPerRow: img.width * 4 }, [img.width, img.height]);
    return { t, tex, binding: first + k };
  });
  const C = manifest.channels;
  let c = 0;
  const loads = textures.map(({ t, binding }) => {
    const lines = [`  let s${binding} = textureLoad(orig${i}_${binding}, p, 0);`];
    for (let k = 0; k < t.channels; k++) lines.push(`  m[${c++}] = s${binding}[${k}];`);
    return lines.join('\n');
  }).join('\n');
  const code = `${textures.map(({ binding }) => `@group(1) @binding(${binding}) var orig${i}_${binding}: texture_2d<f32>;`).join('\n')}
fn mat${i}(p: vec2<u32>) -> array<f32, ${C}> {
  var m: array<f32, ${C}>;
${loads}
  return m;
}`;
  return {
    module: { name: `wgml_demo_original_${i}`, code },
    layout: textures.map(({ binding }) => ({ binding, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'float' } })),
    entries: () => textures.map(({ tex, binding }) => ({ binding, resource: tex.createView({ label: `${tex.label} view` }) })),
    destroy() { for (const { tex } of textures) tex.destroy(); },
  };
}

function decodeWgsl(manifests: WgmatManifest[], decoders: Decoder[]): string {
  const shade = manifests.map((man, k) => {
    const i = k + 1, s = surfaceExprs(man), W = man.width, H = man.height;
    // Repeat the texture; nearest texel (the neural decoder interpolates its latents itself).
    return `fn shade${i}(uv: vec2f) -> Shade {
  let tx = min(vec2u(fract(uv) * vec2f(${W}.0, ${H}.0)), vec2u(${W - 1}u, ${H - 1}u));
  let m = mat${i}(tx);
  return Shade(${s.albedo}, ${s.nxy}, ${s.rough});
}`;
  }).join('\n');
  const branches = manifests.map((_, k) => `${k ? ' else ' : '  '}if (mi == ${k + 1}u) { s = shade${k + 1}(sf.xy); }`).join('');
  const lib = flattenWgsl(...decoders.map((d) => d.module));
  return `${lib.enables.map((e) => `enable ${e};`).join('\n')}
@group(0) @binding(0) var normalTex: texture_2d<f32>;
@group(0) @binding(1) var albedoTex: texture_2d<f32>;
@group(0) @binding(2) var surfaceTex: texture_2d<f32>;
@group(0) @binding(3) var tangentTex: texture_2d<f32>;
@group(0) @binding(4) var albedoOut: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(5) var normalOut: texture_storage_2d<rgba16float, write>;
struct Shade { albedo: vec3f, nxy: vec2f, rough: f32 }
${lib.code}
${shade}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let base = textureLoad(albedoTex, pix, 0);
  let n = textureLoad(normalTex, pix, 0).xyz;
  let sf = textureLoad(surfaceTex, pix, 0);
  let mi = u32(round(sf.z));
  if (mi == 0u || mi > ${manifests.length}u || base.a == 0.0) {
    textureStore(albedoOut, pix, vec4f(base.rgb, ${PLAIN_ROUGHNESS}));
    textureStore(normalOut, pix, vec4f(n, 0.0));
    return;
  }
  var s: Shade;
${branches}
  let albedo = clamp(s.albedo, vec3f(0.0), vec3f(1.0)) * base.rgb;
  let nxy = clamp(s.nxy, vec2f(0.0), vec2f(1.0)) * 2.0 - 1.0;
  let rough = clamp(s.rough, 0.02, 1.0);
  let tg = textureLoad(tangentTex, pix, 0);
  let nn = normalize(n);
  let t = normalize(tg.xyz - nn * dot(nn, tg.xyz));
  let b = cross(nn, t) * tg.w;
  let ns = normalize(t * nxy.x + b * nxy.y + nn * sqrt(max(0.0, 1.0 - dot(nxy, nxy))));
  textureStore(albedoOut, pix, vec4f(albedo, rough));
  textureStore(normalOut, pix, vec4f(ns, 0.0));
}`;
}

export interface MaterialPass {
  /** Albedo rgb + roughness, what lighting reads. */
  albedo: GPUTexture;
  /** View-space shading normal. */
  normal: GPUTexture;
  mode: MaterialMode;
  pipeline: GPUComputePipeline;
  groups: GPUBindGroup[];
  /** The loaded neural materials, in index order. */
  materials: LoadedMaterial[];
  destroy(): void;
}

const nextId = new WeakMap<Uint8Array, number>();
let ids = 0;
const idOf = (b: Uint8Array) => { if (!nextId.has(b)) nextId.set(b, ++ids); return nextId.get(b)!; };

/**
 * Load the .wgmat files (bytes) and build the decode pass over the frame's G-buffer textures:
 * surfaces with material index i decode set.wgmats[i − 1] (or, in 'original' mode, its original
 * textures). An empty set: a pass-through.
 */
export async function createMaterialPass(device: GPUDevice, set: MaterialSet, g: { normal: GPUTexture; albedo: GPUTexture; surface: GPUTexture; tangent: GPUTexture }, width: number, height: number, mode: MaterialMode = 'neural'): Promise<MaterialPass> {
  const materials = set.wgmats.map((b) => loadMaterial(device, b));
  // The pass reads 4 G-buffer textures plus every material's latent layers (or originals) in one compute stage.
  const sampled = 4 + materials.reduce((a, m) => a + (mode === 'neural' ? m.manifest.latent.layers : m.manifest.textures.length), 0);
  const limit = device.limits.maxSampledTexturesPerShaderStage;
  if (sampled > limit) {
    for (const m of materials) for (const t of m.latentTextures) t.destroy();
    throw new DemoError(`the ${materials.length} materials need ${sampled - 4} ${mode === 'neural' ? 'latent' : 'original'} textures beside the G-buffer's 4; one compute stage may sample ${limit} on this device`,
      'compress with fewer latent features (wgml compress --features 4 holds them in one texture), or use fewer materials', { sampled, limit });
  }
  const decoders: Decoder[] = [];
  let first = 0;
  try {
    materials.forEach((m, k) => {
      const d = mode === 'neural' ? neuralDecoder(device, m, k + 1, first) : originalDecoder(device, m.manifest, set.originals?.[k], k + 1, first);
      decoders.push(d);
      first += d.layout.length;
    });
  } catch (e) {
    for (const m of materials) for (const t of m.latentTextures) t.destroy();
    for (const d of decoders) d.destroy();
    throw e;
  }
  const code = decodeWgsl(materials.map((m) => m.manifest), decoders);
  const tex = (b: number): GPUBindGroupLayoutEntry => ({ binding: b, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'unfilterable-float' } });
  const l0 = device.createBindGroupLayout({ label: 'wgml demo material decode g-buffer', entries: [tex(0), tex(1), tex(2), tex(3),
    { binding: 4, visibility: GPUShaderStage.COMPUTE, storageTexture: { access: 'write-only', format: SHADE_ALBEDO_FORMAT } },
    { binding: 5, visibility: GPUShaderStage.COMPUTE, storageTexture: { access: 'write-only', format: SHADE_NORMAL_FORMAT } }] });
  const layout1 = decoders.flatMap((d) => d.layout);
  const l1 = layout1.length ? device.createBindGroupLayout({ label: 'wgml demo material decode materials', entries: layout1 }) : null;
  // Layouts are per call (explicit), so the pipeline is cached per material bytes and mode, not by WGSL text alone.
  const key = `wgml demo material decode ${mode} ${set.wgmats.map(idOf).join(',') || 'none'}`;
  const pipeline = await cachedPipeline(device, key, () => device.createComputePipelineAsync({
    label: 'wgml demo material decode', layout: device.createPipelineLayout({ label: 'wgml demo material decode', bindGroupLayouts: l1 ? [l0, l1] : [l0] }),
    compute: { module: device.createShaderModule({ label: `wgml demo material decode (${mode})`, code }), entryPoint: 'main' },
  }));
  const usage = GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC;
  const albedo = device.createTexture({ label: 'wgml demo shading albedo + roughness', size: { width, height }, format: SHADE_ALBEDO_FORMAT, usage });
  const normal = device.createTexture({ label: 'wgml demo shading normal', size: { width, height }, format: SHADE_NORMAL_FORMAT, usage });
  const v = (t: GPUTexture) => t.createView({ label: `${t.label} view` });
  const groups: GPUBindGroup[] = [
    device.createBindGroup({ label: 'wgml demo material decode g-buffer', layout: pipeline.getBindGroupLayout(0), entries: [
      { binding: 0, resource: v(g.normal) }, { binding: 1, resource: v(g.albedo) }, { binding: 2, resource: v(g.surface) }, { binding: 3, resource: v(g.tangent) },
      { binding: 4, resource: v(albedo) }, { binding: 5, resource: v(normal) }] }),
  ];
  if (l1) groups.push(device.createBindGroup({ label: 'wgml demo material decode materials', layout: pipeline.getBindGroupLayout(1), entries: decoders.flatMap((d) => d.entries()) }));
  return {
    albedo, normal, mode, pipeline, groups, materials,
    destroy() { albedo.destroy(); normal.destroy(); for (const d of decoders) d.destroy(); if (mode !== 'neural') for (const m of materials) for (const t of m.latentTextures) t.destroy(); },
  };
}

export function encodeMaterialDecode(encoder: GPUCommandEncoder, p: MaterialPass, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeImagePass(encoder, 'wgml demo material decode', p.pipeline, p.groups, width, height, timestampWrites);
}
