// How fast this device runs WGSL's dot4U8Packed against the same four multiply-adds written out (byte extracts and
// i32 multiplies) and against four f32 FMAs: if dot4U8Packed is no faster than the written-out form, the driver (or
// Dawn's lowering) has no native DP4A for it, and the integer GEMM tiles are bound by that. Register-only loops, 8
// independent accumulators a thread, 64K threads; GPU time by timestamp queries, median of 9.
// `npx tsc -p . && node bench/quant/dot4-rate.mjs`.
import * as wgml from '../../dist/index.js';

const device = await wgml.requestDevice({ quiet: true });
const THREADS = +(process.env.THREADS ?? 65536), ITERS = +(process.env.ITERS ?? 4096), ACC = 8;
const bodies = {
  dot4U8Packed: { decl: 'var acc: array<u32, 8>;', step: (j) => `acc[${j}] += dot4U8Packed(a ^ ${j}u, b + ${j}u);`, out: 'acc[j]' },
  written_out: {
    decl: 'var acc: array<u32, 8>;',
    step: (j) => `{ let x = a ^ ${j}u; let y = b + ${j}u; acc[${j}] += (x & 255u) * (y & 255u) + ((x >> 8u) & 255u) * ((y >> 8u) & 255u) + ((x >> 16u) & 255u) * ((y >> 16u) & 255u) + (x >> 24u) * (y >> 24u); }`,
    out: 'acc[j]',
  },
  f32_fma4: {
    decl: 'var acc: array<f32, 8>;',
    step: (j) => `{ let x = f32(a ^ ${j}u); let y = f32(b + ${j}u); acc[${j}] = fma(x, y, fma(x, y, fma(x, y, fma(x, y, acc[${j}])))); }`,
    out: 'bitcast<u32>(acc[j])',
  },
};
const qs = device.createQuerySet({ type: 'timestamp', count: 2 });
const rb = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
const mb = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const out = device.createBuffer({ size: THREADS * 4, usage: GPUBufferUsage.STORAGE });
for (const [name, b] of Object.entries(bodies)) {
  const code = `@group(0) @binding(0) var<storage, read_write> o: array<u32>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  var a = g.x * 2654435761u; var b = g.x ^ 0x9e3779b9u;
  ${b.decl}
  for (var i = 0u; i < ${ITERS}u; i++) {
    ${Array.from({ length: ACC }, (_, j) => b.step(j)).join('\n    ')}
    a = a * 1664525u + 1013904223u; b = b ^ (a >> 7u);
  }
  var s = 0u;
  for (var j = 0u; j < ${ACC}u; j++) { s += ${b.out}; }
  o[g.x] = s;
}`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] });
  const t = [];
  for (let rep = 0; rep < 12; rep++) {
    const e = device.createCommandEncoder();
    const p = e.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
    p.setPipeline(pipeline); p.setBindGroup(0, bg); p.dispatchWorkgroups(THREADS / 256); p.end();
    e.resolveQuerySet(qs, 0, 2, rb, 0); e.copyBufferToBuffer(rb, 0, mb, 0, 16);
    device.queue.submit([e.finish()]);
    await mb.mapAsync(GPUMapMode.READ); const v = new BigUint64Array(mb.getMappedRange().slice(0)); mb.unmap();
    if (rep >= 3) t.push(Number(v[1] - v[0]) / 1e6);
  }
  t.sort((x, y) => x - y);
  const ms = t[t.length >> 1], macs = THREADS * ITERS * ACC * 4;
  console.log(JSON.stringify({ kernel: name, ms: +ms.toFixed(4), teraMacsPerSecond: +(macs / ms / 1e9).toFixed(2) }));
}
process.exit(0);
