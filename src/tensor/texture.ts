/**
 * Textures to tensors and back without copy passes: the conversion is a shader recorded into the
 * caller's command encoder (never submitted here), so it sits on the GPU timeline next to rendering.
 *
 * Texture → tensor always runs a compute pass with `textureLoad` (needs TEXTURE_BINDING).
 * Tensor → texture depends on the format, because core WebGPU lets only some formats be write-only
 * storage textures:
 * - compute pass with `textureStore` (needs STORAGE_BINDING): rgba8unorm, rgba16float, r32float,
 *   rg32float, rgba32float;
 * - render pass drawing one fullscreen triangle (needs RENDER_ATTACHMENT): r8unorm, rg8unorm,
 *   r16float, rg16float (colour output), depth32float (`@builtin(frag_depth)`).
 * Values are converted by the GPU like any shader write: unorm formats clamp to [0, 1] and round,
 * 16-bit floats round to nearest, depth is clamped to [0, 1].
 *
 * Tensors are f32 of shape [1, C, H, W] (layout 'NCHW', the default) or [1, H, W, C] ('NHWC'), any
 * strides and offset; H and W are those of the texture's mip level.
 */
import { BindingError, DTypeError, ShapeError } from '../errors.js';
import type { Tensor } from './tensor.js';
import { tensorBinding, type TensorBinding } from './wgsl.js';

export type TextureTensorLayout = 'NCHW' | 'NHWC';

type WritePath = 'storage' | 'render' | 'depth';
/** Formats wgml converts, with their channel count and how a tensor is written into them. */
export const TEXTURE_TENSOR_FORMATS: Readonly<Record<string, { channels: number; write: WritePath }>> = Object.freeze({
  depth32float: { channels: 1, write: 'depth' },
  r8unorm: { channels: 1, write: 'render' },
  rg8unorm: { channels: 2, write: 'render' },
  rgba8unorm: { channels: 4, write: 'storage' },
  r16float: { channels: 1, write: 'render' },
  rg16float: { channels: 2, write: 'render' },
  rgba16float: { channels: 4, write: 'storage' },
  r32float: { channels: 1, write: 'storage' },
  rg32float: { channels: 2, write: 'storage' },
  rgba32float: { channels: 4, write: 'storage' },
});

export interface TextureTensorOptions {
  /** 'NCHW' (default) or 'NHWC'. */
  layout?: TextureTensorLayout;
  /** Mip level of the texture (default 0). */
  mipLevel?: number;
  /** Array layer of the texture (default 0). */
  layer?: number;
  /** When given, the tensor must belong to this device (the one that made the encoder and texture). */
  device?: GPUDevice;
}

export interface TextureToTensorOptions extends TextureTensorOptions {
  /** Texture channels to copy: a count (the first n) or indices (e.g. [2, 1, 0]); all by default. */
  channels?: number | readonly number[];
}

// GPU usage bits are spec constants; spelled out so validation works before any WebGPU global exists.
const TEXTURE_BINDING = 0x04, STORAGE_BINDING = 0x08, RENDER_ATTACHMENT = 0x10;
const USAGE_NAME: Record<number, string> = { [TEXTURE_BINDING]: 'TEXTURE_BINDING', [STORAGE_BINDING]: 'STORAGE_BINDING', [RENDER_ATTACHMENT]: 'RENDER_ATTACHMENT' };
const CH = ['x', 'y', 'z', 'w'];

interface Cached { pipeline: GPUComputePipeline | GPURenderPipeline; layout: GPUBindGroupLayout; binding: TensorBinding }
const caches = new WeakMap<GPUDevice, Map<string, Cached>>();

function cached(device: GPUDevice, key: string, make: () => Cached): Cached {
  let m = caches.get(device);
  if (!m) { m = new Map(); caches.set(device, m); }
  let c = m.get(key);
  if (!c) { c = make(); m.set(key, c); }
  return c;
}

/** Number of conversion pipelines made for a device (for tests of reuse). */
export function texturePipelineCount(device: GPUDevice): number {
  return caches.get(device)?.size ?? 0;
}

interface Checked { format: string; info: { channels: number; write: WritePath }; layout: TextureTensorLayout; view: GPUTextureView; W: number; H: number }

