/**
 * One frame of the showcase: G-buffer pass (raster, or compute ray casting: `gbuffer`) → material decode (neural material MLP per pixel) → AO
 * slot → lighting pass, recorded into the caller's encoder with no readback. The AO slot is chosen
 * explicitly: 'network' (G-buffer → grid at the model's scale → ONNX network via encodeNetwork →
 * guided upsample, network.ts), 'gtao' (the screen-space GTAO games ship, gtao.ts), 'raycast'
 * (the ray-cast reference every other slot is measured against, raycast-ao.ts) or 'none' (AO = 1).
 */
import { DEFAULT_LIGHTING, frameUniforms, FRAME_BYTES, type LightingParams } from './common.js';
import { createGBufferTargets, encodeGBuffer, gbufferPipeline, type GBufferDraw, type GBufferTargets } from './gbuffer.js';
import { computeGBufferBindGroup, computeGBufferPipeline, createComputeGBufferTargets, encodeComputeGBuffer } from './gbuffer-compute.js';
import { createGtaoPass, encodeGtao, type GtaoPass } from './gtao.js';
import { encodeRayCastAO, rayCastAOPipeline } from './raycast-ao.js';
import { COLOR_FORMAT, encodeLighting, lightingPipeline } from './lighting.js';
import type { Camera } from './math.js';
import { createAONetwork, DemoError, type AONetwork } from './network.js';
import { createMaterialPass, encodeMaterialDecode, type MaterialMode, type MaterialPass, type MaterialSet } from './material.js';
import { buildMesh, packPrimitives, sceneMaterials, type Scene } from './scene.js';

export type AOMode = 'network' | 'gtao' | 'raycast' | 'none';
/** Every AO slot, in the order the demo compares them. */
export const AO_MODES: readonly AOMode[] = ['network', 'gtao', 'raycast', 'none'];
/**
 * How the G-buffer is made: 'raster' draws the scene mesh (render pass), 'compute' casts one primary
 * ray per pixel against the analytic scene (compute pass; far faster on GPUs with few graphics
 * units, e.g. the H100). Same targets, same contents up to silhouette pixels and mesh faceting.
 */
export type GBufferMode = 'raster' | 'compute';

export interface FrameOptions {
  width: number;
  height: number;
  scene: Scene;
  camera: Camera;
  ao: AOMode;
  /** G-buffer path (default 'raster'). */
  gbuffer?: GBufferMode;
  /** The ONNX AO model (path in Node, URL, or bytes); required for ao: 'network'. */
  model?: string | URL | Uint8Array;
  /** The neural material (.wgmat bytes) for surfaces with material 1 (shorthand for materials: { wgmats: [material] }). */
  material?: Uint8Array;
  /** The neural materials for surfaces with material 1…M (and their original textures for materialMode 'original'); required for the indices the scene uses. */
  materials?: MaterialSet;
  /** Decode the neural materials (default) or read the textures they were compressed from. */
  materialMode?: MaterialMode;
  lighting?: Partial<LightingParams>;
}

export interface FrameState {
  device: GPUDevice;
  width: number;
  height: number;
  ao: AOMode;
  gbufferMode: GBufferMode;
  camera: Camera;
  lighting: LightingParams;
  gbuffer: GBufferTargets;
  /** Material decode pass and its outputs (shading albedo + roughness, shading normal). */
  material: MaterialPass;
  /** The materials the pass decodes (kept to switch modes). */
  materialSet: MaterialSet;
  /** The AO slot (r32float) the lighting pass multiplies the ambient term by. */
  aoTexture: GPUTexture;
  /** Final image (rgba8unorm). */
  color: GPUTexture;
  uniforms: GPUBuffer;
  /** The analytic scene (scene.ts packPrimitives) the ray casts read: compute G-buffer, ray-cast AO, the AO slot's second layer. */
  prims: GPUBuffer;
  /** The raster pass's draw ('raster') or the compute pass ('compute'): exactly one is set. */
  draw: GBufferDraw | null;
  gbufferCompute: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup } | null;
  /** The ray-cast AO, bound whatever the mode (comparisons and the dataset use it). */
  raycast: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  /** GTAO, for ao: 'gtao'. */
  gtao: GtaoPass | null;
  light: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  network: AONetwork | null;
  buffers: GPUBuffer[];
}

/** Timestamp slots for the passes of a frame; encodeFrame fills two per pass, from `first` on. */
export interface FrameTiming {
  querySet: GPUQuerySet;
  first: number;
}

/** The passes of each AO slot, as timed. */
const AO_PASSES: Record<AOMode, string[]> = { network: ['ao-input', 'network', 'ao-upsample'], gtao: ['gtao'], raycast: ['raycast-ao'], none: [] };

/** Names of the timed passes encodeFrame records, in order, for an AO mode. */
export function framePasses(ao: AOMode): string[] {
  return ['gbuffer', 'material', ...AO_PASSES[ao], 'lighting'];
}

