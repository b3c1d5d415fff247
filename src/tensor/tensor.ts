/**
 * Tensor: a GPU resource with dtype, shape, strides (in elements) and an element offset. Either owned
 * (wgml made the buffer) or a view over the application's `GPUBuffer`, as Metal 4's device-made and
 * buffer-backed tensors.
 */
import { assertDeviceAlive, deviceLimits } from '../gpu/device.js';
import { ResourceStateError, ShapeError, DTypeError } from '../errors.js';
import { assertDType, dtypeBytes, f32ArrayToF16Bits, typedArrayCtor, typedArrayName, type AnyTypedArray, type DType } from './dtype.js';

export const MAX_RANK = 8;

export interface TensorDesc {
  dtype: DType;
  shape: readonly number[];
  /** Extra buffer usages; STORAGE | COPY_SRC | COPY_DST are always set. */
  usage?: GPUBufferUsageFlags;
  label?: string;
}

export interface TensorViewDesc {
  dtype: DType;
  shape: readonly number[];
  /** Strides in elements; dense row-major when left out. */
  strides?: readonly number[];
  /** Offset of element [0,…,0] in elements from the start of the buffer. */
  offset?: number;
  label?: string;
}

/** Row-major strides for a shape. */
export function denseStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkShape(shape: readonly number[], label: string): void {
  if (shape.length > MAX_RANK) throw new ShapeError(`tensor '${label}' has rank ${shape.length}; wgml supports rank 0 to ${MAX_RANK}`, 'reshape to at most 8 dimensions', { shape });
  for (const d of shape) if (!Number.isInteger(d) || d < 0)
    throw new ShapeError(`tensor '${label}' has an invalid dimension ${d} in shape [${shape.join(', ')}]`, 'dimensions are non-negative integers', { shape });
}

let nextId = 0;

/** Buffers made by {@link tensor}, with the bytes their elements fill (the rest, up to 4-byte alignment, is padding). */
const madeBuffers = new WeakMap<GPUBuffer, number>();
/** wgml-made buffers freed by destroy(): views over them are unusable too. */
const freedBuffers = new WeakSet<GPUBuffer>();
/** Owned tensors alive per device, for leak tests. */
const live = new WeakMap<GPUDevice, number>();
/** Resources other modules attached to a tensor (e.g. layout uniforms), freed with it. */
const destroyHooks = new WeakMap<Tensor, (() => void)[]>();

/** Number of tensors that own a buffer on this device and were not destroyed yet. */
export function liveTensorCount(device: GPUDevice): number {
  return live.get(device) ?? 0;
}

/** @internal Run `fn` when `t` is destroyed (wgml modules attach per-tensor GPU objects this way). */
export function onTensorDestroy(t: Tensor, fn: () => void): void {
  const hooks = destroyHooks.get(t);
  if (hooks) hooks.push(fn); else destroyHooks.set(t, [fn]);
}

export class Tensor {
  readonly device: GPUDevice;
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  /** Element offset of [0,…,0]. */
  readonly offset: number;
  /** True when wgml made the buffer and destroy() frees it. */
  readonly owned: boolean;
  readonly label: string;
  #destroyed = false;

  /** @internal use {@link tensor} or {@link tensorView}. */
  constructor(device: GPUDevice, buffer: GPUBuffer, dtype: DType, shape: readonly number[], strides: readonly number[], offset: number, owned: boolean, label: string) {
    this.device = device; this.buffer = buffer; this.dtype = dtype;
    this.shape = Object.freeze([...shape]); this.strides = Object.freeze([...strides]);
    this.offset = offset; this.owned = owned; this.label = label;
  }

