/**
 * Binding a {@link Tensor} in WGSL, in any shader stage. A binding declares the storage array plus a
 * small uniform with the tensor's shape, strides and offset, and typed accessors that honour them, so
 * one pipeline serves every layout of a given dtype and rank (transposed, sliced, broadcast views).
 *
 * Generated names for a binding called `X` of rank 2 and dtype f32:
 * - `X_at(i0: u32, i1: u32) -> f32`: element at a multi-index;
 * - `X_at_linear(k: u32) -> f32`: element at a row-major logical index;
 * - `X_shape(d: u32) -> u32`, `X_stride(d: u32) -> u32`, `X_numel() -> u32`;
 * - `X_index(i0, i1) -> u32`: element index in the buffer;
 * - read_write only: `X_set(i0, i1, v)`, `X_set_linear(k, v)`.
 * Values are f32, f16, i32 (i32, i8: sign-extended) or u32 (u32, u8). 8-bit tensors are packed four to
 * a word; a read_write 8-bit binding is an `array<atomic<u32>>` so that setting one byte never clobbers
 * its neighbours written by other invocations.
 */
import { BindingError, LimitError } from '../errors.js';
import type { WgslModule } from '../gpu/wgsl.js';
import { deviceLimits } from '../gpu/device.js';
import { assertDType, dtypeBytes, wgslScalar, type DType } from './dtype.js';
import { MAX_RANK, onTensorDestroy, type Tensor } from './tensor.js';

export type TensorAccess = 'read' | 'read_write';

export interface TensorBindingOptions {
  /** 'read' (default) or 'read_write'; read_write is refused when visibility includes VERTEX. */
  access?: TensorAccess;
  /** Bind group index (default 0). */
  group?: number;
  /** Binding number of the storage buffer. */
  binding: number;
  /** Binding number of the layout uniform (default binding + 1). */
  layoutBinding?: number;
  /** GPUShaderStage flags (default COMPUTE). */
  visibility?: GPUShaderStageFlags;
}

/** What a shader needs to use one tensor. */
export interface TensorBinding {
  readonly name: string;
  readonly dtype: DType;
  readonly rank: number;
  readonly access: TensorAccess;
  /** Declarations and accessors; add to `requires` of a {@link WgslShader} or concatenate `code`. */
  readonly wgsl: WgslModule;
  /** Identifies the generated WGSL, for pipeline cache keys. */
  readonly key: string;
  /** The two entries (storage, layout uniform) for createBindGroupLayout. */
  readonly layoutEntries: GPUBindGroupLayoutEntry[];
  /** The two bind group entries for a tensor of this dtype and rank (layout uniform cached per tensor). */
  entries(tensor: Tensor): GPUBindGroupEntry[];
}

// GPUShaderStage's values are fixed by the spec; spelled out so generating WGSL needs no WebGPU globals.
const STAGE_VERTEX = 0x1, STAGE_COMPUTE = 0x4;
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Words of the layout uniform: shape and strides as vec4<u32> arrays, then offset and numel. */
function layoutVecs(rank: number): number { return Math.max(1, Math.ceil(rank / 4)); }
function layoutBytes(rank: number): number { return 2 * layoutVecs(rank) * 16 + 16; }

