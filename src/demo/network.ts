/**
 * The neural AO slot: G-buffer normal/depth texture → (point-sampled to the network's scale) →
 * ONNX network through encodeNetwork → guided upsample → the AO texture, all recorded into the
 * frame's encoder (no readback, no extra submit).
 *
 * Why a scale: AO reaches a fixed distance in the world (1 unit), so in pixels it grows with the
 * focal length. A network sees a fixed number of pixels around each pixel, and one trained on
 * 256×256 frames sees far too little of a 1080p frame (the old model scored 20 dB there). A model
 * states the focal length in pixels it was trained at (ONNX metadata `wgml.ao.focal_px`); the slot
 * runs it on every k-th pixel (k a whole number: 4 at 1080p for a model trained around 234 px),
 * which also costs 1/k² of the full-resolution network, and brings the result back to full
 * resolution with a joint bilateral upsample guided by the full-resolution depth and normals (AO is
 * smooth within a surface; the guide keeps its edges at the geometry's). A model without the key
 * runs at full resolution (k = 1), the upsample then a copy.
 */
import { WgmlError } from '../errors.js';
import { loadLibrary } from '../runtime/library.js';
import { createPipeline } from '../runtime/pipeline.js';
import { createHeap } from '../runtime/heap.js';
import { encodeNetwork } from '../runtime/encode.js';
import type { BoundNetwork } from '../runtime/bind.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { prepareTensorToTexture, type TextureBridge } from '../tensor/texture.js';
import type { Graph } from '../ir/types.js';
import { computePipeline, DEFAULT_LIGHTING, DEPTH_SCALE, encodeImagePass, FRAME_BYTES, FRAME_WGSL } from './common.js';
import { perspective } from './math.js';
import { gtaoVisibilityWgsl, VIEW_WGSL } from './gtao.js';
import { PRIMS_WGSL } from './prims.js';

/** A demo-level refusal (a missing material or model, a model that does not fit the AO contract). */
export class DemoError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_DEMO', message, hint, details);
  }
}

/** Input and output names of models/ao/ao.onnx (training/train_ao.py exports them so). */
export const AO_INPUT = 'gbuffer';
export const AO_OUTPUT = 'ao';
/** Metadata keys (ONNX metadata_props) the slot reads: the training focal length in pixels, and the multiple H and W must be. */
export const AO_FOCAL_KEY = 'wgml.ao.focal_px';
export const AO_MULTIPLE_KEY = 'wgml.ao.multiple';

export interface AOModelInfo {
  /** Vertical focal length in pixels of the frames the model was trained on; null: unknown (run at full resolution). */
  focalPx: number | null;
  /** H and W of the network input must be multiples of this (2^levels of its U-Net). */
  multiple: number;
  /** Input channels (AO_CHANNELS: 4, 5, 6 or 7), from the model's input shape. */
  channels: AOChannels;
}

/** What a model's metadata says about how to feed it (defaults: full resolution, multiples of 8, the first model's contract). */
export function aoModelInfo(graph: Graph): AOModelInfo {
  const m = graph.metadata ?? {};
  const focal = Number(m[AO_FOCAL_KEY]), multiple = Number(m[AO_MULTIPLE_KEY] ?? 8);
  if (!Number.isInteger(multiple) || multiple < 1) throw new DemoError(`the AO model's ${AO_MULTIPLE_KEY} is '${m[AO_MULTIPLE_KEY]}', not a positive integer`, 're-export the model with training/train_ao.py', { value: m[AO_MULTIPLE_KEY] });
  const input = graph.inputs.find((i) => i.name === AO_INPUT);
  const c = input?.shape[1];
  if (!isAOChannels(c)) throw new DemoError(`the AO model's input '${AO_INPUT}' has ${String(c)} channels; the slot feeds ${AO_CHANNEL_CHOICES}`, 're-export the model with training/train_ao.py', { shape: input?.shape });
  return { focalPx: Number.isFinite(focal) && focal > 0 ? focal : null, multiple, channels: c };
}

/** Vertical focal length in pixels of a frame `height` pixels tall with vertical field of view `fovY`. */
export const focalPx = (height: number, fovY: number): number => (0.5 * height) / Math.tan(fovY / 2);

/**
 * The whole step k whose 1/k scale brings the frame's focal length nearest (in ratio) to the model's: 4 at 1080p
 * and 8 at 4K for a model trained around 236 px, 5 at 1440p and 3 at 720p. It was the nearest power of two, which
 * left 720p and 1440p 32% off the training scale (k = 2 and 4): at 720p k = 3 scored the same (29.08 against 29.19
 * dB, 5 held-out views on lavapipe, bench/ao-2026-12-04b/lavapipe-720p-step.txt) on 2.25× fewer grid pixels.
 */
