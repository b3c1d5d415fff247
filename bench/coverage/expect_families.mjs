// Adds onnxruntime-node's outputs (CPU, graph optimizations off) to every CASE.json that
// export_families.py wrote: `node bench/coverage/expect_families.mjs [DIR]`.
import ort from 'onnxruntime-node';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const dir = process.argv[2] ?? 'test/fixtures/coverage-2';

export function ortFeed(spec) {
  const n = spec.data.length;
  if (spec.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(spec.data, (v) => BigInt(v)), spec.shape);
  if (spec.dtype === 'float16') {
    const bits = new Uint16Array(n);
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    // the values are already float16-exact, so truncating the float32 bits is exact
    for (let i = 0; i < n; i++) {
      f[0] = spec.data[i]; const x = u[0], s = (x >>> 16) & 0x8000, e = ((x >>> 23) & 0xff) - 127 + 15, m = x & 0x7fffff;
      bits[i] = e <= 0 ? s | ((m | 0x800000) >>> (14 - e)) : s | (e << 10) | (m >>> 13);
      if (spec.data[i] === 0) bits[i] = s;
    }
    return new ort.Tensor('float16', bits, spec.shape);
  }
  return new ort.Tensor(spec.dtype, Float32Array.from(spec.data), spec.shape);
}

function f16ToF32(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function fromOrt(t) {
  let data;
  if (t.type === 'float16') data = Array.from(t.data instanceof Uint16Array ? t.data : new Uint16Array(t.data.buffer, t.data.byteOffset, t.data.length), f16ToF32);
  else data = Array.from(t.data, (v) => Number(v));
  return { dtype: t.type === 'float32' ? 'float32' : t.type, shape: [...t.dims], data };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
    let sess, out;
    try {
      sess = await ort.InferenceSession.create(`${dir}/${c.model}`, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
      out = await sess.run(Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, ortFeed(v)])));
    } catch (e) {
      // no reference, no case: say so and go on with the others
      console.log(`${f}: onnxruntime fails: ${String(e.message).split('\n')[0]}`);
      continue;
    }
    c.outputs = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v)]));
    // float32 outputs keep 7 significant digits: the file stays small and the rounding (5e-8 relative) is
    // far below any tolerance. JSON has no NaN/Infinity: they are written as strings (read back with Number).
    writeFileSync(`${dir}/${f}`, JSON.stringify(c, (k, v) => (typeof v !== 'number' || Number.isInteger(v) ? v : Number.isFinite(v) ? +v.toPrecision(7) : String(v))));
    console.log(`${f}: ${Object.entries(c.outputs).map(([k, v]) => `${k} [${v.shape}]`).join(', ')}`);
    await sess.release();
  }
}
