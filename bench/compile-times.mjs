// Rank the test suite's compute kernels by how long the local Vulkan driver takes to compile them, cold.
//   WGML_PIPELINE_DUMP=/tmp/pipes npx vitest run      # writes every distinct pipeline the tests create
//   node bench/compile-times.mjs /tmp/pipes [--lanes 128] [--top 30] [--out times.tsv]
// Each kernel is compiled in an empty Mesa shader cache of its own run (a fresh MESA_SHADER_CACHE_DIR), bound to
// buffers of u32 ones (so no loop bound or stride read from them is zero) and dispatched once, since lavapipe compiles
// at the first dispatch. Kernels with bindings
// other than buffers (textures, samplers) are listed as skipped. Prints the total and the kernels grouped by label.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { lanes: { type: 'string' }, top: { type: 'string', default: '30' }, out: { type: 'string' } } });
const dir = positionals[0];
if (!dir) { console.error('usage: node bench/compile-times.mjs DUMP_DIR [--lanes 128] [--top 30] [--out times.tsv]'); process.exit(2); }
// Set before the driver loads: the cache folder and lane count are read when Vulkan starts.
const cache = mkdtempSync(join(tmpdir(), 'wgml-compile-times-'));
process.env.MESA_SHADER_CACHE_DIR = cache;
if (values.lanes) process.env.LP_NATIVE_VECTOR_WIDTH = values.lanes;
const { requestDevice } = await import('../dist/gpu/device.js');
const device = await requestDevice({ quiet: true });
const fill = (size, usage) => { const b = device.createBuffer({ size, usage, mappedAtCreation: true }); new Uint32Array(b.getMappedRange()).fill(1); b.unmap(); return b; };
const storage = Array.from({ length: 32 }, () => fill(1 << 16, GPUBufferUsage.STORAGE)), uniform = Array.from({ length: 8 }, () => fill(1 << 16, GPUBufferUsage.UNIFORM));
const BINDING = /@group\((\d+)\)\s*@binding\((\d+)\)\s*var(<[^>]*>)?\s+\w+\s*:\s*([^;]+);/g;

async function compileTime(r) {
  const groups = new Map();
  let s = 0, u = 0;
  for (const [, g, b, q = '', type] of r.code.matchAll(BINDING)) {
    const kind = q.includes('uniform') ? 'uniform' : q.includes('read_write') ? 'storage' : q.includes('storage') ? 'read-only-storage' : null;
    if (!kind) return { skip: type.trim() };
    if (!groups.has(+g)) groups.set(+g, []);
    groups.get(+g).push({ binding: +b, kind, buffer: kind === 'uniform' ? uniform[u++] : storage[s++] });
  }
  const n = groups.size ? Math.max(...groups.keys()) + 1 : 0;
  const layouts = Array.from({ length: n }, (_, g) => device.createBindGroupLayout({ entries: (groups.get(g) ?? []).map((e) => ({ binding: e.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: e.kind } })) }));
  device.pushErrorScope('validation');
  const t0 = performance.now();
  const module = device.createShaderModule({ code: r.code });
  const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: layouts }), compute: { module, entryPoint: r.entryPoint, constants: r.constants } });
  const enc = device.createCommandEncoder(), pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  layouts.forEach((layout, g) => pass.setBindGroup(g, device.createBindGroup({ layout, entries: (groups.get(g) ?? []).map((e) => ({ binding: e.binding, resource: { buffer: e.buffer } })) })));
  pass.dispatchWorkgroups(1);
  pass.end();
  device.queue.submit([enc.finish()]);
  const err = await device.popErrorScope();
  await device.queue.onSubmittedWorkDone();
  return err ? { error: err.message.split('\n')[0] } : { ms: performance.now() - t0 };
}

const rows = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  rows.push({ file: f, label: r.label || '(no label)', chars: r.code.length, ...(await compileTime(r)) });
}
rmSync(cache, { recursive: true, force: true });
const timed = rows.filter((r) => r.ms !== undefined);
// Labels carry per-site suffixes (" @329", " level 1"): group by their first two words.
const byKind = new Map();
for (const r of timed) { const k = r.label.split(' ').slice(0, 2).join(' '); const e = byKind.get(k) ?? { ms: 0, n: 0, max: 0 }; e.ms += r.ms; e.n++; e.max = Math.max(e.max, r.ms); byKind.set(k, e); }
console.log(`${timed.length} kernels compiled in ${(timed.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)} s (lanes: ${process.env.LP_NATIVE_VECTOR_WIDTH ?? 'driver default'}); ${rows.filter((r) => r.skip).length} skipped (non-buffer bindings), ${rows.filter((r) => r.error).length} refused by validation`);
console.log('   total s  count   max s  label');
for (const [k, e] of [...byKind].sort((a, b) => b[1].ms - a[1].ms).slice(0, +values.top)) console.log(`${(e.ms / 1000).toFixed(1).padStart(10)}  ${String(e.n).padStart(5)}  ${(e.max / 1000).toFixed(2).padStart(6)}  ${k}`);
if (values.out) writeFileSync(values.out, rows.map((r) => [r.ms?.toFixed(0) ?? '', r.skip ? 'skip' : r.error ? 'error' : 'ok', r.label, r.chars, r.file, r.skip ?? r.error ?? ''].join('\t')).join('\n') + '\n');
process.exit(0);
