/** bind(): check the caller's tensors against the pipeline and build every bind group once. */
import { BindingError } from '../errors.js';
import { fmtShape } from '../ir/types.js';
import { Tensor, tensor as makeTensor } from '../tensor/tensor.js';
import { prepareTensorToTexture, prepareTextureToTensor, type TextureBridge } from '../tensor/texture.js';
import type { Heap } from './heap.js';
import type { PlannedNetwork, TensorSpec } from './network-types.js';
import type { Place } from './program.js';
import { bindGroupLayout, sharedLayout } from './kernels.js';

/**
 * A texture bound to a network input or output (rank-4, batch 1): its texels are converted to or
 * from an internal f32 tensor inside encodeNetwork, in the same encoder.
 */
export interface TextureArg {
  texture: GPUTexture;
  /** 'NCHW' (default) or 'NHWC', the network value's layout. */
  layout?: 'NCHW' | 'NHWC';
  /** For inputs: which texture channels feed the network (count or indices); default the first C. */
  channels?: number | number[];
}

/** Tensors (or textures) for a network's inputs and outputs, by name. */
export type NetworkArgs = Record<string, Tensor | GPUTexture | TextureArg>;

export class BoundNetwork {
  readonly pipeline: PlannedNetwork;
  readonly heap: Heap;
  /** The tensor behind each input and output (internal ones for textures). */
  readonly args: Readonly<Record<string, Tensor>>;
  /** @internal one per dispatch */ readonly bindGroups: GPUBindGroup[];
  /** @internal */ readonly tensors: Tensor[];
  /** @internal texture → tensor conversions recorded before the network, tensor → texture after. */
  readonly pre: TextureBridge[];
  /** @internal */ readonly post: TextureBridge[];
  readonly #owned: Tensor[];
  constructor(pipeline: PlannedNetwork, heap: Heap, args: Record<string, Tensor>, bindGroups: GPUBindGroup[], pre: TextureBridge[] = [], post: TextureBridge[] = [], owned: Tensor[] = []) {
    this.pipeline = pipeline; this.heap = heap; this.args = args; this.bindGroups = bindGroups;
    this.tensors = Object.values(args);
    this.pre = pre; this.post = post; this.#owned = owned;
  }
  /** Frees the internal tensors made for texture arguments (the caller's tensors are theirs). */
  destroy(): void {
    for (const t of this.#owned) t.destroy();
  }
  /** Throws a typed error if anything it binds was destroyed or the device was lost. */
  assertUsable(): void {
    this.pipeline.assertUsable();
    this.heap.assertUsable(this.pipeline.device);
    for (const t of this.tensors) t.assertUsable(this.pipeline.device);
  }
}

function describe(specs: TensorSpec[]): string {
  return specs.map((s) => `${s.name}: ${s.dtype} ${fmtShape(s.shape)}`).join(', ');
}

function checkTensor(p: PlannedNetwork, spec: TensorSpec, t: unknown, role: string): Tensor {
  if (!(t instanceof Tensor)) throw new BindingError(`${role} '${spec.name}' must be a wgml Tensor, got ${t === null ? 'null' : typeof t}`, `create it with wgml.tensor(device, { dtype: '${spec.dtype}', shape: ${fmtShape(spec.shape)} })`, { name: spec.name });
  t.assertUsable(p.device);
  if (t.dtype !== spec.dtype) throw new BindingError(`${role} '${spec.name}' is ${spec.dtype} (model type ${spec.elemType}); the tensor given is ${t.dtype}`, `bind a ${spec.dtype} tensor`, { name: spec.name, expected: spec.dtype, got: t.dtype });
  if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i]))
    throw new BindingError(`${role} '${spec.name}' has shape ${fmtShape(spec.shape)} in this pipeline; the tensor given has ${fmtShape(t.shape)}`, 'create the pipeline with inputDimensions matching your tensors, or reshape the tensor', { name: spec.name, expected: spec.shape, got: t.shape });
  if (!t.isDense) throw new BindingError(`${role} '${spec.name}' is a strided view; networks bind dense tensors`, 'copy it into a dense tensor first', { name: spec.name });
  const align = p.device.limits.minStorageBufferOffsetAlignment;
  if ((t.offset * 4) % align) throw new BindingError(`${role} '${spec.name}' starts at byte ${t.offset * 4}, not a multiple of minStorageBufferOffsetAlignment (${align})`, `place the view at a multiple of ${align} bytes`, { name: spec.name });
  return t;
}