  get rank(): number { return this.shape.length; }
  /** Number of elements. */
  get size(): number { return numel(this.shape); }
  get destroyed(): boolean { return this.#destroyed; }

  /** True when the elements are dense and row-major (offset aside). */
  get isDense(): boolean {
    const d = denseStrides(this.shape);
    return this.shape.every((n, i) => n <= 1 || d[i] === this.strides[i]);
  }

  /** Index, in elements, one past the last element the view can touch. */
  get extentEnd(): number {
    if (this.size === 0) return this.offset;
    return this.offset + this.shape.reduce((a, n, i) => a + (n - 1) * this.strides[i]!, 0) + 1;
  }

  /** @throws ResourceStateError after destroy() or when the device was lost. */
  assertUsable(device?: GPUDevice): void {
    if (this.#destroyed || freedBuffers.has(this.buffer)) throw new ResourceStateError(`tensor '${this.label}' was used after destroy()${this.#destroyed ? '' : ' of the tensor owning its buffer'}`, 'create a new tensor; destroy() is final', { tensor: this.label });
    if (device && device !== this.device) throw new ResourceStateError(`tensor '${this.label}' belongs to another GPUDevice`, 'create the tensor on the device that runs the work (wgml never copies between devices)', { tensor: this.label });
    assertDeviceAlive(this.device);
  }

  /**
   * Upload data (dense tensors only). Takes the typed array of the dtype; f16 tensors take raw bits in
   * a Uint16Array or f32 values in a Float32Array (rounded to nearest even).
   * WebGPU writes whole 4-byte words: an 8-bit or f16 tensor whose size is not a multiple of 4 bytes
   * is padded when the bytes after it are the padding of a buffer wgml made; a view whose first or
   * last word it shares with other data is refused.
   * @example t.write(new Float32Array([1, 2, 3, 4]));
   */
  write(data: AnyTypedArray): void {
    this.assertUsable();
    if (this.dtype === 'f16' && data instanceof Float32Array) data = f32ArrayToF16Bits(data);
    const Ctor = typedArrayCtor(this.dtype);
    if (!(data instanceof Ctor)) throw new DTypeError(`tensor '${this.label}' is ${this.dtype}; write() got a ${data.constructor.name}`, `pass a ${typedArrayName(this.dtype)}`, { dtype: this.dtype });
    if (data.length !== this.size) throw new ShapeError(`tensor '${this.label}' of shape [${this.shape.join(', ')}] holds ${this.size} elements; write() got ${data.length}`, 'pass exactly one value per element', { shape: this.shape, got: data.length });
    if (!this.isDense) throw new ShapeError(`tensor '${this.label}' is a strided view; write() needs dense row-major elements`, 'write the underlying buffer with queue.writeBuffer, or write a dense tensor and copy it with a kernel', { strides: this.strides });
    if (this.size === 0) return;
    const eb = dtypeBytes(this.dtype);
    const byteOffset = this.offset * eb;
    const byteLen = data.byteLength;
    if (byteOffset % 4 === 0 && byteLen % 4 === 0) {
      this.device.queue.writeBuffer(this.buffer, byteOffset, data.buffer, data.byteOffset, byteLen);
      return;
    }
    if (byteOffset % 4 === 0 && madeBuffers.get(this.buffer) === byteOffset + byteLen) {
      const padded = new Uint8Array(Math.ceil(byteLen / 4) * 4);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, byteLen));
      this.device.queue.writeBuffer(this.buffer, byteOffset, padded);
      return;
    }
    throw new ShapeError(`tensor '${this.label}': write() of ${byteLen} bytes at byte offset ${byteOffset} is not 4-byte aligned (WebGPU's writeBuffer rule), and the bytes sharing its first or last word may belong to other data`,
      `make the ${this.dtype} view's offset and size multiples of ${4 / eb} elements, or write a tensor made by wgml.tensor()`, { byteOffset, byteLen });
  }

  /**
   * Read the elements back as a dense row-major typed array. The only place wgml maps memory.
   * @example const values = await t.read() as Float32Array;
   */
  async read(): Promise<AnyTypedArray> {
    this.assertUsable();
    const eb = dtypeBytes(this.dtype);
    const n = this.size;
    const Ctor = typedArrayCtor(this.dtype);
    if (n === 0) return new Ctor(new ArrayBuffer(0));
    const startByte = Math.floor((this.offset * eb) / 4) * 4;
    const endByte = Math.ceil((this.extentEnd * eb) / 4) * 4;
    const staging = this.device.createBuffer({ label: `wgml read ${this.label}`, size: endByte - startByte, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const enc = this.device.createCommandEncoder({ label: `wgml read ${this.label}` });
      enc.copyBufferToBuffer(this.buffer, startByte, staging, 0, endByte - startByte);
      this.device.queue.submit([enc.finish()]);
      try {
        await staging.mapAsync(GPUMapMode.READ);
      } catch (e) {
        // A device lost mid-read rejects the map; its lost promise settles right after.
        await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 10))]);
        assertDeviceAlive(this.device);
        this.assertUsable();
        throw new ResourceStateError(`reading tensor '${this.label}' failed: ${(e as Error)?.message ?? String(e)}`, 'keep the tensor and its device alive until read() resolves', { tensor: this.label });
      }
      const raw = staging.getMappedRange().slice(0);
      staging.unmap();
      const src = new Ctor(raw);
      const base = this.offset - startByte / eb;
      if (this.isDense) return src.slice(base, base + n);
      const out = new Ctor(new ArrayBuffer(n * eb));
      const idx = new Array<number>(this.rank).fill(0);
      for (let k = 0; k < n; k++) {
        let o = base;
        for (let d = 0; d < this.rank; d++) o += idx[d]! * this.strides[d]!;
        out[k] = src[o]!;
        for (let d = this.rank - 1; d >= 0; d--) { if (++idx[d]! < this.shape[d]!) break; idx[d] = 0; }
      }
      return out;
    } finally {
      staging.destroy();
    }
  }

  /** Free the buffer if wgml owns it; a view only forgets it. Using the tensor afterwards throws. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const fn of destroyHooks.get(this) ?? []) fn();
    destroyHooks.delete(this);
    if (this.owned) {
      this.buffer.destroy();
      freedBuffers.add(this.buffer);
      live.set(this.device, (live.get(this.device) ?? 1) - 1);
    }
  }

  /** A view with another shape over the same dense elements (no copy). */
  reshape(shape: readonly number[]): Tensor {
    this.assertUsable();
    if (numel(shape) !== this.size) throw new ShapeError(`cannot reshape tensor '${this.label}' of shape [${this.shape.join(', ')}] to [${shape.join(', ')}]`, 'the element counts must match', { from: this.shape, to: shape });
    if (!this.isDense) throw new ShapeError(`tensor '${this.label}' is strided; reshape() needs a dense tensor`, 'copy it into a dense tensor first');
    return new Tensor(this.device, this.buffer, this.dtype, shape, denseStrides(shape), this.offset, false, this.label);
  }
}

