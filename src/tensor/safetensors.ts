/**
 * A minimal safetensors reader/writer (https://huggingface.co/docs/safetensors): 8-byte little-endian
 * header length, a JSON header of `{name: {dtype, shape, data_offsets}}` plus `__metadata__`, then
 * the raw little-endian data. Enough for inline-network weights; no memory mapping.
 */
import { WeightFileError } from '../errors.js';
import { f32ArrayToF16Bits as packHalf, f16BitsToF32Array as unpackHalf } from './dtype.js';

export type SafeDType = 'F32' | 'F16' | 'I32' | 'I8' | 'U8';
export interface SafeTensor { dtype: SafeDType; shape: number[]; data: Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array }
export interface SafeFile { tensors: Map<string, SafeTensor>; metadata: Record<string, string> }

const BYTES: Record<SafeDType, number> = { F32: 4, F16: 2, I32: 4, I8: 1, U8: 1 };

/** Decode safetensors bytes. F16 tensors keep their raw bits (Uint16Array); see {@link tensorAsF32}. */
export function readSafetensors(bytes: Uint8Array): SafeFile {
  if (bytes.length < 8) throw new WeightFileError(`safetensors file too short (${bytes.length} bytes)`, 'pass the whole file', { offset: 0 });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new WeightFileError(`safetensors header length ${n} runs past the end (${bytes.length} bytes)`, 'the file is truncated or not safetensors', { offset: 0 });
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new WeightFileError(`safetensors header is not JSON: ${(e as Error).message}`, 'the file is corrupt', { offset: 8 });
  }
  const base = 8 + n;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = v as Record<string, string>; continue; }
    const e = v as { dtype: SafeDType; shape: number[]; data_offsets: [number, number] };
    const size = BYTES[e.dtype];
    if (!size) throw new WeightFileError(`tensor '${name}' has dtype ${e.dtype}`, 'wgml reads F32, F16, I32, I8 and U8 safetensors', { tensor: name });
    const [b, end] = e.data_offsets;
    const count = e.shape.reduce((a, d) => a * d, 1);
    if (end - b !== count * size || base + end > bytes.length) {
      throw new WeightFileError(`tensor '${name}' (${e.dtype} ${JSON.stringify(e.shape)}) has data_offsets [${b}, ${end}] that do not fit`, 'the file is truncated or inconsistent', { tensor: name, offset: base + b });
    }
    const raw = bytes.slice(base + b, base + end); // copy: aligns the data for typed arrays
    const buf = raw.buffer;
    const data = e.dtype === 'F32' ? new Float32Array(buf) : e.dtype === 'F16' ? new Uint16Array(buf)
      : e.dtype === 'I32' ? new Int32Array(buf) : e.dtype === 'I8' ? new Int8Array(buf) : new Uint8Array(buf);
    tensors.set(name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** A tensor's values as f32 (F16 widened, ints converted). */
export function tensorAsF32(t: SafeTensor): Float32Array {
  if (t.dtype === 'F16') return unpackHalf(t.data as Uint16Array);
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

export interface SafeInput { dtype: SafeDType; shape: number[]; data: ArrayLike<number> }

/** Encode tensors (in insertion order) and string metadata. F16 input is given as numbers and rounded. */
export function writeSafetensors(tensors: Record<string, SafeInput>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.data.length) throw new WeightFileError(`tensor '${name}' has ${t.data.length} values for shape ${JSON.stringify(t.shape)}`, 'give shape and data that agree', { tensor: name });
    const typed = t.dtype === 'F32' ? Float32Array.from(t.data) : t.dtype === 'F16' ? packHalf(t.data)
      : t.dtype === 'I32' ? Int32Array.from(t.data) : t.dtype === 'I8' ? Int8Array.from(t.data) : Uint8Array.from(t.data);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + bytes.length] };
    blobs.push(bytes);
    off += bytes.length;
  }
  const json = JSON.stringify(header);
  const plain = new TextEncoder().encode(json).length;
  const hb = new TextEncoder().encode(json + ' '.repeat((8 - ((8 + plain) % 8)) % 8)); // data starts 8-aligned
  const out = new Uint8Array(8 + hb.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const b of blobs) { out.set(b, p); p += b.length; }
  return out;
}
