/**
 * TensorProto → HostTensor. Host data follows wgml's one-word-per-element rule: float16, bfloat16 and
 * double become Float32Array, int64 becomes Int32Array (only the int64 extremes that Slice & co. use as
 * "to the end" sentinels are clamped; any other value outside i32 is refused), uint64 becomes Uint32Array.
 */
import { f16BitsToF32 } from '../tensor/dtype.js';
import { DTypeError, ModelFormatError } from '../errors.js';
import type { ElemType, HostTensor } from '../ir/types.js';
import { hostArrayFor } from '../ir/types.js';
import { DATA_TYPE, int64, protoType, type Int64, type TensorProto } from './proto.js';
import { decodeAt } from './decode-error.js';

const ELEM: Record<number, ElemType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};
const UNSUPPORTED: Record<number, string> = {
  14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz',
  21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};
const BYTES: Partial<Record<ElemType, number>> = {
  float32: 4, uint8: 1, int8: 1, uint16: 2, int16: 2, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8,
  uint32: 4, uint64: 8, bfloat16: 2,
};

/** Largest element count wgml accepts in one tensor (a u32 index must reach every element). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * The wgml element type of an ONNX data type code. `what` names the tensor or value in errors.
 * Throws DTypeError for types wgml does not claim (complex, float8, int4) and ModelFormatError for unknown codes.
 */
export function elemType(code: number, what: string): ElemType {
  const t = ELEM[code];
  if (t) return t;
  if (UNSUPPORTED[code]) {
    throw new DTypeError(`${what} has element type ${UNSUPPORTED[code]}, which wgml does not support`,
      'convert the model to float32/float16 or int32/int64 tensors (e.g. with onnxconverter-common)', { value: what, dtype: UNSUPPORTED[code] });
  }
  throw new ModelFormatError(`${what} has an unknown or undefined element type code ${code}`,
    'the file is corrupt or was written by a newer ONNX; re-export it with a released exporter', { value: what, code });
}

/** Checked dims: non-negative, and an element count a GPU buffer can index. */
export function checkedDims(dims: number[], what: string): number[] {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ModelFormatError(`${what} has an invalid dimension ${d} in shape [${dims.join(', ')}]`, 'dimensions must be non-negative integers; the file is corrupt', { value: what, shape: dims });
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new ModelFormatError(`${what} has shape [${dims.join(', ')}] with ${n} elements, more than wgml's limit of ${MAX_ELEMENTS}`,
      'split the tensor; the file may also be corrupt', { value: what, shape: dims });
  }
  return dims;
}


const bf16 = new Float32Array(1), bf16u = new Uint32Array(bf16.buffer);
function bfloatToFloat(h: number): number { bf16u[0] = (h & 0xffff) << 16; return bf16[0]!; }

const I32_MAX = 2147483647;

/** An int64 given as its two 32-bit halves, as i32: sentinel extremes clamp, anything else out of range throws. */
function int64ToI32(lo: number, hi: number, name: string, index: number): number {
  lo >>>= 0; hi |= 0;
  if (hi === (lo | 0) >> 31) return lo | 0;
  // Exporters write "to the end" as INT64_MAX, INT64_MIN or ±(INT64_MAX - k) (PyTorch uses
  // -INT64_MAX for reversed slices): any magnitude ≥ 2^62 is such a sentinel, so clamp it.
  if (hi >= 0x40000000) return I32_MAX;
  if (hi < -0x40000000) return -I32_MAX;
  const big = (BigInt(hi) << 32n) | BigInt(lo);
  throw new DTypeError(`int64 tensor '${name}' holds ${big} at element ${index}, outside the int32 range wgml computes int64 in`,
    'wgml computes int64 as int32; only sentinels of magnitude ≥ 2^62 (INT64_MAX/INT64_MIN and neighbours) are clamped. Re-export with values that fit int32', { tensor: name, index, value: String(big) });
}

function uint64ToU32(lo: number, hi: number, name: string, index: number): number {
  if (hi === 0) return lo >>> 0;
  throw new DTypeError(`uint64 tensor '${name}' holds a value over 2^32 at element ${index}`,
    'wgml computes uint64 as uint32; re-export with values that fit uint32', { tensor: name, index });
}

function longHalves(v: Int64): [number, number] {
  if (typeof v === 'number') {
    const big = BigInt(Math.trunc(v));
    return [Number(big & 0xffffffffn), Number(BigInt.asIntN(32, big >> 32n))];
  }
  return [v.low, v.high];
}

/** Decode little-endian raw bytes into wgml's host array. */
function fromRaw(dtype: ElemType, n: number, raw: Uint8Array, name: string): HostTensor['data'] {
  const size = BYTES[dtype]!;
  if (raw.byteLength !== n * size) {
    throw new ModelFormatError(`tensor '${name}' has ${raw.byteLength} bytes of raw data, expected ${n} × ${size} = ${n * size} for ${dtype}`,
      'the file is truncated or corrupt; re-export it', { tensor: name, bytes: raw.byteLength, expected: n * size });
  }
  const out = hostArrayFor(dtype, n);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true); break;
    case 'float64': for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true); break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = f16BitsToF32(dv.getUint16(i * 2, true)); break;
    case 'bfloat16': for (let i = 0; i < n; i++) out[i] = bfloatToFloat(dv.getUint16(i * 2, true)); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = dv.getInt8(i); break;
    case 'uint8': for (let i = 0; i < n; i++) out[i] = dv.getUint8(i); break;
    case 'bool': for (let i = 0; i < n; i++) out[i] = dv.getUint8(i) ? 1 : 0; break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true); break;
    case 'uint16': for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true); break;
    case 'uint32': for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true); break;
    case 'int64': for (let i = 0; i < n; i++) out[i] = int64ToI32(dv.getUint32(i * 8, true), dv.getInt32(i * 8 + 4, true), name, i); break;
    case 'uint64': for (let i = 0; i < n; i++) out[i] = uint64ToU32(dv.getUint32(i * 8, true), dv.getUint32(i * 8 + 4, true), name, i); break;
    default: throw new Error(`unreachable: ${dtype}`);
  }
  return out;
}