function check(what: string, texture: GPUTexture, t: Tensor, opts: TextureTensorOptions, usage: number, channels: number): Checked {
  t.assertUsable(opts.device);
  const format = texture.format as string;
  const info = TEXTURE_TENSOR_FORMATS[format];
  const label = texture.label || '(unlabelled)';
  if (!info) throw new DTypeError(`${what}: texture '${label}' has format ${format}, which wgml does not convert`,
    `use one of ${Object.keys(TEXTURE_TENSOR_FORMATS).join(', ')}`, { texture: label, format });
  if (t.dtype !== 'f32') throw new DTypeError(`${what}: tensor '${t.label}' is ${t.dtype}; textures convert to and from f32 tensors`,
    "make an f32 tensor (cast other dtypes with a kernel)", { tensor: t.label, dtype: t.dtype });
  if (texture.dimension !== '2d' || texture.sampleCount !== 1)
    throw new BindingError(`${what}: texture '${label}' is ${texture.dimension} with ${texture.sampleCount} sample(s); wgml converts single-sampled 2d textures`,
      'resolve multisampled textures first, or pass a 2d texture', { texture: label });
  if ((texture.usage & usage) === 0)
    throw new BindingError(`${what}: texture '${label}' lacks ${USAGE_NAME[usage]} usage`, `create the texture with GPUTextureUsage.${USAGE_NAME[usage]}`, { texture: label, usage: texture.usage });
  const layout = opts.layout ?? 'NCHW';
  if (layout !== 'NCHW' && layout !== 'NHWC') throw new ShapeError(`${what}: unknown layout '${String(layout)}'`, "use 'NCHW' or 'NHWC'", { layout });
  const mip = opts.mipLevel ?? 0, layer = opts.layer ?? 0;
  if (!Number.isInteger(mip) || mip < 0 || mip >= texture.mipLevelCount || !Number.isInteger(layer) || layer < 0 || layer >= texture.depthOrArrayLayers)
    throw new ShapeError(`${what}: texture '${label}' has ${texture.mipLevelCount} mip level(s) and ${texture.depthOrArrayLayers} layer(s); got mipLevel ${mip}, layer ${layer}`,
      'pick an existing mip level and layer', { texture: label, mipLevel: mip, layer });
  const W = Math.max(1, texture.width >> mip), H = Math.max(1, texture.height >> mip);
  const want = layout === 'NCHW' ? [1, channels, H, W] : [1, H, W, channels];
  if (t.rank !== 4 || t.shape.some((n, i) => n !== want[i]))
    throw new ShapeError(`${what}: tensor '${t.label}' has shape [${t.shape.join(', ')}]; texture '${label}' (${format}, ${W}×${H} at mip ${mip}, ${channels} channel(s)) needs [${want.join(', ')}] in ${layout}`,
      'make the tensor match the texture size and channel count, or pass the other layout', { tensor: t.label, shape: t.shape, expected: want, layout });
  const view = texture.createView({ label: `wgml ${what} view of ${label}`, dimension: '2d', baseMipLevel: mip, mipLevelCount: 1, baseArrayLayer: layer, arrayLayerCount: 1,
    ...(format === 'depth32float' ? { aspect: 'depth-only' as GPUTextureAspect } : {}) });
  return { format, info, layout, view, W, H };
}

function tensorIndex(layout: TextureTensorLayout, c: number): string {
  return layout === 'NCHW' ? `0u, ${c}u, p.y, p.x` : `0u, p.y, p.x, ${c}u`;
}

/**
 * Record a compute pass that copies a texture's texels into an f32 tensor (unorm and f16 converted
 * to f32 by the sampler hardware).
 * @example
 * const t = wgml.tensor(device, { dtype: 'f32', shape: [1, 3, 256, 256] });
 * encodeTextureToTensor(encoder, colorTexture, t, { channels: 3 }); // RGB of an rgba8unorm texture
 * @throws DTypeError for an unsupported format or a non-f32 tensor; BindingError for a missing
 * TEXTURE_BINDING usage; ShapeError when the tensor does not match the texture; ResourceStateError
 * for a destroyed tensor or one of another device.
 */
export function encodeTextureToTensor(encoder: GPUCommandEncoder, texture: GPUTexture, tensor: Tensor, opts: TextureToTensorOptions = {}): void {
  prepareTextureToTensor(texture, tensor, opts).encode(encoder);
}

