/**
 * NumPy .npy files (format 1.0–3.0) ↔ HostTensor. Strict: a header that lies about the data size
 * is refused with the byte offsets involved. The file's dtype is kept (float64 stays 'float64',
 * though held in 32-bit words like every HostTensor) so that a model taking float32 can refuse it
 * instead of converting behind the caller's back.
 */
import { ModelFormatError } from '../errors.js';
import type { ElemType, HostTensor } from './types.js';
import { hostArrayFor, shapeSize } from './types.js';
import { f16BitsToF32, f32ToF16Bits } from '../tensor/dtype.js';

const DESCR: Record<string, { t: ElemType; bytes: number; read: (dv: DataView, o: number) => number }> = {
  '<f4': { t: 'float32', bytes: 4, read: (d, o) => d.getFloat32(o, true) },
  '<f8': { t: 'float64', bytes: 8, read: (d, o) => d.getFloat64(o, true) },
  '<f2': { t: 'float16', bytes: 2, read: (d, o) => f16BitsToF32(d.getUint16(o, true)) },
  '<i8': { t: 'int64', bytes: 8, read: (d, o) => Number(d.getBigInt64(o, true)) },
  '<i4': { t: 'int32', bytes: 4, read: (d, o) => d.getInt32(o, true) },
  '<i2': { t: 'int16', bytes: 2, read: (d, o) => d.getInt16(o, true) },
  '|i1': { t: 'int8', bytes: 1, read: (d, o) => d.getInt8(o) },
  '|u1': { t: 'uint8', bytes: 1, read: (d, o) => d.getUint8(o) },
  '<u2': { t: 'uint16', bytes: 2, read: (d, o) => d.getUint16(o, true) },
  '<u4': { t: 'uint32', bytes: 4, read: (d, o) => d.getUint32(o, true) },
  '<u8': { t: 'uint64', bytes: 8, read: (d, o) => Number(d.getBigUint64(o, true)) },
  '|b1': { t: 'bool', bytes: 1, read: (d, o) => d.getUint8(o) },
};


/** Parse .npy bytes. `name` appears in errors (e.g. the file path). */
export function readNpy(bytes: Uint8Array, name = 'array'): HostTensor {
  const fail = (m: string, offset: number): never => { throw new ModelFormatError(`${name}: ${m}`, 'write the file with numpy.save', { file: name, offset }); };
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') fail('not a .npy file (bad magic)', 0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(`format version ${major}.${bytes[7]} is not 1.0, 2.0 or 3.0`, 6);
  if (major > 1 && bytes.length < 12) fail(`truncated header (${bytes.length} bytes)`, 8);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  if (hstart + hlen > bytes.length) fail(`header of ${hlen} bytes runs past the end of the file (${bytes.length} bytes)`, 8);
  const header = new TextDecoder().decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) fail(`unreadable header ${JSON.stringify(header)}`, hstart);
  if (fortran === 'True') fail('Fortran-order arrays are not supported', hstart);
  const d = DESCR[descr!] ?? fail(`dtype '${descr}' is not supported (use float32, float64, float16, int64, int32, int16, int8, uint8, uint16, uint32, uint64 or bool)`, hstart);
  const shape = shapeStr!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((x) => !Number.isInteger(x) || x < 0)) fail(`bad shape (${shapeStr})`, hstart);
  const n = shapeSize(shape);
  const dataStart = hstart + hlen;
  const need = n * d.bytes;
  if (bytes.length - dataStart !== need) fail(`header says shape (${shape.join(', ')}) of ${descr}: ${need} data bytes, but the file holds ${bytes.length - dataStart} after the header`, dataStart);
  const data = hostArrayFor(d.t, n);
  for (let i = 0; i < n; i++) data[i] = d.read(dv, dataStart + i * d.bytes);
  return { dtype: d.t, shape, data };
}

/**
 * Encode a HostTensor as .npy in its own dtype (float16 rounded to nearest even from the f32 words it is
 * computed in), so an output reads back as the input of the same dtype (a float16 model's KV cache fed
 * to its next step); bfloat16, which numpy lacks, as <f4.
 */
export function writeNpy(t: HostTensor): Uint8Array {
  const map: Partial<Record<ElemType, [string, number]>> = {
    float16: ['<f2', 2], float64: ['<f8', 8], int64: ['<i8', 8], bool: ['|b1', 1], uint8: ['|u1', 1], int8: ['|i1', 1],
    uint32: ['<u4', 4], int32: ['<i4', 4], int16: ['<i2', 2], uint16: ['<u2', 2], uint64: ['<u8', 8],
  };
  const [descr, bytes] = map[t.dtype] ?? ['<f4', 4];
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.length * bytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const o = 10 + header.length;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    switch (descr) {
      case '<f4': dv.setFloat32(o + i * 4, v, true); break;
      case '<f2': dv.setUint16(o + i * 2, f32ToF16Bits(v), true); break;
      case '<f8': dv.setFloat64(o + i * 8, v, true); break;
      case '<i2': dv.setInt16(o + i * 2, v, true); break;
      case '<u2': dv.setUint16(o + i * 2, v, true); break;
      case '<u8': dv.setBigUint64(o + i * 8, BigInt(Math.trunc(v)), true); break;
      case '<i8': dv.setBigInt64(o + i * 8, BigInt(Math.trunc(v)), true); break;
      case '<i4': dv.setInt32(o + i * 4, v, true); break;
      case '<u4': dv.setUint32(o + i * 4, v, true); break;
      case '|i1': dv.setInt8(o + i, v); break;
      default: dv.setUint8(o + i, v);
    }
  }
  return out;
}