export function aoFactor(info: AOModelInfo, height: number, fovY: number): number {
  if (info.focalPx === null) return 1;
  const ratio = focalPx(height, fovY) / info.focalPx;
  if (ratio <= 1) return 1;
  const lo = Math.floor(ratio);
  return ratio / lo <= (lo + 1) / ratio ? lo : lo + 1;
}

export interface AONetwork {
  bound: BoundNetwork;
  /** Sampling step from the full frame to the network's grid. */
  factor: number;
  /** The network's grid (multiples of the model's `multiple`; the rows and columns past the frame repeat its edge). */
  gridWidth: number;
  gridHeight: number;
  /** The timed passes encode() records, in order. */
  passes: readonly ['ao-input', 'network', 'ao-upsample'];
  /** Record the three passes; `timestampWrites` gives one pair per pass, in `passes` order. */
  encode(encoder: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites[]): void;
  destroy(): void;
}

export interface AONetworkOptions {
  /** Vertical field of view of the frame in radians (default π/3, the demo camera's): sets the scale. */
  fovY?: number;
  /** Force the sampling step instead of deriving it from the model's focal length. */
  factor?: number;
  /**
   * The frame's uniform block (common.ts FRAME_WGSL) for models that take GTAO as a fifth channel; without it
   * the slot makes its own from `fovY`, the frame's aspect and the demo's AO distance (a fixed camera lens).
   */
  frameUniforms?: GPUBuffer;
  /** The analytic scene (scene.ts packPrimitives) for models that take a second depth layer (6 channels). */
  scenePrims?: GPUBuffer;
}

