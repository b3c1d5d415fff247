// Run from the repository root: node bench/materials/tiled-check.mjs (ONLY=1: the material-sized shapes only). H100 output of 2026-12-06: bench/materials-2026-12-06-tiled-h100/tiled-check.txt.
// Old vs tiled forward+backward: agreement of A, D, LOSS, GL on this device, and kernel times (timestamp queries).
import { requestDevice, deviceInfo, deviceLimits } from '../../dist/gpu/device.js';
import { fwdBwdWgsl, paramLayout, layerSizes, latentCount } from '../../dist/shaderml/material/kernels.js';
import { fwdBwdTiledWgsl, fwdBwdTiledBytes, fwdBwdTiledGroups } from '../../dist/shaderml/material/fwd-bwd-tiled.js';
import { buf, read } from '../../dist/shaderml/material/trainer.js';
import { parseRung } from '../../dist/shaderml/material/rung.js';
import { positionFor } from '../../dist/shaderml/material/position.js';
import { ALPHA, gridShape } from '../../dist/shaderml/material/train.js';
const d = await requestDevice({ quiet: true });
console.log(deviceInfo(d).adapter.description, 'wg storage', d.limits.maxComputeWorkgroupStorageSize);
let seed = 11;
const rnd = (n, lo, hi) => Float32Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) >>> 0; return lo + (hi - lo) * (seed / 4294967296); });
const shapes = [];
for (const [W, spec, b, C] of ([[512, 's1f1b4+s2f2b4c+s4f4b2', 65536, 6], [512, 's1f1b4+s2f2b4c+s4f4b2', 262144, 6], [512, 's2f8b4+s4f8b2', 65536, 9], [1024, 's1f2b4+s4f8b2h64', 65536, 6], [512, 's2f4b4c+s4f4b2', 16384, 3]])) {
  const rung = parseRung(spec);
  shapes.push({ width: W, height: W, channels: C, grids: rung.grids.map((g) => gridShape({ width: W, height: W }, g)), hidden: rung.hidden, position: positionFor(rung.grids), batch: b, alpha: ALPHA, name: `${W} ${spec}:${b}` });
}
if (!process.env.ONLY) shapes.push({ name: 'test0', width: 24, height: 20, channels: 6, grids: [{ lw: 24, lh: 20, features: 1, bits: 4 }, { lw: 12, lh: 10, features: 2, bits: 4, concat: true }, { lw: 6, lh: 5, features: 4, bits: 2 }], hidden: 32, position: 'p2', batch: 300, alpha: 0.01, lossWeight: 0.5 });
if (!process.env.ONLY) shapes.push({ name: 'test3', width: 40, height: 30, channels: 3, grids: [{ lw: 20, lh: 15, features: 5, bits: 2 }], hidden: 12, position: 'p4', batch: 1111, alpha: 0.01 });
if (!process.env.ONLY) shapes.push({ name: 'test4', width: 12, height: 10, channels: 6, grids: [{ lw: 6, lh: 5, features: 3, bits: 4, concat: true }, { lw: 3, lh: 3, features: 2, bits: 2 }], hidden: 10, position: 'uv', batch: 20, alpha: 0.01, lossWeight: 2 });
for (const s of shapes) {
  const L = paramLayout(s), [I, H, , C] = layerSizes(s), ACT = I + 2 * H, DEL = 2 * H + C, lat = latentCount(s), B = s.batch;
  const P = new Float32Array(L.mlp + lat); P.set(rnd(L.mlp, -0.3, 0.3)); P.set(rnd(lat, 0, 1), L.mlp);
  const T = rnd(s.width * s.height * C, 0, 1), CW = rnd(C, 0.5, 1.5);
  if (process.env.ONLY && !s.name.includes(process.env.ONLY)) continue;
  for (const qat of [0, 1, 2]) {
    const res = [];
    const tiles = [0, 128, 64, 32, 16].filter((t) => !t || fwdBwdTiledBytes(s, t) <= d.limits.maxComputeWorkgroupStorageSize);
    for (const tb of tiles) {
      const bs = [buf(d, 'P', P), buf(d, 'T', T), buf(d, 'S', new Uint32Array([3, 0, qat, 0])), buf(d, 'A', B * ACT * 4), buf(d, 'D', B * DEL * 4), buf(d, 'L', B * C * 4), buf(d, 'GL', lat * 4), buf(d, 'CW', CW)];
      d.pushErrorScope('validation');
      const code = tb ? fwdBwdTiledWgsl(s, tb) : fwdBwdWgsl(s);
      const p = d.createComputePipeline({ layout: 'auto', compute: { module: d.createShaderModule({ code }), entryPoint: 'main' } });
      const g = d.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bs.map((b, i) => ({ binding: i, resource: { buffer: b } })) });
      const groups = tb ? fwdBwdTiledGroups(s, tb) : Math.ceil(B / 64);
      let enc = d.createCommandEncoder(), pass = enc.beginComputePass(); pass.setPipeline(p); pass.setBindGroup(0, g); pass.dispatchWorkgroups(groups); pass.end(); d.queue.submit([enc.finish()]);
      const out = { A: await read(d, bs[3], B * ACT * 4), D: await read(d, bs[4], B * DEL * 4), L: await read(d, bs[5], B * C * 4), GL: new Int32Array((await read(d, bs[6], lat * 4)).buffer) };
      // Timing (qat 0 only): 10 dispatches a pass, median of 15.
      let ms = NaN;
      if (qat === 0 && d.features.has('timestamp-query')) {
        const qs = d.createQuerySet({ type: 'timestamp', count: 2 }), qb = buf(d, 'q', 16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC), rb = d.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        const ts = [];
        for (let r = 0; r < 18; r++) {
          enc = d.createCommandEncoder(); pass = enc.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
          pass.setPipeline(p); pass.setBindGroup(0, g); for (let n = 0; n < 10; n++) pass.dispatchWorkgroups(groups); pass.end();
          enc.resolveQuerySet(qs, 0, 2, qb, 0); enc.copyBufferToBuffer(qb, 0, rb, 0, 16); d.queue.submit([enc.finish()]);
          await rb.mapAsync(GPUMapMode.READ); const t = new BigUint64Array(rb.getMappedRange().slice(0)); rb.unmap();
          if (r >= 3) ts.push(Number(t[1] - t[0]) / 1e7);
        }
        ms = ts.sort((a, b) => a - b)[ts.length >> 1];
        qs.destroy(); qb.destroy(); rb.destroy();
      }
      const err = await d.popErrorScope();
      res.push({ tb, out, ms, err: err?.message });
      bs.forEach((b) => b.destroy());
    }
    const ref = res[0].out;
    // Where D differs: the row, the unit, and the hidden activations there (a flip at the kink has |h| tiny).
    for (const r of res.slice(1)) { let k = 0; for (let i = 0; i < ref.D.length && k < 6; i++) if (Math.abs(r.out.D[i] - ref.D[i]) > 1e-3 * (1 + Math.abs(ref.D[i]))) { k++; const b = Math.floor(i / DEL), u = i % DEL; let mn = [1e9, -1]; for (let j = I; j < ACT; j++) { const v = Math.abs(ref.A[b * ACT + j]); if (v < mn[0]) mn = [v, j - I]; } console.log(`  tb ${r.tb} D row ${b} unit ${u}: ${r.out.D[i]} vs ${ref.D[i]}; smallest |h| in the row ${mn[0]} at hidden ${mn[1]} (tiled ${r.out.A[b * ACT + I + mn[1]]})`); } }
    const rel = (a, b) => { let m = 0, s = 0; for (let i = 0; i < a.length; i++) { s = Math.max(s, Math.abs(b[i])); } for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return (m / (s || 1)).toExponential(1); };
    const glBad = (a, b) => { let n = 0, m = 0; for (let i = 0; i < a.length; i++) { const e = Math.abs(a[i] - b[i]); m = Math.max(m, e); if (e > 64 + 1e-3 * Math.abs(b[i])) n++; } return `${n} off (max ${m})`; };
    console.log(`${s.name} qat ${qat}: ` + res.map((r) => `${r.tb ? `tiled ${r.tb}` : 'per-texel'}${isNaN(r.ms) ? '' : ` ${r.ms.toFixed(4)} ms`}${r.err ? ` ERROR ${r.err}` : ''}${r.tb ? ` [A ${rel(r.out.A, ref.A)} D ${rel(r.out.D, ref.D)} L ${rel(r.out.L, ref.L)} GL ${glBad(r.out.GL, ref.GL)}]` : ''}`).join('; '));
  }
}
d.destroy();