/** A conversion validated and bound once; `encode()` only records (no allocation), for every frame. */
export interface TextureBridge {
  encode(encoder: GPUCommandEncoder): void;
}

/** {@link encodeTextureToTensor} split in two: validate and build the bind group now, record later. */
export function prepareTextureToTensor(texture: GPUTexture, tensor: Tensor, opts: TextureToTensorOptions = {}): TextureBridge {
  const fmt = TEXTURE_TENSOR_FORMATS[texture.format as string];
  const all = fmt?.channels ?? 4;
  const chs = opts.channels === undefined ? Array.from({ length: all }, (_, i) => i)
    : typeof opts.channels === 'number' ? Array.from({ length: opts.channels }, (_, i) => i) : [...opts.channels];
  if (chs.length === 0 || chs.some((c) => !Number.isInteger(c) || c < 0 || c >= all))
    throw new ShapeError(`texture to tensor: channels ${JSON.stringify(opts.channels)} do not fit texture '${texture.label}' (${texture.format}, ${all} channel(s))`,
      `pass a count from 1 to ${all} or indices below ${all}`, { channels: opts.channels, format: texture.format });
  const { format, layout, view, W, H } = check('texture to tensor', texture, tensor, opts, TEXTURE_BINDING, chs.length);
  const device = tensor.device;
  const depth = format === 'depth32float';
  const key = `t2t|${depth ? 'depth' : 'color'}|${layout}|${chs.join('')}`;
  const value = (i: number): string => (depth ? 'v' : `v.${CH[i]}`);
  const c = computePipeline(device, key, { texture: { sampleType: depth ? 'depth' : 'unfilterable-float' } }, { binding: 1, access: 'read_write' },
    'src', depth ? 'texture_depth_2d' : 'texture_2d<f32>', () => `  let v = textureLoad(src, p, 0);
${chs.map((ch, c) => `  T_set(${tensorIndex(layout, c)}, ${value(ch)});`).join('\n')}`);
  return computeBridge(tensor, c, view, `wgml texture→tensor ${texture.label} → ${tensor.label}`, W, H);
}

/**
 * The compute path of both directions: the texture at binding 0, the tensor at 1, one thread per
 * texel in 8×8 workgroups; `body` runs for texel `p` inside the texture's bounds (built only when the pipeline is).
 */
function computePipeline(device: GPUDevice, key: string, texEntry: Omit<GPUBindGroupLayoutEntry, 'binding' | 'visibility'>,
  tensorOpts: Parameters<typeof tensorBinding>[2], texName: string, texType: string, body: () => string): Cached {
  return cached(device, key, () => {
    const binding = tensorBinding('T', { dtype: 'f32', rank: 4 }, tensorOpts);
    const layoutObj = device.createBindGroupLayout({ label: `wgml ${key}`, entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, ...texEntry },
      ...binding.layoutEntries] });
    const code = `@group(0) @binding(0) var ${texName}: ${texType};
${binding.wgsl.code}
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let dims = textureDimensions(${texName});
  let p = g.xy;
  if (p.x >= dims.x || p.y >= dims.y) { return; }
${body()}
}`;
    const module = device.createShaderModule({ label: `wgml ${key}`, code });
    const pipeline = device.createComputePipeline({ label: `wgml ${key}`, layout: device.createPipelineLayout({ label: `wgml ${key}`, bindGroupLayouts: [layoutObj] }), compute: { module, entryPoint: 'main' } });
    return { pipeline, layout: layoutObj, binding };
  });
}

function computeBridge(tensor: Tensor, c: Cached, view: GPUTextureView, label: string, W: number, H: number): TextureBridge {
  const bg = tensor.device.createBindGroup({ label, layout: c.layout, entries: [{ binding: 0, resource: view }, ...c.binding.entries(tensor)] });
  const desc = { label };
  return {
    encode(encoder) {
      tensor.assertUsable();
      const pass = encoder.beginComputePass(desc);
      pass.setPipeline(c.pipeline as GPUComputePipeline);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8));
      pass.end();
    },
  };
}

const FULLSCREEN_VS = `@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let q = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(q * 2.0 - 1.0, 0.0, 1.0);
}`;