/** A FRAME_WGSL block holding what the horizon search reads: the projection, the AO distance and the depth scale. */
function lensUniforms(device: GPUDevice, fovY: number, aspect: number): GPUBuffer {
  const f = new Float32Array(FRAME_BYTES / 4);
  f.set(perspective(fovY, aspect, 0.1, 60), 16);
  f.set([DEFAULT_LIGHTING.aoDistance, 0, 0, DEPTH_SCALE], 72);
  const b = device.createBuffer({ label: 'wgml demo AO lens', size: FRAME_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, f);
  return b;
}

/**
 * Input channels a model may take: the G-buffer's view normal xyz and depth, then optionally the GTAO horizon
 * search's visibility (5); with it, the gap to a second depth layer (6: what lies behind the visible surface); or
 * GTAO's visibility within the whole AO distance, half and a quarter of it from one search (7: how far the
 * occluders are).
 */
export const AO_CHANNELS = { 4: 'normal,depth', 5: 'normal,depth,gtao', 6: 'normal,depth,gtao,layer2_gap', 7: 'normal,depth,gtao,gtao_half,gtao_quarter' } as const;
export type AOChannels = keyof typeof AO_CHANNELS;
export const isAOChannels = (c: unknown): c is AOChannels => typeof c === 'number' && c in AO_CHANNELS;
/** The channel counts a slot feeds, for error messages: "4 (normal,depth) or 5 (normal,depth,gtao) or …". */
export const AO_CHANNEL_CHOICES = Object.entries(AO_CHANNELS).map(([c, n]) => `${c} (${n})`).join(' or ');
/** The fractions of the AO distance whose GTAO visibilities follow the G-buffer channels, per channel count. */
export const AO_GTAO_RADII: Record<AOChannels, readonly number[]> = { 4: [], 5: [1], 6: [1], 7: [1, 0.5, 0.25] };
/** The channel after GTAO's that holds the second depth layer's gap, per channel count (null: none). */
export const AO_LAYER2_CHANNEL: Record<AOChannels, number | null> = { 4: null, 5: null, 6: 5, 7: null };
/**
 * The second layer's gap is clamped here (view-depth units, the AO distance being 1): a surface this far behind
 * the visible one occludes nothing near it, and "no second surface" reads the same.
 */
export const LAYER2_MAX_GAP = 2;

const downWgsl = (channels: AOChannels) => {
  const radii = AO_GTAO_RADII[channels];
  const search = radii.length > 0;
  const layer2 = AO_LAYER2_CHANNEL[channels];
  // One radius returns f32, several a vector: its components go to consecutive planes.
  const store = radii.length === 1 ? '  x[4u * plane + i] = vis;'
    : radii.map((_, r) => `  x[${4 + r}u * plane + i] = vis[${r}];`).join('\n');
  return (search ? FRAME_WGSL : '') + /* wgsl */ `
struct P { k: u32, gw: u32, gh: u32, _p: u32 }
@group(0) @binding(0) var<uniform> U: P;
@group(0) @binding(1) var normalTex: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
${search ? `@group(0) @binding(3) var<uniform> F: Frame;
@group(0) @binding(4) var depthSampler: sampler;
${VIEW_WGSL}${gtaoVisibilityWgsl('gtao_visibility', radii)}` : ''}
${layer2 !== null ? `@group(0) @binding(5) var<storage, read> prims: array<Prim>;
${PRIMS_WGSL}` : ''}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= U.gw || g.y >= U.gh) { return; }
  let dims = textureDimensions(normalTex);
  // One pixel of each k×k block (not an average: a mean of two surfaces is a surface that is not there).
  let src = min(g.xy * U.k + U.k / 2u, dims - 1u);
  let v = textureLoad(normalTex, vec2i(src), 0);
  let plane = U.gw * U.gh;
  let i = g.y * U.gw + g.x;
  x[i] = v.x; x[plane + i] = v.y; x[2u * plane + i] = v.z; x[3u * plane + i] = v.w;
${search ? `  // GTAO's horizon search at the sample, so the model starts from the occlusion a screen-space method sees.
  // It runs in grid pixels (the G-buffer sampled at the same uv), its 4×4 pattern laid on the grid: the
  // training data ran this code with k = 1, and steps of full-resolution pixels would see finer (and
  // f16-quantized) depth than the model was trained on. Sky: open at every radius.
  let kf = f32(U.k);
  var vis = gtao_visibility((vec2f(src) + 0.5) / kf, vec2f(dims) / kf, v, (g.y & 3u) * 4u + (g.x & 3u));
  if (dot(v.xyz, v.xyz) < 0.25) { vis = ${radii.length === 1 ? 'f32' : `vec${radii.length}f`}(1.0); }
${store}` : ''}
${layer2 !== null ? `  // The second layer (a depth peel with back faces culled, at the sample only): the nearest surface entered
  // behind the visible one along the pixel's primary ray, as a gap in view depth. The visible surface's own
  // back is skipped by the culling; hidden occluders behind it (the far side of a column, the floor behind a
  // crate) are what screen-space AO cannot see. Sky and "nothing behind": the clamp.
  var gap = ${LAYER2_MAX_GAP.toFixed(1)};
  if (dot(v.xyz, v.xyz) >= 0.25) {
    let cr = camera_ray(src, dims);
    let t1 = v.w * F.ao.w / cr.depth_per_t;
    let t2 = nearest_front(cr.o, cr.d, t1 * 1.001 + 1e-3, t1 + ${LAYER2_MAX_GAP.toFixed(1)} / cr.depth_per_t);
    gap = min((t2 - t1) * cr.depth_per_t, ${LAYER2_MAX_GAP.toFixed(1)});
  }
  x[${layer2}u * plane + i] = gap;` : ''}
}`;
};

export interface AOInputGridOptions {
  /** Sampling step from the G-buffer to the grid. */
  k: number;
  gw: number;
  gh: number;
  channels: AOChannels;
  /** The frame's uniform block (common.ts FRAME_WGSL): projection, AO distance, depth scale; needed for 5 channels. */
  frameUniforms?: GPUBuffer;
  /** The analytic scene (prims.ts, scene.ts packPrimitives) the second layer is cast against; needed for 6 channels. */
  scenePrims?: GPUBuffer;
}

export interface AOInputGrid {
  encode(encoder: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites): void;
  destroy(): void;
}

/**
 * The network's input: every k-th pixel of the G-buffer normal/depth texture (and, for 5-channel models,
 * GTAO's visibility there) into `out` [1, channels, gh, gw]. The AO slot and the training data
 * (dataset.ts, k = 1) both use it, so a model sees at run time exactly what it was trained on.
 */
export async function createAOInputGrid(device: GPUDevice, gbuffer: GPUTexture, out: Tensor, o: AOInputGridOptions): Promise<AOInputGrid> {
  if (AO_GTAO_RADII[o.channels].length > 0 && !o.frameUniforms)
    throw new DemoError(`a ${o.channels}-channel AO model (${AO_CHANNELS[o.channels]}) needs the frame's uniform block for the horizon search`, 'pass frameUniforms (the demo frame passes its own)');
  if (AO_LAYER2_CHANNEL[o.channels] !== null && !o.scenePrims)
    throw new DemoError(`a ${o.channels}-channel AO model (${AO_CHANNELS[o.channels]}) needs the scene's primitives for its second depth layer`, 'pass scenePrims (the demo frame passes its own), or use a 5-channel model');
  const label = `wgml demo AO input grid (${AO_CHANNELS[o.channels]})`;
  const pipe = await computePipeline(device, label, downWgsl(o.channels));
  const uniforms = device.createBuffer({ label: `${label} sizes`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniforms, 0, new Uint32Array([o.k, o.gw, o.gh, 0]));
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: gbuffer.createView({ label: `${label} g-buffer view` }) },
    { binding: 2, resource: { buffer: out.buffer, offset: out.offset * 4, size: out.size * 4 } }];
  if (AO_GTAO_RADII[o.channels].length > 0) entries.push({ binding: 3, resource: { buffer: o.frameUniforms! } },
    { binding: 4, resource: device.createSampler({ label: `${label} depth (bilinear, clamped)`, magFilter: 'linear', minFilter: 'linear' }) });
  if (AO_LAYER2_CHANNEL[o.channels] !== null) entries.push({ binding: 5, resource: { buffer: o.scenePrims! } });
  const group = device.createBindGroup({ label, layout: pipe.getBindGroupLayout(0), entries });
  return {
    encode(encoder, tw) { encodeImagePass(encoder, label, pipe, group, o.gw, o.gh, tw); },
    destroy() { uniforms.destroy(); },
  };
}