export async function createFrameState(device: GPUDevice, o: FrameOptions): Promise<FrameState> {
  const { width, height } = o;
  if (!AO_MODES.includes(o.ao)) throw new DemoError(`ao: '${String(o.ao)}' is not an AO slot`, `pass ao: ${AO_MODES.map((m) => `'${m}'`).join(', ')}`, { ao: o.ao });
  if (o.ao === 'network' && !o.model) throw new DemoError("ao: 'network' needs a model", 'pass model: "models/ao/ao.onnx" (or its bytes)');
  const used = sceneMaterials(o.scene);
  const set: MaterialSet = o.materials ?? { wgmats: o.material ? [o.material] : [] };
  if (used > set.wgmats.length) throw new DemoError(used === 1 || !set.wgmats.length ? 'the scene has neural-material surfaces but no material was given'
    : `the scene uses material ${used}; only ${set.wgmats.length} material(s) were given`,
  'pass materials: { wgmats: [...] } with a .wgmat (made by wgml compress) for every index the scene uses (examples/materials/*.wgmat)', { used, given: set.wgmats.length });
  const mode = o.gbuffer ?? 'raster';
  if (mode !== 'raster' && mode !== 'compute') throw new DemoError(`gbuffer: '${String(mode)}' is not a G-buffer path`, "pass gbuffer: 'raster' or 'compute'", { gbuffer: mode });
  const lighting = { ...DEFAULT_LIGHTING, ...o.lighting };
  const uniforms = device.createBuffer({ label: 'wgml demo frame uniforms', size: FRAME_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniforms, 0, frameUniforms(o.camera, width, height, lighting));
  const prims = packPrimitives(o.scene);
  const primBuf = device.createBuffer({ label: 'wgml demo primitives', size: prims.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(primBuf, 0, prims);

  const gbuffer = mode === 'raster' ? createGBufferTargets(device, width, height) : createComputeGBufferTargets(device, width, height);
  const aoTexture = device.createTexture({ label: 'wgml demo AO', size: { width, height }, format: 'r32float',
    usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC });
  // 'none' means AO = 1 everywhere; write it once, no pass per frame.
  if (o.ao === 'none') device.queue.writeTexture({ texture: aoTexture }, new Float32Array(width * height).fill(1), { bytesPerRow: width * 4 }, { width, height });
  const color = device.createTexture({ label: 'wgml demo color', size: { width, height }, format: COLOR_FORMAT,
    usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC });

  const [ap, lp, material] = await Promise.all([rayCastAOPipeline(device, mode === 'raster' ? 'depth' : 'ray'), lightingPipeline(device),
    createMaterialPass(device, { ...set, wgmats: set.wgmats.slice(0, used) }, gbuffer, width, height, o.materialMode ?? 'neural')]);
  const view = (t: GPUTexture, what: string) => t.createView({ label: `wgml demo ${what} view` });
  const buffers = [uniforms, primBuf];
  let draw: GBufferDraw | null = null, gbufferCompute: FrameState['gbufferCompute'] = null;
  if (mode === 'raster') {
    const mesh = buildMesh(o.scene);
    const vertices = device.createBuffer({ label: 'wgml demo vertices', size: mesh.vertices.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(vertices, 0, mesh.vertices);
    const indices = device.createBuffer({ label: 'wgml demo indices', size: mesh.indices.byteLength, usage: GPUBufferUsage.INDEX | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(indices, 0, mesh.indices);
    buffers.push(vertices, indices);
    const gp = await gbufferPipeline(device);
    draw = {
      pipeline: gp, vertices, indices, indexCount: mesh.indices.length,
      bindGroup: device.createBindGroup({ label: 'wgml demo gbuffer', layout: gp.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniforms } }] }),
    };
  } else {
    const cp = await computeGBufferPipeline(device);
    gbufferCompute = { pipeline: cp, bindGroup: computeGBufferBindGroup(device, cp, gbuffer, uniforms, primBuf) };
  }
  // Bound whatever the mode, so a frame can be compared against (or trained on) the reference.
  const raycast = {
    pipeline: ap,
    bindGroup: device.createBindGroup({ label: 'wgml demo ray-cast AO', layout: ap.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: uniforms } }, ...(gbuffer.depth ? [{ binding: 1, resource: view(gbuffer.depth, 'depth') }] : []),
      { binding: 2, resource: view(gbuffer.normal, 'normal') }, { binding: 3, resource: view(gbuffer.albedo, 'albedo') },
      { binding: 4, resource: { buffer: primBuf } }, { binding: 5, resource: view(aoTexture, 'AO') },
    ] }),
  };
  const light = { pipeline: lp, bindGroup: lightBindGroup(device, lp, uniforms, material, gbuffer, aoTexture, color) };
  const network = o.ao === 'network' ? await createAONetwork(device, o.model!, gbuffer.normal, aoTexture, { fovY: o.camera.fovY, frameUniforms: uniforms, scenePrims: primBuf }) : null;
  const gtao = o.ao === 'gtao' ? await createGtaoPass(device, gbuffer.normal, aoTexture, uniforms) : null;
  return { device, width, height, ao: o.ao, gbufferMode: mode, camera: o.camera, lighting, gbuffer, material, materialSet: { ...set, wgmats: set.wgmats.slice(0, used) }, aoTexture, color, uniforms, prims: primBuf, draw, gbufferCompute, raycast, gtao, light, network, buffers };
}

function lightBindGroup(device: GPUDevice, lp: GPUComputePipeline, uniforms: GPUBuffer, material: MaterialPass, gbuffer: GBufferTargets, ao: GPUTexture, color: GPUTexture): GPUBindGroup {
  const view = (t: GPUTexture, what: string) => t.createView({ label: `wgml demo ${what} view` });
  return device.createBindGroup({ label: 'wgml demo lighting', layout: lp.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: view(material.normal, 'shading normal') },
    { binding: 2, resource: view(gbuffer.albedo, 'albedo') }, { binding: 3, resource: view(ao, 'AO') },
    { binding: 4, resource: view(color, 'color') }, { binding: 5, resource: view(material.albedo, 'shading albedo') },
  ] });
}

