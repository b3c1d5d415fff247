/**
 * One frame of the showcase: G-buffer pass (raster, or compute ray casting: `gbuffer`) → material decode (neural material MLP per pixel) → AO
 * slot → lighting pass, recorded into the caller's encoder with no readback. The AO slot is chosen
 * explicitly: 'network' (texture → tensor → ONNX network → texture, inside encodeNetwork),
 * 'groundtruth' (ray-cast reference) or 'none' (AO = 1).
 */
import { DEFAULT_LIGHTING, frameUniforms, FRAME_BYTES, type LightingParams } from './common.js';
import { createGBufferTargets, encodeGBuffer, gbufferPipeline, type GBufferDraw, type GBufferTargets } from './gbuffer.js';
import { computeGBufferBindGroup, computeGBufferPipeline, createComputeGBufferTargets, encodeComputeGBuffer } from './gbuffer-compute.js';
import { encodeGroundTruthAO, gtaoPipeline } from './gtao.js';
import { COLOR_FORMAT, encodeLighting, lightingPipeline } from './lighting.js';
import type { Camera } from './math.js';
import { createAONetwork, DemoError, type AONetwork } from './network.js';
import { createMaterialPass, encodeMaterialDecode, type MaterialPass } from './material.js';
import { buildMesh, packPrimitives, sceneMaterials, type Scene } from './scene.js';

export type AOMode = 'network' | 'groundtruth' | 'none';
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
  /** The neural material (.wgmat bytes) for surfaces with material 1; required when the scene uses it. */
  material?: Uint8Array;
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
  /** The AO slot (r32float) the lighting pass multiplies the ambient term by. */
  aoTexture: GPUTexture;
  /** Final image (rgba8unorm). */
  color: GPUTexture;
  uniforms: GPUBuffer;
  /** The raster pass's draw ('raster') or the compute pass ('compute'): exactly one is set. */
  draw: GBufferDraw | null;
  gbufferCompute: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup } | null;
  gtao: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  light: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  network: AONetwork | null;
  buffers: GPUBuffer[];
}

/** Timestamp slots for the passes of a frame; encodeFrame fills two per pass, from `first` on. */
export interface FrameTiming {
  querySet: GPUQuerySet;
  first: number;
}

/** Names of the timed passes encodeFrame records, in order, for an AO mode. */
export function framePasses(ao: AOMode): string[] {
  return ['gbuffer', 'material', ...(ao === 'network' ? ['network'] : ao === 'groundtruth' ? ['groundtruth-ao'] : []), 'lighting'];
}

export async function createFrameState(device: GPUDevice, o: FrameOptions): Promise<FrameState> {
  const { width, height } = o;
  if (o.ao === 'network' && !o.model) throw new DemoError("ao: 'network' needs a model", 'pass model: "models/ao/ao.onnx" (or its bytes)');
  const used = sceneMaterials(o.scene);
  if (used > 1) throw new DemoError(`the scene uses material ${used}; the demo decodes one neural material`, 'give every textured primitive material: 1', { used });
  if (used && !o.material) throw new DemoError('the scene has neural-material surfaces but no material was given', 'pass material: the bytes of a .wgmat (examples/materials/bricks.wgmat, made by wgml compress)');
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

  const [ap, lp, material] = await Promise.all([gtaoPipeline(device, mode === 'raster' ? 'depth' : 'ray'), lightingPipeline(device),
    createMaterialPass(device, used ? o.material! : null, gbuffer, width, height)]);
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
  const gtao = {
    pipeline: ap,
    bindGroup: device.createBindGroup({ label: 'wgml demo ground-truth AO', layout: ap.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: uniforms } }, ...(gbuffer.depth ? [{ binding: 1, resource: view(gbuffer.depth, 'depth') }] : []),
      { binding: 2, resource: view(gbuffer.normal, 'normal') }, { binding: 3, resource: view(gbuffer.albedo, 'albedo') },
      { binding: 4, resource: { buffer: primBuf } }, { binding: 5, resource: view(aoTexture, 'AO') },
    ] }),
  };
  const light = {
    pipeline: lp,
    bindGroup: device.createBindGroup({ label: 'wgml demo lighting', layout: lp.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: view(material.normal, 'shading normal') },
      { binding: 2, resource: view(gbuffer.albedo, 'albedo') }, { binding: 3, resource: view(aoTexture, 'AO') },
      { binding: 4, resource: view(color, 'color') }, { binding: 5, resource: view(material.albedo, 'shading albedo') },
    ] }),
  };
  const network = o.ao === 'network' ? await createAONetwork(device, o.model!, gbuffer.normal, aoTexture) : null;
  return { device, width, height, ao: o.ao, gbufferMode: mode, camera: o.camera, lighting, gbuffer, material, aoTexture, color, uniforms, draw, gbufferCompute, gtao, light, network, buffers };
}

/** Move the camera (orbit parameters); takes effect for frames encoded afterwards. */
export function setCamera(state: FrameState, camera: Camera): void {
  state.camera = camera;
  state.device.queue.writeBuffer(state.uniforms, 0, frameUniforms(camera, state.width, state.height, state.lighting));
}

/** Ground-truth AO into the AO slot (also used by the dataset writer, whatever the frame's mode). */
export function encodeGroundTruth(encoder: GPUCommandEncoder, state: FrameState, timestampWrites?: GPUComputePassTimestampWrites): void {
  encodeGroundTruthAO(encoder, state.gtao.pipeline, state.gtao.bindGroup, state.width, state.height, timestampWrites);
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
  if (state.ao === 'network') state.network!.encode(encoder, tw());
  else if (state.ao === 'groundtruth') encodeGroundTruth(encoder, state, tw());
  encodeLighting(encoder, state.light.pipeline, state.light.bindGroup, state.width, state.height, tw());
}

export function destroyFrameState(state: FrameState): void {
  for (const b of state.buffers) b.destroy();
  state.network?.destroy();
  state.material.destroy();
  for (const t of [...Object.values(state.gbuffer), state.aoTexture, state.color]) t?.destroy();
}