/** Relative depth difference at which a grid sample's weight falls to 1/e in the upsample. */
export const UPSAMPLE_DEPTH = 0.03;

const upWgsl = (toTexture: boolean) => /* wgsl */ `
struct P { k: u32, gw: u32, gh: u32, _p: u32 }
@group(0) @binding(0) var<uniform> U: P;
@group(0) @binding(1) var gbuf: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
${toTexture ? '@group(0) @binding(4) var aoOut: texture_storage_2d<r32float, write>;' : '@group(0) @binding(4) var<storage, read_write> aoOut: array<f32>;'}
fn put(p: vec2u, w: u32, v: f32) { ${toTexture ? 'textureStore(aoOut, vec2i(p), vec4f(v));' : 'aoOut[p.y * w + p.x] = v;'} }
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3u) {
  let dims = textureDimensions(gbuf);
  if (g.x >= dims.x || g.y >= dims.y) { return; }
  let plane = U.gw * U.gh;
  let c = textureLoad(gbuf, vec2i(g.xy), 0);
  if (dot(c.xyz, c.xyz) < 0.25) { put(g.xy, dims.x, 1.0); return; }
  // Grid sample (i, j) sits on full-resolution pixel (i·k + k/2, j·k + k/2): this pixel's place among them.
  let u = (vec2f(g.xy) - f32(U.k / 2u)) / f32(U.k);
  let base = vec2i(floor(u));
  let f = u - vec2f(base);
  var sum = 0.0; var wsum = 0.0; var best = 0.0; var bestDz = 1e30;
  for (var t = 0u; t < 4u; t++) {
    let o = vec2i(i32(t & 1u), i32(t >> 1u));
    let q = clamp(base + o, vec2i(0), vec2i(i32(U.gw) - 1, i32(U.gh) - 1));
    let wb = select(1.0 - f.x, f.x, o.x == 1) * select(1.0 - f.y, f.y, o.y == 1);
    if (wb <= 0.0) { continue; }
    let i = u32(q.y) * U.gw + u32(q.x);
    let n = vec3f(x[i], x[plane + i], x[2u * plane + i]);
    let dz = abs(x[3u * plane + i] - c.w);
    let rel = dz / (${UPSAMPLE_DEPTH} * c.w);
    let w = wb * exp(-rel * rel) * pow(max(dot(n, c.xyz), 0.0), 8.0);
    sum += w * y[i]; wsum += w;
    if (dz < bestDz) { bestDz = dz; best = y[i]; }
  }
  // No sample on this surface (a thin feature between grid points): the nearest in depth.
  put(g.xy, dims.x, select(best, sum / wsum, wsum > 1e-4));
}`;

/**
 * Load the AO model (path in Node, URL in the browser, or bytes) and bind it between the frame's
 * G-buffer normal/depth texture and its AO texture (any size; r32float storage textures are written
 * directly, other formats through wgml's tensor → texture bridge).
 */