/**
 * Create a tensor that owns a new buffer (dense, row-major).
 * @example const t = wgml.tensor(device, { dtype: 'f32', shape: [1, 3, 224, 224] });
 */
export function tensor(device: GPUDevice, desc: TensorDesc): Tensor {
  assertDeviceAlive(device);
  assertDType(desc.dtype, device);
  const label = desc.label ?? `tensor#${nextId++}`;
  checkShape(desc.shape, label);
  const bytes = Math.max(4, Math.ceil((numel(desc.shape) * dtypeBytes(desc.dtype)) / 4) * 4);
  const max = deviceLimits(device).maxBufferSize;
  if (bytes > max) throw new ShapeError(`tensor '${label}' needs ${bytes} bytes, over this device's maxBufferSize of ${max}`, 'split the tensor, or use a device with a larger limit', { bytes, max });
  const buffer = device.createBuffer({ label, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | (desc.usage ?? 0) });
  madeBuffers.set(buffer, numel(desc.shape) * dtypeBytes(desc.dtype));
  live.set(device, (live.get(device) ?? 0) + 1);
  return new Tensor(device, buffer, desc.dtype, desc.shape, denseStrides(desc.shape), 0, true, label);
}

/**
 * A tensor viewing an existing buffer, with optional strides (in elements) and element offset.
 * Validated at creation: every element must lie inside the buffer, strides must be non-negative
 * integers, and the offset must be a whole element.
 * @example const w = wgml.tensorView(buffer, { dtype: 'f32', shape: [64, 32], strides: [1, 64] }); // transposed view
 */
export function tensorView(buffer: GPUBuffer, desc: TensorViewDesc & { device?: GPUDevice }, device?: GPUDevice): Tensor {
  const dev = device ?? desc.device;
  if (!dev) throw new ResourceStateError('tensorView needs the GPUDevice that owns the buffer', 'pass it as the third argument: tensorView(buffer, desc, device)');
  assertDeviceAlive(dev);
  assertDType(desc.dtype, dev);
  const label = desc.label ?? buffer.label ?? `view#${nextId++}`;
  checkShape(desc.shape, label);
  const strides = desc.strides ? [...desc.strides] : denseStrides(desc.shape);
  if (strides.length !== desc.shape.length) throw new ShapeError(`view '${label}': ${strides.length} strides for a rank-${desc.shape.length} shape`, 'give one stride per dimension', { shape: desc.shape, strides });
  for (const s of strides) if (!Number.isInteger(s) || s < 0) throw new ShapeError(`view '${label}': stride ${s} is not a non-negative integer`, 'strides count elements and cannot be negative', { strides });
  const offset = desc.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new ShapeError(`view '${label}': offset ${offset} is not a non-negative whole number of elements`, 'offsets count elements, not bytes', { offset });
  if ((buffer.usage & GPUBufferUsage.STORAGE) === 0) throw new ResourceStateError(`buffer '${label}' lacks STORAGE usage, so kernels cannot bind it`, 'create the buffer with GPUBufferUsage.STORAGE');
  const eb = dtypeBytes(desc.dtype);
  const t = new Tensor(dev, buffer, desc.dtype, desc.shape, strides, offset, false, label);
  if (t.size > 0 && Math.ceil(t.extentEnd * eb / 4) * 4 > buffer.size)
    throw new ShapeError(`view '${label}' reaches element ${t.extentEnd - 1} (byte ${t.extentEnd * eb}) but the buffer holds ${buffer.size} bytes`,
      'check shape, strides and offset against the buffer size', { shape: desc.shape, strides, offset, bufferSize: buffer.size });
  return t;
}
