/**
 * Material decode pass (compute): for every pixel whose G-buffer surface names a neural material,
 * decode it at the pixel's texel with the material's tiny MLP (`materialWgsl`), then write the
 * shading inputs the lighting pass reads: albedo × tint + roughness (rgba8unorm) and the normal-mapped
 * view-space normal (rgba16float). Other pixels pass their G-buffer albedo and normal through, so
 * the lighting pass has one path. Browser-safe: no node imports.
 */
import { flattenWgsl } from '../gpu/wgsl.js';
import { materialWgsl, loadMaterial, type LoadedMaterial } from '../shaderml/material/wgmat.js';
import { cachedPipeline, encodeImagePass } from './common.js';
import { DemoError } from './network.js';

export const SHADE_ALBEDO_FORMAT: GPUTextureFormat = 'rgba8unorm';
export const SHADE_NORMAL_FORMAT: GPUTextureFormat = 'rgba16float';

/** Roughness of surfaces without a material. */
export const PLAIN_ROUGHNESS = 0.6;

/** WGSL mapping the material's channels (textures in manifest order) to albedo, tangent-space normal xy, roughness. */
function surfaceExprs(m: LoadedMaterial): { albedo: string; nxy: string; rough: string } {
  let c0 = 0, albedo = '', nxy = '', rough = '';
  for (const t of m.manifest.textures) {
    if (t.kind === 'color' && !albedo) albedo = t.channels >= 3 ? `vec3f(m[${c0}], m[${c0 + 1}], m[${c0 + 2}])` : `vec3f(m[${c0}])`;
    else if (t.kind === 'normal' && !nxy && t.channels >= 2) nxy = `vec2f(m[${c0}], m[${c0 + 1}])`;
    else if (t.kind === 'scalar' && !rough) rough = /gloss|smooth/i.test(t.name) ? `1.0 - m[${c0}]` : `m[${c0}]`;
    c0 += t.channels;
  }
  if (!albedo) throw new DemoError('the neural material has no colour texture', 'compress a folder with an albedo PNG (wgml compress)', { textures: m.manifest.textures.map((t) => t.name) });
  return { albedo, nxy: nxy || 'vec2f(0.5)', rough: rough || `${PLAIN_ROUGHNESS}` };
}

/** Without a material the pass only copies (scenes that use none, e.g. the AO training data). */
function decodeWgsl(m: LoadedMaterial | null, device: GPUDevice): { code: string; layout1: GPUBindGroupLayoutEntry[] | null; entries1: () => GPUBindGroupEntry[] } {
  const mw = m ? materialWgsl(m, 'mat_at', 1, 0, device) : null;
  const lib = mw ? flattenWgsl(mw.module) : { code: '', enables: [] };
  const W = m?.manifest.width ?? 1, H = m?.manifest.height ?? 1, C = m?.manifest.channels ?? 1;
  const s = m ? surfaceExprs(m) : { albedo: 'vec3f(1.0)', nxy: 'vec2f(0.5)', rough: `${PLAIN_ROUGHNESS}` };
  const code = `${lib.enables.map((e) => `enable ${e};`).join('\n')}
@group(0) @binding(0) var normalTex: texture_2d<f32>;
@group(0) @binding(1) var albedoTex: texture_2d<f32>;
@group(0) @binding(2) var surfaceTex: texture_2d<f32>;
@group(0) @binding(3) var tangentTex: texture_2d<f32>;
@group(0) @binding(4) var albedoOut: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(5) var normalOut: texture_storage_2d<rgba16float, write>;
${lib.code}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(normalTex);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let pix = vec2i(g.xy);
  let base = textureLoad(albedoTex, pix, 0);
  let n = textureLoad(normalTex, pix, 0).xyz;
  let sf = textureLoad(surfaceTex, pix, 0);
  if (${m ? 'u32(round(sf.z)) != 1u || base.a == 0.0' : 'true'}) {
    textureStore(albedoOut, pix, vec4f(base.rgb, ${PLAIN_ROUGHNESS}));
    textureStore(normalOut, pix, vec4f(n, 0.0));
    return;
  }
  // Repeat the texture; nearest texel (the decoder interpolates its latents itself).
  let tx = min(vec2u(fract(sf.xy) * vec2f(${W}.0, ${H}.0)), vec2u(${W - 1}u, ${H - 1}u));
  let m: array<f32, ${C}> = ${m ? 'mat_at(tx)' : `array<f32, ${C}>()`};
  let albedo = clamp(${s.albedo}, vec3f(0.0), vec3f(1.0)) * base.rgb;
  let nxy = clamp(${s.nxy}, vec2f(0.0), vec2f(1.0)) * 2.0 - 1.0;
  let rough = clamp(${s.rough}, 0.02, 1.0);
  let tg = textureLoad(tangentTex, pix, 0);
  let nn = normalize(n);
  let t = normalize(tg.xyz - nn * dot(nn, tg.xyz));
  let b = cross(nn, t) * tg.w;
  let ns = normalize(t * nxy.x + b * nxy.y + nn * sqrt(max(0.0, 1.0 - dot(nxy, nxy))));
  textureStore(albedoOut, pix, vec4f(albedo, rough));
  textureStore(normalOut, pix, vec4f(ns, 0.0));
}`;
  return { code, layout1: mw?.layoutEntries(GPUShaderStage.COMPUTE) ?? null, entries1: () => mw?.bindGroupEntries(device) ?? [] };
}