/**
 * Record a pass that writes an f32 tensor into a texture: a compute pass with textureStore for
 * storage-writable formats, else a render pass drawing a fullscreen triangle (see the module comment).
 * @example
 * const t = wgml.tensor(device, { dtype: 'f32', shape: [1, 256, 256, 4] });
 * encodeTensorToTexture(encoder, t, canvasSizedRgba8Texture, { layout: 'NHWC' });
 * @throws DTypeError for an unsupported format or a non-f32 tensor; BindingError for a missing
 * STORAGE_BINDING or RENDER_ATTACHMENT usage; ShapeError when the tensor does not match the
 * texture; ResourceStateError for a destroyed tensor or one of another device.
 */
export function encodeTensorToTexture(encoder: GPUCommandEncoder, tensor: Tensor, texture: GPUTexture, opts: TextureTensorOptions = {}): void {
  prepareTensorToTexture(tensor, texture, opts).encode(encoder);
}

/** {@link encodeTensorToTexture} split in two: validate and build the bind group now, record later. */
export function prepareTensorToTexture(tensor: Tensor, texture: GPUTexture, opts: TextureTensorOptions = {}): TextureBridge {
  const fmt = TEXTURE_TENSOR_FORMATS[texture.format as string];
  const usage = fmt?.write === 'storage' ? STORAGE_BINDING : RENDER_ATTACHMENT;
  const { format, info, layout, view, W, H } = check('tensor to texture', texture, tensor, opts, usage, fmt?.channels ?? 0);
  const device = tensor.device;
  const key = `t2tex|${format}|${layout}`;
  const texel = (p: string): string => {
    const v = Array.from({ length: 4 }, (_, c) => (c < info.channels ? `T_at(${tensorIndex(layout, c)})` : c === 3 ? '1.0' : '0.0'));
    return `${p}vec4f(${v.join(', ')})`;
  };
  const label = `wgml tensor→texture ${tensor.label} → ${texture.label}`;
  if (info.write === 'storage') {
    const c = computePipeline(device, key, { storageTexture: { access: 'write-only', format: format as GPUTextureFormat, viewDimension: '2d' } }, { binding: 1 },
      'dst', `texture_storage_2d<${format}, write>`, () => `  textureStore(dst, p, ${texel('')});`);
    return computeBridge(tensor, c, view, label, W, H);
  }
  const depth = info.write === 'depth';
  const c = cached(device, key, () => {
    const binding = tensorBinding('T', { dtype: 'f32', rank: 4 }, { binding: 0, visibility: GPUShaderStage.FRAGMENT });
    const layoutObj = device.createBindGroupLayout({ label: `wgml ${key}`, entries: binding.layoutEntries });
    const fs = depth
      ? `@fragment fn fs(@builtin(position) pos: vec4f) -> @builtin(frag_depth) f32 { let p = vec2u(pos.xy); return T_at(${tensorIndex(layout, 0)}); }`
      : `@fragment fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f { let p = vec2u(pos.xy); return ${texel('')}; }`;
    const module = device.createShaderModule({ label: `wgml ${key}`, code: `${binding.wgsl.code}\n${FULLSCREEN_VS}\n${fs}\n` });
    const pipeline = device.createRenderPipeline({
      label: `wgml ${key}`, layout: device.createPipelineLayout({ label: `wgml ${key}`, bindGroupLayouts: [layoutObj] }),
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: depth ? [] : [{ format: format as GPUTextureFormat }] },
      primitive: { topology: 'triangle-list' },
      ...(depth ? { depthStencil: { format: 'depth32float' as GPUTextureFormat, depthWriteEnabled: true, depthCompare: 'always' as GPUCompareFunction } } : {}),
    });
    return { pipeline, layout: layoutObj, binding };
  });
  const bg = device.createBindGroup({ label, layout: c.layout, entries: c.binding.entries(tensor) });
  // Every pixel is overwritten by the fullscreen triangle, so the previous contents are never loaded.
  const desc: GPURenderPassDescriptor = depth
    ? { label, colorAttachments: [], depthStencilAttachment: { view, depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 0 } }
    : { label, colorAttachments: [{ view, loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 0] }] };
  return {
    encode(encoder) {
      tensor.assertUsable();
      const pass = encoder.beginRenderPass(desc);
      pass.setPipeline(c.pipeline as GPURenderPipeline);
      pass.setBindGroup(0, bg);
      pass.draw(3);
      pass.end();
    },
  };
}