function accessorCode(name: string, dtype: DType, rank: number, access: TensorAccess): { decl: string; uniform: string; body: string } {
  const T = wgslScalar(dtype);
  const packed = dtype === 'i8' || dtype === 'u8';
  const rw = access === 'read_write';
  const nv = layoutVecs(rank);
  const elem = packed ? (rw ? 'atomic<u32>' : 'u32') : dtype;
  const space = rw ? 'storage, read_write' : 'storage, read';
  const L = `${name}_layout`;
  const params = Array.from({ length: rank }, (_, d) => `i${d}: u32`).join(', ');
  const args = Array.from({ length: rank }, (_, d) => `i${d}`).join(', ');
  const idxSum = Array.from({ length: rank }, (_, d) => ` + i${d} * ${L}.strides[${d >> 2}][${d & 3}]`).join('');
  const lines: string[] = [];
  lines.push(`struct ${name}_Layout { shape: array<vec4<u32>, ${nv}>, strides: array<vec4<u32>, ${nv}>, offset: u32, numel: u32 }`);
  lines.push(`fn ${name}_shape(d: u32) -> u32 { return ${L}.shape[d / 4u][d % 4u]; }`);
  lines.push(`fn ${name}_stride(d: u32) -> u32 { return ${L}.strides[d / 4u][d % 4u]; }`);
  lines.push(`fn ${name}_numel() -> u32 { return ${L}.numel; }`);
  lines.push(`fn ${name}_index(${params}) -> u32 { return ${L}.offset${idxSum}; }`);
  // Row-major logical index -> buffer element index, innermost dimension first.
  const lin: string[] = [`fn ${name}_linear_index(k: u32) -> u32 {`, `  var e = ${L}.offset;`];
  if (rank > 0) lin.push('  var r = k;');
  for (let d = rank - 1; d >= 0; d--) {
    const n = `${L}.shape[${d >> 2}][${d & 3}]`, s = `${L}.strides[${d >> 2}][${d & 3}]`;
    lin.push(d > 0 ? `  e += (r % ${n}) * ${s}; r /= ${n};` : `  e += r * ${s};`);
  }
  lin.push('  return e;', '}');
  lines.push(lin.join('\n'));
  if (packed) {
    const word = rw ? `atomicLoad(&${name}[e / 4u])` : `${name}[e / 4u]`;
    const ext = dtype === 'i8' ? `extractBits(bitcast<i32>(${word}), (e % 4u) * 8u, 8u)` : `extractBits(${word}, (e % 4u) * 8u, 8u)`;
    lines.push(`fn ${name}_load(e: u32) -> ${T} { return ${ext}; }`);
    if (rw) {
      const bits = dtype === 'i8' ? 'bitcast<u32>(v) & 0xffu' : 'v & 0xffu';
      lines.push(`fn ${name}_store(e: u32, v: ${T}) {
  let sh = (e % 4u) * 8u;
  atomicAnd(&${name}[e / 4u], ~(0xffu << sh));
  atomicOr(&${name}[e / 4u], (${bits}) << sh);
}`);
    }
  } else {
    lines.push(`fn ${name}_load(e: u32) -> ${T} { return ${name}[e]; }`);
    if (rw) lines.push(`fn ${name}_store(e: u32, v: ${T}) { ${name}[e] = v; }`);
  }
  lines.push(`fn ${name}_at(${params}) -> ${T} { return ${name}_load(${name}_index(${args})); }`);
  lines.push(`fn ${name}_at_linear(k: u32) -> ${T} { return ${name}_load(${name}_linear_index(k)); }`);
  if (rw) {
    lines.push(`fn ${name}_set(${params}${rank ? ', ' : ''}v: ${T}) { ${name}_store(${name}_index(${args}), v); }`);
    lines.push(`fn ${name}_set_linear(k: u32, v: ${T}) { ${name}_store(${name}_linear_index(k), v); }`);
  }
  return { decl: `var<${space}> ${name}: array<${elem}>;`, uniform: `var<uniform> ${L}: ${name}_Layout;`, body: lines.join('\n') };
}

interface LayoutCache { device: GPUDevice; buffer: GPUBuffer; window: number }
const layoutBuffers = new WeakMap<Tensor, LayoutCache>();

/**
 * The range of the tensor's buffer to bind: the whole buffer, or a window around the tensor when the
 * buffer is larger than maxStorageBufferBindingSize. Returns the byte offset and size.
 */
function bindWindow(t: Tensor): { offset: number; size: number } {
  const eb = dtypeBytes(t.dtype);
  const limit = deviceLimits(t.device).maxStorageBufferBindingSize;
  const whole = Math.floor(t.buffer.size / 4) * 4;
  if (whole <= limit) return { offset: 0, size: Math.max(4, whole) };
  const align = t.device.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor((t.offset * eb) / align) * align;
  const end = Math.min(whole, Math.ceil((t.extentEnd * eb) / 4) * 4);
  if (end - start > limit) throw new LimitError(`tensor '${t.label}' spans ${end - start} bytes of its buffer, over this device's maxStorageBufferBindingSize of ${limit}`,
    'split the tensor or use a device with a larger limit', { tensor: t.label, bytes: end - start, limit });
  return { offset: start, size: Math.max(4, end - start) };
}