export interface MaterialPass {
  /** Albedo rgb + roughness, what lighting reads. */
  albedo: GPUTexture;
  /** View-space shading normal. */
  normal: GPUTexture;
  pipeline: GPUComputePipeline;
  groups: GPUBindGroup[];
  material: LoadedMaterial | null;
  destroy(): void;
}

const nextId = new WeakMap<Uint8Array, number>();
let ids = 0;

/**
 * Load a .wgmat (bytes) and build the decode pass over the frame's G-buffer textures.
 * One material for now: surfaces with material index 1 use it; null: a pass-through.
 */
export async function createMaterialPass(device: GPUDevice, wgmat: Uint8Array | null, g: { normal: GPUTexture; albedo: GPUTexture; surface: GPUTexture; tangent: GPUTexture }, width: number, height: number): Promise<MaterialPass> {
  const material = wgmat ? loadMaterial(device, wgmat) : null;
  if (wgmat && !nextId.has(wgmat)) nextId.set(wgmat, ++ids);
  const { code, layout1, entries1 } = decodeWgsl(material, device);
  const tex = (b: number): GPUBindGroupLayoutEntry => ({ binding: b, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'unfilterable-float' } });
  const l0 = device.createBindGroupLayout({ label: 'wgml demo material decode g-buffer', entries: [tex(0), tex(1), tex(2), tex(3),
    { binding: 4, visibility: GPUShaderStage.COMPUTE, storageTexture: { access: 'write-only', format: SHADE_ALBEDO_FORMAT } },
    { binding: 5, visibility: GPUShaderStage.COMPUTE, storageTexture: { access: 'write-only', format: SHADE_NORMAL_FORMAT } }] });
  const l1 = layout1 ? device.createBindGroupLayout({ label: 'wgml demo material decode weights', entries: layout1 }) : null;
  // Layouts are per call (explicit), so the pipeline is cached by the WGSL text only when layouts match: key by material bytes.
  const pipeline = await cachedPipeline(device, `wgml demo material decode ${wgmat ? nextId.get(wgmat) : 'none'}`, () => device.createComputePipelineAsync({
    label: 'wgml demo material decode', layout: device.createPipelineLayout({ label: 'wgml demo material decode', bindGroupLayouts: l1 ? [l0, l1] : [l0] }),
    compute: { module: device.createShaderModule({ label: 'wgml demo material decode', code }), entryPoint: 'main' },
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
  if (l1) groups.push(device.createBindGroup({ label: 'wgml demo material decode weights', layout: pipeline.getBindGroupLayout(1), entries: entries1() }));
  return {
    albedo, normal, pipeline, groups, material,
    destroy() { albedo.destroy(); normal.destroy(); for (const t of material?.latentTextures ?? []) t.destroy(); },
  };
}

export function encodeMaterialDecode(encoder: GPUCommandEncoder, p: MaterialPass, width: number, height: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeImagePass(encoder, 'wgml demo material decode', p.pipeline, p.groups, width, height, timestampWrites);
}