export async function createAONetwork(device: GPUDevice, model: string | URL | Uint8Array, gbuffer: GPUTexture, ao: GPUTexture, o: AONetworkOptions = {}): Promise<AONetwork> {
  const { width, height } = gbuffer;
  const lib = await loadLibrary(device, model);
  const fn = lib.function('main');
  const info = aoModelInfo(fn.graph);
  const k = o.factor ?? aoFactor(info, height, o.fovY ?? Math.PI / 3);
  if (!Number.isInteger(k) || k < 1) throw new DemoError(`the AO sampling step must be a positive integer; got ${k}`, 'leave factor out to derive it from the model', { factor: k });
  const m = info.multiple;
  const gw = Math.ceil(Math.ceil(width / k) / m) * m, gh = Math.ceil(Math.ceil(height / k) / m) * m;
  const pipeline = await createPipeline(device, fn, { inputDimensions: { [AO_INPUT]: [1, info.channels, gh, gw] }, label: 'wgml demo AO network' });
  const names = [...pipeline.inputs, ...pipeline.outputs].map((s) => s.name).sort().join(',');
  if (names !== [AO_INPUT, AO_OUTPUT].sort().join(','))
    throw new DemoError(`the AO model's inputs/outputs are ${names}; the demo binds '${AO_INPUT}' → '${AO_OUTPUT}'`, 'export the model with those names (training/train_ao.py does)', { names });
  const outSpec = pipeline.outputs[0]!;
  if (outSpec.shape.join(',') !== `1,1,${gh},${gw}`)
    throw new DemoError(`the AO model maps [1, ${info.channels}, ${gh}, ${gw}] to [${outSpec.shape.join(', ')}]; the slot needs [1, 1, ${gh}, ${gw}]`, 'export a fully convolutional model whose output has the input\'s size', { shape: outSpec.shape });
  const heap = createHeap(device, pipeline.intermediatesHeapSize, 'wgml demo AO heap');
  const xT = tensor(device, { dtype: 'f32', shape: [1, info.channels, gh, gw], label: 'wgml demo AO input grid' });
  const yT = tensor(device, { dtype: 'f32', shape: [1, 1, gh, gw], label: 'wgml demo AO output grid' });
  const bound = pipeline.bind({ [AO_INPUT]: xT, [AO_OUTPUT]: yT }, heap);
  const direct = ao.format === 'r32float' && (ao.usage & GPUTextureUsage.STORAGE_BINDING) !== 0;
  const full: Tensor | null = direct ? null : tensor(device, { dtype: 'f32', shape: [1, 1, height, width], label: 'wgml demo AO full resolution' });
  const bridge: TextureBridge | null = full ? prepareTensorToTexture(full, ao, { device }) : null;
  const uniforms = device.createBuffer({ label: 'wgml demo AO grid', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniforms, 0, new Uint32Array([k, gw, gh, 0]));
  const lens = AO_GTAO_RADII[info.channels].length > 0 && !o.frameUniforms ? lensUniforms(device, o.fovY ?? Math.PI / 3, width / height) : null;
  const [grid, up] = await Promise.all([createAOInputGrid(device, gbuffer, xT, { k, gw, gh, channels: info.channels, frameUniforms: o.frameUniforms ?? lens ?? undefined, scenePrims: o.scenePrims }),
    computePipeline(device, `wgml demo AO upsample${direct ? '' : ' (to tensor)'}`, upWgsl(direct))]);
  const buf = (t: Tensor): GPUBufferBinding => ({ buffer: t.buffer, offset: t.offset * 4, size: t.size * 4 });
  const gview = gbuffer.createView({ label: 'wgml demo AO g-buffer view' });
  const upGroup = device.createBindGroup({ label: 'wgml demo AO upsample', layout: up.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: uniforms } }, { binding: 1, resource: gview }, { binding: 2, resource: buf(xT) }, { binding: 3, resource: buf(yT) },
    { binding: 4, resource: full ? buf(full) : ao.createView({ label: 'wgml demo AO view' }) }] });
  return {
    bound, factor: k, gridWidth: gw, gridHeight: gh, passes: ['ao-input', 'network', 'ao-upsample'],
    encode(encoder, tw) {
      grid.encode(encoder, tw?.[0]);
      encodeNetwork(encoder, bound, tw?.[1] ? { timestampWrites: tw[1] } : {});
      encodeImagePass(encoder, 'wgml demo AO upsample', up, upGroup, width, height, tw?.[2]);
      bridge?.encode(encoder);
    },
    destroy() { grid.destroy(); lens?.destroy(); bound.destroy(); heap.destroy(); xT.destroy(); yT.destroy(); full?.destroy(); uniforms.destroy(); pipeline.destroy?.(); },
  };
}

/** Whether this build can run the neural AO slot (kept for tests written before the runtime landed). */
export async function networkRuntimeStatus(): Promise<{ ok: true } | { ok: false; reason: string }> {
  return { ok: true };
}