/** Decode the typed repeated fields (float_data, int32_data, …) that the spec assigns to each type. */
function fromFields(dtype: ElemType, n: number, t: TensorProto, name: string): HostTensor['data'] {
  const out = hostArrayFor(dtype, n);
  let src: ArrayLike<unknown>, field: string;
  switch (dtype) {
    case 'float32': src = t.float_data ?? []; field = 'float_data'; break;
    case 'float64': src = t.double_data ?? []; field = 'double_data'; break;
    case 'int64': src = t.int64_data ?? []; field = 'int64_data'; break;
    case 'uint32': case 'uint64': src = t.uint64_data ?? []; field = 'uint64_data'; break;
    default: src = t.int32_data ?? []; field = 'int32_data';
  }
  if (src.length !== n) {
    throw new ModelFormatError(`tensor '${name}' has ${src.length} values in ${field}, expected ${n} for its shape`,
      'the file is truncated or corrupt; re-export it', { tensor: name, count: src.length, expected: n });
  }
  for (let i = 0; i < n; i++) {
    const v = src[i] as Int64;
    switch (dtype) {
      case 'int64': { const [lo, hi] = longHalves(v); out[i] = int64ToI32(lo, hi, name, i); break; }
      case 'uint64': { const [lo, hi] = longHalves(v); out[i] = uint64ToU32(lo, hi, name, i); break; }
      case 'uint32': out[i] = int64(v) >>> 0; break;
      case 'float16': out[i] = f16BitsToF32(v as number); break;
      case 'bfloat16': out[i] = bfloatToFloat(v as number); break;
      case 'bool': out[i] = v ? 1 : 0; break;
      default: out[i] = v as number;
    }
  }
  return out;
}

/** Where a tensor's bytes live outside the model file. */
export interface ExternalRef { location: string; offset: number; length: number | undefined }

export function externalRef(t: TensorProto): ExternalRef | null {
  if (t.data_location !== 1) return null;
  const name = t.name ?? '';
  const kv = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) throw new ModelFormatError(`tensor '${name}' is stored externally but names no location`, 'the file is corrupt; re-export it', { tensor: name });
  const num = (k: string): number | undefined => {
    const s = kv.get(k);
    if (s === undefined) return undefined;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) throw new ModelFormatError(`tensor '${name}' has an invalid external ${k} '${s}'`, 'the file is corrupt; re-export it', { tensor: name, [k]: s });
    return v;
  };
  return { location, offset: num('offset') ?? 0, length: num('length') };
}

/**
 * Convert a decoded TensorProto. `external` gives the bytes of an external data file by location
 * (already read); omitted, externally stored tensors are refused.
 */
export function tensorFromProto(t: TensorProto, what = `tensor '${t.name ?? ''}'`, external?: (location: string) => Uint8Array): HostTensor {
  const name = t.name ?? '';
  const dtype = elemType(t.data_type ?? 0, what);
  if (dtype === 'string') {
    throw new DTypeError(`${what} is a string tensor; wgml does not run string ops on the GPU`, 'remove string processing from the model (do it in the app)', { tensor: name });
  }
  const shape = checkedDims((t.dims ?? []).map(int64), what);
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.segment) throw new ModelFormatError(`${what} is segmented, which wgml does not support`, 're-export the model without tensor segments', { tensor: name });
  const ext = externalRef(t);
  let data: HostTensor['data'];
  if (ext) {
    if (!external) throw new ModelFormatError(`${what} is stored in external file '${ext.location}', but no external data was provided`, 'pass { externalData } or { baseDir } to loadOnnx', { tensor: name, location: ext.location });
    const file = external(ext.location);
    const length = ext.length ?? n * BYTES[dtype]!;
    if (ext.offset > file.byteLength || ext.offset + length > file.byteLength) {
      throw new ModelFormatError(`${what} reads bytes ${ext.offset}..${ext.offset + length} of external file '${ext.location}', which has only ${file.byteLength} bytes`,
        'the external data file is truncated or does not belong to this model', { tensor: name, location: ext.location, offset: ext.offset, length, fileSize: file.byteLength });
    }
    data = fromRaw(dtype, n, file.subarray(ext.offset, ext.offset + length), name);
  } else if (t.raw_data && t.raw_data.byteLength > 0) {
    data = fromRaw(dtype, n, t.raw_data, name);
  } else {
    data = fromFields(dtype, n, t, name);
  }
  return { dtype, shape, data };
}

/** Decode a serialized TensorProto (the test data's input_*.pb / output_*.pb files). */
export function parseTensorProto(bytes: Uint8Array): HostTensor {
  return tensorFromProto(decodeAt<TensorProto>(protoType('TensorProto'), bytes, 'TensorProto'));
}