/** Switch between the neural materials and the textures they were compressed from; takes effect for frames encoded afterwards. */
export async function setMaterialMode(state: FrameState, mode: MaterialMode): Promise<void> {
  if (state.material.mode === mode) return;
  const next = await createMaterialPass(state.device, state.materialSet, state.gbuffer, state.width, state.height, mode);
  const old = state.material;
  state.material = next;
  state.light = { pipeline: state.light.pipeline, bindGroup: lightBindGroup(state.device, state.light.pipeline, state.uniforms, next, state.gbuffer, state.aoTexture, state.color) };
  // Frames already submitted may still read the old pass's textures: free them once the queue is past them.
  state.device.queue.onSubmittedWorkDone().then(() => old.destroy(), () => old.destroy());
}

/** Change lighting parameters (e.g. the ray-cast AO's seed or ray count); takes effect for frames encoded afterwards. */
export function setLighting(state: FrameState, lighting: Partial<LightingParams>): void {
  state.lighting = { ...state.lighting, ...lighting };
  state.device.queue.writeBuffer(state.uniforms, 0, frameUniforms(state.camera, state.width, state.height, state.lighting));
}

/** Move the camera (orbit parameters); takes effect for frames encoded afterwards. */
export function setCamera(state: FrameState, camera: Camera): void {
  state.camera = camera;
  state.device.queue.writeBuffer(state.uniforms, 0, frameUniforms(camera, state.width, state.height, state.lighting));
}

/** Ray-cast AO into the AO slot (also used by the dataset writer, whatever the frame's mode). */
export function encodeRayCast(encoder: GPUCommandEncoder, state: FrameState, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeRayCastAO(encoder, state.raycast.pipeline, state.raycast.bindGroup, state.width, state.height, timestampWrites);
}

/**
 * Record a whole frame into `encoder`: G-buffer → material decode → AO slot (per state.ao) →
 * lighting into state.color. One encoder, one submit by the caller, nothing read back.
 * @example
 * const enc = device.createCommandEncoder();
 * encodeFrame(enc, state);
 * device.queue.submit([enc.finish()]);
 */
export function encodeFrame(encoder: GPUCommandEncoder, state: FrameState, timing?: FrameTiming): void {
  let slot = timing?.first ?? 0;
  const tw = () => (timing ? { querySet: timing.querySet, beginningOfPassWriteIndex: slot++, endOfPassWriteIndex: slot++ } : undefined);
  if (state.draw) encodeGBuffer(encoder, state.gbuffer, state.draw, tw());
  else encodeComputeGBuffer(encoder, state.gbufferCompute!.pipeline, state.gbufferCompute!.bindGroup, state.width, state.height, tw());
  encodeMaterialDecode(encoder, state.material, state.width, state.height, tw());
  if (state.ao === 'network') state.network!.encode(encoder, [tw(), tw(), tw()].filter((t) => t !== undefined));
  else if (state.ao === 'gtao') encodeGtao(encoder, state.gtao!, state.width, state.height, tw());
  else if (state.ao === 'raycast') encodeRayCast(encoder, state, tw());
  encodeLighting(encoder, state.light.pipeline, state.light.bindGroup, state.width, state.height, tw());
}

export function destroyFrameState(state: FrameState): void {
  for (const b of state.buffers) b.destroy();
  state.network?.destroy();
  state.gtao?.destroy();
  state.material.destroy();
  for (const t of [...Object.values(state.gbuffer), state.aoTexture, state.color]) t?.destroy();
}