export function bindNetwork(p: PlannedNetwork, args: NetworkArgs, heap: Heap): BoundNetwork {
  const known = new Set([...p.inputs, ...p.outputs].map((s) => s.name));
  for (const k of Object.keys(args)) if (!known.has(k))
    throw new BindingError(`'${k}' is not an input or output of this network`, `inputs: ${describe(p.inputs)}; outputs: ${describe(p.outputs)}`, { name: k });
  const missing = [...p.inputs, ...p.outputs].filter((s) => !(s.name in args));
  if (missing.length) throw new BindingError(`missing tensors for ${missing.map((s) => `'${s.name}'`).join(', ')}`, `bind every input and output: ${describe([...p.inputs, ...p.outputs])}`, { missing: missing.map((s) => s.name) });
  heap.assertUsable(p.device);
  if (heap.size < p.intermediatesHeapSize) throw new BindingError(`the heap holds ${heap.size} bytes; this pipeline needs ${p.intermediatesHeapSize}`, 'create it with createHeap(device, pipeline.intermediatesHeapSize)', { heap: heap.size, needed: p.intermediatesHeapSize });
  const tensors = new Map<string, Tensor>();
  const pre: TextureBridge[] = [], post: TextureBridge[] = [], owned: Tensor[] = [];
  const asTexture = (a: unknown): TextureArg | null => {
    if (a instanceof Tensor || a === null || typeof a !== 'object') return null;
    if ('texture' in a) return a as TextureArg;
    if ('createView' in a && 'format' in a) return { texture: a as GPUTexture };
    return null;
  };
  try {
    for (const [role, specs] of [['input', p.inputs], ['output', p.outputs]] as const) for (const s of specs) {
      const tex = asTexture(args[s.name]);
      if (!tex) { tensors.set(s.name, checkTensor(p, s, args[s.name], role)); continue; }
      if (s.dtype !== 'f32' || s.shape.length !== 4 || s.shape[0] !== 1)
        throw new BindingError(`${role} '${s.name}' (${s.dtype} ${fmtShape(s.shape)}) cannot be bound to a texture`, 'textures bind to f32 values of shape [1, C, H, W] (or [1, H, W, C] with layout NHWC)', { name: s.name });
      const t = makeTensor(p.device, { dtype: 'f32', shape: s.shape, label: `${p.label} ${s.name} (texture)` });
      owned.push(t);
      const layout = tex.layout ?? 'NCHW';
      if (role === 'input') pre.push(prepareTextureToTensor(tex.texture, t, { layout, channels: tex.channels ?? (layout === 'NCHW' ? s.shape[1] : s.shape[3]), device: p.device }));
      else post.push(prepareTensorToTexture(t, tex.texture, { layout, device: p.device }));
      tensors.set(s.name, t);
    }
  } catch (e) {
    for (const t of owned) t.destroy();
    throw e;
  }
  // Outputs are written while inputs are read: they must not share bytes (WebGPU forbids it, and the result would be garbage).
  const ranges = [...tensors.entries()].map(([n, t]) => ({ n, b: t.buffer, s: t.offset * 4, e: t.offset * 4 + t.size * 4 }));
  for (const o of p.outputs) {
    const a = ranges.find((r) => r.n === o.name)!;
    for (const r of ranges) if (r.n !== o.name && r.b === a.b && r.s < a.e && a.s < r.e)
      throw new BindingError(`output '${o.name}' overlaps '${r.n}' in the same buffer`, 'give every output its own memory', { output: o.name, other: r.n });
  }
  const resource = (pl: Place): GPUBufferBinding => {
    switch (pl.kind) {
      case 'heap': return { buffer: heap.buffer, offset: pl.offset, size: pl.bytes };
      case 'weights': return { buffer: p.weights, offset: pl.offset, size: pl.bytes };
      case 'input': case 'output': { const t = tensors.get(pl.name)!; return { buffer: t.buffer, offset: t.offset * 4 + pl.offset, size: pl.bytes }; }
    }
  };
  // Shared recording: one bind group for every declared kernel (runtime/shared.ts).
  let shared: GPUBindGroup | null = null;
  if (p.shared) {
    const { plan, params } = p.shared;
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: heap.buffer, offset: 0, size: Math.min(heap.buffer.size, Math.max(256, Math.ceil(p.intermediatesHeapSize / 4) * 4)) } },
      { binding: 2, resource: { buffer: p.weights } },
      ...plan.io.map((name, j) => { const t = tensors.get(name)!; return { binding: 3 + j, resource: { buffer: t.buffer, offset: t.offset * 4, size: Math.max(4, t.size * 4) } }; }),
    ];
    shared = p.device.createBindGroup({ label: `${p.label} shared`, layout: sharedLayout(p.device, plan.paramsKind, plan.io.length), entries });
  }
  const groups = p.program.dispatches.map((d, i) => {
    if (shared) return shared;
    const entries: GPUBindGroupEntry[] = [];
    if (d.kernel.uniforms) entries.push({ binding: 0, resource: { buffer: p.uniforms, offset: d.uniformOffset, size: d.kernel.uniforms.byteLength } });
    for (const pl of d.places) entries.push({ binding: entries.length, resource: resource(pl) });
    return p.device.createBindGroup({ label: `${p.label} #${i} ${d.node}`, layout: bindGroupLayout(p.device, d.signature), entries });
  });
  return new BoundNetwork(p, heap, Object.fromEntries(tensors), groups, pre, post, owned);
}
