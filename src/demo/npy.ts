/** Minimal .npy (format 1.0) writers for little-endian float32 and float16 arrays, read by numpy.load. */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

function npyHeader(descr: '<f4' | '<f2', shape: readonly number[]): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1')]);
}

export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  return Buffer.concat([npyHeader('<f4', shape), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function writeNpy(path: string, data: Float32Array, shape: readonly number[]): void {
  writeFileSync(path, encodeNpy(data, shape));
}

/** f32 → IEEE half bits, round to nearest even (finite inputs; overflow saturates to ±inf). */
export function toHalf(data: Float32Array): Uint16Array {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer), out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    f[0] = data[i]!;
    const x = u[0]!, sign = (x >>> 16) & 0x8000, e = (x >>> 23) & 0xff, m = x & 0x7fffff;
    if (e === 0xff) { out[i] = sign | 0x7c00 | (m ? 0x200 : 0); continue; }
    const he = e - 127 + 15;
    if (he >= 31) { out[i] = sign | 0x7c00; continue; }
    if (he <= 0) {
      if (he < -10) { out[i] = sign; continue; }
      const mm = m | 0x800000, shift = 14 - he;
      let h = mm >>> shift;
      const rest = mm & ((1 << shift) - 1), halfway = 1 << (shift - 1);
      if (rest > halfway || (rest === halfway && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (he << 10) | (m >>> 13);
    const rest = m & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
    out[i] = sign | h;
  }
  return out;
}

/**
 * A float16 .npy written sample by sample (datasets larger than memory). The header is rewritten at
 * close() with the number of samples appended, so a writer stopped early (a time budget) still
 * leaves a valid file; `shape` gives one sample's dimensions.
 */
export class NpyF16Writer {
  readonly #fd: number;
  readonly #per: number;
  #count = 0;
  constructor(readonly path: string, readonly shape: readonly number[]) {
    this.#fd = openSync(path, 'w');
    this.#per = shape.reduce((a, b) => a * b, 1);
    writeSync(this.#fd, this.#header(0));
  }
  /** A header of fixed length (128 bytes, room for any count), so rewriting it never moves the data. */
  #header(count: number): Buffer {
    const h = npyHeader('<f2', [count, ...this.shape]);
    if (h.length > 128) throw new Error(`${this.path}: shape [${this.shape}] makes a header over 128 bytes`);
    const fixed = Buffer.alloc(128, 0x20);
    h.copy(fixed, 0, 0, 10);
    fixed.writeUInt16LE(128 - 10, 8);
    h.copy(fixed, 10, 10, h.length - 1);
    fixed[127] = 0x0a;
    return fixed;
  }
  get count(): number { return this.#count; }
  append(sample: Float32Array): void {
    if (sample.length !== this.#per) throw new Error(`${this.path}: a sample of ${sample.length} values; the shape [${this.shape}] needs ${this.#per}`);
    const h = toHalf(sample);
    writeSync(this.#fd, new Uint8Array(h.buffer, h.byteOffset, h.byteLength));
    this.#count++;
  }
  close(): void {
    writeSync(this.#fd, this.#header(this.#count), 0, 128, 0);
    closeSync(this.#fd);
  }
}