function layoutBuffer(t: Tensor, windowOffset: number): GPUBuffer {
  const c = layoutBuffers.get(t);
  if (c && c.window === windowOffset) return c.buffer;
  c?.buffer.destroy();
  const vecs = layoutVecs(t.rank);
  const buffer = t.device.createBuffer({ label: `wgml layout of ${t.label}`, size: layoutBytes(t.rank), usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
  const words = new Uint32Array(buffer.getMappedRange());
  for (let d = 0; d < t.rank; d++) { words[d] = t.shape[d]!; words[vecs * 4 + d] = t.strides[d]!; }
  words[vecs * 8] = t.offset - windowOffset / dtypeBytes(t.dtype);
  words[vecs * 8 + 1] = t.size;
  buffer.unmap();
  if (!c) onTensorDestroy(t, () => { layoutBuffers.get(t)?.buffer.destroy(); layoutBuffers.delete(t); });
  layoutBuffers.set(t, { device: t.device, buffer, window: windowOffset });
  return buffer;
}

/**
 * Declare a tensor for a shader. The same binding (and so the same pipeline) accepts every tensor of
 * its dtype and rank whatever its strides and offset.
 *
 * @example
 * const X = tensorBinding('X', x, { binding: 0, visibility: GPUShaderStage.VERTEX });
 * const code = X.wgsl.code + `
 * @vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
 *   return vec4f(X_at(i, 0u), X_at(i, 1u), 0.0, 1.0);
 * }`;
 * const bgl = device.createBindGroupLayout({ entries: X.layoutEntries });
 * const bg = device.createBindGroup({ layout: bgl, entries: X.entries(x) });
 * @example
 * // In a kernel template: bindings of group 0 come from resolveWgsl, the tensor lives in group 1.
 * const Y = tensorBinding('Y', { dtype: 'f16', rank: 3 }, { access: 'read_write', group: 1, binding: 0 });
 * const wgsl = resolveWgsl({ bindings: [], requires: [Y.wgsl], body: '...' }); // `enable f16;` included
 * @throws DTypeError for an unknown dtype, or f16 on a device without shader-f16.
 * @throws BindingError for a bad name or rank, or read_write visible to the vertex stage.
 */
export function tensorBinding(name: string, spec: Tensor | { dtype: DType; rank: number; device?: GPUDevice }, opts: TensorBindingOptions): TensorBinding {
  const dtype = spec.dtype;
  assertDType(dtype, spec.device);
  const rank = spec.rank;
  const access = opts.access ?? 'read';
  const group = opts.group ?? 0;
  const binding = opts.binding;
  const layoutBinding = opts.layoutBinding ?? binding + 1;
  const visibility = opts.visibility ?? STAGE_COMPUTE;
  if (!NAME_RE.test(name) || name.startsWith('__'))
    throw new BindingError(`tensor binding name '${name}' is not a WGSL identifier`, 'use letters, digits and underscores, starting with a letter', { name });
  if (!Number.isInteger(rank) || rank < 0 || rank > MAX_RANK)
    throw new BindingError(`tensor binding '${name}' has rank ${rank}; wgml supports 0 to ${MAX_RANK}`, 'reshape the tensor', { name, rank });
  if (access !== 'read' && access !== 'read_write')
    throw new BindingError(`tensor binding '${name}': unknown access '${String(access)}'`, "use 'read' or 'read_write'", { name, access });
  if (access === 'read_write' && (visibility & STAGE_VERTEX))
    throw new BindingError(`tensor binding '${name}' is read_write but visible to the vertex stage, where WebGPU allows only read-only storage`,
      "bind it with access 'read' for the vertex stage, or write it from a fragment or compute shader", { name, visibility });
  for (const [what, v] of [['group', group], ['binding', binding], ['layoutBinding', layoutBinding]] as const)
    if (!Number.isInteger(v) || v < 0) throw new BindingError(`tensor binding '${name}': ${what} ${v} is not a non-negative integer`, 'pass binding numbers as integers', { name, [what]: v });
  if (layoutBinding === binding) throw new BindingError(`tensor binding '${name}': the storage and layout uniform share binding ${binding}`, 'give layoutBinding another number', { name, binding });

  const { decl, uniform, body } = accessorCode(name, dtype, rank, access);
  const code = `@group(${group}) @binding(${binding}) ${decl}\n@group(${group}) @binding(${layoutBinding}) ${uniform}\n${body}\n`;
  const key = `tensor:${name}:${dtype}:${rank}:${access}:${group}:${binding}:${layoutBinding}`;
  const wgsl: WgslModule = { name: `tensor_${name}_${group}_${binding}`, code, ...(dtype === 'f16' ? { enables: ['f16'] } : {}) };
  const layoutEntries: GPUBindGroupLayoutEntry[] = [
    { binding, visibility, buffer: { type: access === 'read' ? 'read-only-storage' : 'storage' } },
    { binding: layoutBinding, visibility, buffer: { type: 'uniform', minBindingSize: layoutBytes(rank) } },
  ];
  const entries = (t: Tensor): GPUBindGroupEntry[] => {
    t.assertUsable();
    if (t.dtype !== dtype || t.rank !== rank)
      throw new BindingError(`tensor '${t.label}' (${t.dtype}, rank ${t.rank}) does not fit binding '${name}' (${dtype}, rank ${rank})`,
        'make a binding for this dtype and rank, or reshape/convert the tensor', { name, tensor: t.label, dtype: t.dtype, rank: t.rank });
    if (access === 'read_write' && t.shape.some((n, d) => n > 1 && t.strides[d] === 0))
      throw new BindingError(`tensor '${t.label}' is broadcast (stride 0) and cannot be bound read_write as '${name}': invocations would race on one element`,
        'write a dense tensor, then view it broadcast for reading', { name, tensor: t.label, strides: t.strides });
    const w = bindWindow(t);
    return [
      { binding, resource: { buffer: t.buffer, offset: w.offset, size: w.size } },
      { binding: layoutBinding, resource: { buffer: layoutBuffer(t, w.offset) } },
    ];
  };
  return { name, dtype, rank, access, wgsl, key, layoutEntries, entries };
}
