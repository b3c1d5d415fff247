/**
 * subgroup-fast.ts kernels without subgroup matrices: lavapipe lacks them, so the test rewrites each
 * subgroupMatrixLoad/Store/MultiplyAccumulate into WGSL with the README's semantics (i8 operands packed
 * four to an i32 word, offsets and strides of i8 matrices in bytes, of i32 matrices in i32 elements,
 * row-major), executed cooperatively by the workgroup's lanes (see EMU). That checks every index, barrier
 * interval, fold and packing against the CPU int8 reference; what it cannot check (the real builtins'
 * spelling and fragment layout) the H100/H200 bench checks.
 */
import { describe, it, expect } from 'vitest';
import { ShaderMLP } from '../src/shaderml/mlp.js';
import { forwardInt8 } from '../src/shaderml/quant.js';
import { subgroupFastKernel, type FastKernelOptions } from '../src/shaderml/subgroup-fast.js';
import { subgroupBatchKernel } from '../src/shaderml/subgroup-batch.js';
import { MlpDimensionError } from '../src/shaderml/errors.js';
import { testDevice, scoped } from './helpers/gpu.js';
import { rng, testSeed } from './helpers/random.js';

/**
 * Subgroup matrices emulated cooperatively, the way hardware holds them: every matrix value lives in a
 * slot of a per-workgroup scratch pool (a storage buffer) and each of the 32 lanes loads, multiplies and
 * stores only its share of the elements, with a barrier after each step. A `let` of a matrix becomes the
 * slot's number. Each lane does 1/32 of the work and the shader has no large private arrays, so lavapipe
 * compiles and runs it in seconds (the old emulation, every lane holding every matrix in private memory,
 * took minutes per kernel). Slots are per textual occurrence, so matrices live as long as the kernel.
 * What remains of the time is lavapipe compiling the straight-line kernels (~5–25 s each on 2 cores).
 */
const SLOT_WORDS = 4 + 512; // header (rows, cols) + up to 16×32 elements, one i32 each
const EMU = (lanes: number) => `var<private> emu_base: u32;
fn emu_at(s: u32) -> u32 { return emu_base + s * ${SLOT_WORDS}u; }
fn emu_zero(s: u32, c: u32, r: u32) -> u32 {
  storageBarrier();
  let b = emu_at(s);
  for (var e = emu_lane; e < r * c; e += ${lanes}u) { emu_pool[b + 4u + e] = 0; }
  if (emu_lane == 0u) { emu_pool[b] = i32(r); emu_pool[b + 1u] = i32(c); }
  storageBarrier();
  return s;
}
fn emu_mma(s: u32, a: u32, b: u32, c: u32) -> u32 {
  let pa = emu_at(a); let pb = emu_at(b); let pc = emu_at(c); let po = emu_at(s);
  let m = u32(emu_pool[pa]); let k = u32(emu_pool[pa + 1u]); let n = u32(emu_pool[pb + 1u]);
  storageBarrier();
  for (var e = emu_lane; e < m * n; e += ${lanes}u) {
    let i = e / n; let j = e % n;
    var acc = emu_pool[pc + 4u + e];
    for (var q = 0u; q < k; q++) { acc += emu_pool[pa + 4u + i * k + q] * emu_pool[pb + 4u + q * n + j]; }
    emu_pool[po + 4u + e] = acc;
  }
  if (emu_lane == 0u) { emu_pool[po] = i32(m); emu_pool[po + 1u] = i32(n); }
  storageBarrier();
  return s;
}`;

/** Rewrites the kernel's subgroup-matrix builtins into calls of the emulation (EMU), with `lanes` lanes per workgroup. */
function emulate(code: string, lanes: number): { code: string; slots: number } {
  let slots = 0;
  let m = code.replace('enable chromium_experimental_subgroup_matrix;\n', '').replace('enable subgroups;\n', '')
    .replace(/subgroup_matrix_result<i32, (\d+), (\d+)>\(\)/g, (_, c: string, r: string) => `emu_zero(${slots++}u, ${c}u, ${r}u)`);
  const loads = new Map<string, string>(), stores = new Set<string>();
  m = m.replace(/subgroupMatrixLoad<subgroup_matrix_(?:left|right|result)<(i8|i32), (\d+), (\d+)>>\(&(\w+), /g, (_, ty: string, c: string, r: string, arr: string) => {
    loads.set(`${arr}_${ty}`, ty === 'i8' ? `(${arr}[idx / 4u] << (24u - 8u * (idx % 4u))) >> 24u` : `${arr}[idx]`);
    return `emu_load_${arr}_${ty}(${slots++}u, ${c}u, ${r}u, `;
  });
  // Nested products (K split over several tiles) are rewritten from the inside out.
  let prev = '';
  while (prev !== m) { prev = m; m = m.replace(/subgroupMatrixMultiplyAccumulate\(/, () => `emu_mma(${slots++}u, `); }
  m = m.replace(/subgroupMatrixStore\(&(\w+), /g, (_, arr: string) => { stores.add(arr); return `emu_store_${arr}(`; });
  expect(m).not.toMatch(/subgroup_matrix|subgroupMatrix/);
  expect(m, 'column-major operands are not emulated').not.toMatch(/emu_(?:load|store)_\w+\([^;]*, true, /);
  // Lane index and per-workgroup pool base, set first thing in main.
  const wg = /@builtin\(workgroup_id\) (\w+): vec3<u32>/.exec(m)?.[1];
  const li = /@builtin\(local_invocation_index\) (\w+): u32/.exec(m)?.[1];
  expect(wg && li, 'main must take workgroup_id and local_invocation_index').toBeTruthy();
  const body = m.indexOf('{', m.indexOf('fn main('));
  expect(body).toBeGreaterThan(0);
  m = `${m.slice(0, body + 1)}\n  emu_lane = ${li}; emu_base = ${wg}.x * ${slots}u * ${SLOT_WORDS}u;${m.slice(body + 1)}`;
  m += `\n@group(0) @binding(2) var<storage, read_write> emu_pool: array<i32>;\nvar<private> emu_lane: u32;\n${EMU(lanes)}\n`;
  for (const arr of stores) {
    m += `fn emu_store_${arr}(off: u32, s: u32, cm: bool, stride: u32) {
  let p = emu_at(s); let r = u32(emu_pool[p]); let c = u32(emu_pool[p + 1u]);
  for (var e = emu_lane; e < r * c; e += ${lanes}u) { ${arr}[off + (e / c) * stride + e % c] = emu_pool[p + 4u + e]; }
  storageBarrier();
}\n`;
  }
  for (const [key, el] of loads) {
    m += `fn emu_load_${key}(s: u32, c: u32, r: u32, off: u32, cm: bool, stride: u32) -> u32 {
  storageBarrier();
  let p = emu_at(s);
  for (var e = emu_lane; e < r * c; e += ${lanes}u) { let idx = off + (e / c) * stride + e % c; emu_pool[p + 4u + e] = ${el}; }
  if (emu_lane == 0u) { emu_pool[p] = i32(r); emu_pool[p + 1u] = i32(c); }
  storageBarrier();
  return s;
}\n`;
  }
  return { code: m, slots };
}

async function runEmulated(device: GPUDevice, mlp: ShaderMLP, x: Float32Array, opts: Partial<FastKernelOptions> | 'default', groups: number): Promise<Float32Array> {
  const rows = x.length / mlp.inputs, IN = mlp.inputs, OUT = mlp.outputs;
  const base = { name: 'dec', inputFn: 'read_x', storeFn: 'write_y', rows, group: 1 };
  const k = opts === 'default' ? subgroupBatchKernel(mlp, base) : subgroupFastKernel(mlp, { ...base, ...opts });
  const lanes = Number(/@workgroup_size\((\d+)\)/.exec(k.code)![1]);
  const emu = emulate(k.code, lanes);
  const code = emu.code + `
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read_write> Y: array<f32>;
fn read_x(r: u32) -> array<f32, ${IN}> { var x: array<f32, ${IN}>; for (var i = 0u; i < ${IN}u; i++) { x[i] = X[r * ${IN}u + i]; } return x; }
fn write_y(r: u32, y: array<f32, ${OUT}>) { for (var o = 0u; o < ${OUT}u; o++) { Y[r * ${OUT}u + o] = y[o]; } }`;
  return scoped(device, async () => {
    const xb = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    new Float32Array(xb.getMappedRange()).set(x); xb.unmap();
    const yb = device.createBuffer({ size: rows * OUT * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(yb, 0, new Float32Array(rows * OUT).fill(Number.NaN));
    const wgs = k.groups(groups);
    const pool = device.createBuffer({ size: wgs * emu.slots * SLOT_WORDS * 4, usage: GPUBufferUsage.STORAGE });
    const l0 = device.createBindGroupLayout({ entries: [0, 1, 2].map((b) => ({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: b ? 'storage' : 'read-only-storage' } as GPUBufferBindingLayout })) });
    const l1 = device.createBindGroupLayout({ entries: k.layoutEntries(GPUShaderStage.COMPUTE) });
    const pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const rb = device.createBuffer({ size: rows * OUT * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: xb } }, { binding: 1, resource: { buffer: yb } }, { binding: 2, resource: { buffer: pool } }] }));
    pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: k.bindGroupEntries(device) }));
    pass.dispatchWorkgroups(wgs);
    pass.end();
    enc.copyBufferToBuffer(yb, 0, rb, 0, rows * OUT * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    return out;
  });
}

/** Worst |got − ref| in units of the output's int8 step, and how many outputs differ by more than `tol` steps. */
function compareInt8(got: Float32Array, ref: Float32Array, step: number, tol: number): { worst: number; bad: number } {
  let worst = 0, bad = 0;
  got.forEach((v, i) => { const d = Number.isFinite(v) ? Math.abs(v - ref[i]!) / step : Infinity; worst = Math.max(worst, d); if (d > tol) bad++; });
  return { worst, bad };
}

describe('subgroup-fast int8 kernels (subgroup matrices emulated)', () => {
  // 'default' is subgroupBatchKernel's kernel (fold 'init', N8 last layer, one block per subgroup).
  const CASES: (Partial<FastKernelOptions> | 'default')[] = [
    'default',
    { fold: 'none', n8: false },
    { fold: 'int', blocks: 2, pack: 'pack4xU8' },
    { tail: 'dot4' },
    { head: 'dot4', tail: 'dot4' },
    { head: 'dot4' },
  ];
  for (const opts of CASES) {
    it(`matches the CPU int8 reference: ${JSON.stringify(opts)}`, async () => {
      const device = await testDevice();
      const seed = testSeed();
      const r = rng(seed);
      // 18 → 32 → 16 → 8 with leaky ReLU in one hidden layer: two hidden widths and both hidden activations
      // (the dot4 cases get the leaky one first, so head and tail each see the other activation).
      const dot4 = opts !== 'default' && opts.tail === 'dot4' && !opts.head;
      const acts = dot4 ? (['leaky_relu', 'relu', 'none'] as const) : (['relu', 'leaky_relu', 'none'] as const);
      const mlp = ShaderMLP.fromLayers([18, 32, 16, 8], [...ShaderMLP.random([18, 32, 16, 8], 'relu', seed).layers], [...acts], acts.map((a) => (a === 'leaky_relu' ? 0.1 : 0)));
      const rows = 150; // not a multiple of any block: exercises the clamped reads and skipped stores
      const x = Float32Array.from({ length: rows * 18 }, () => r() * 1.5 - 0.25); // off-centre: a non-zero input zero point
      mlp.calibrate(x);
      const got = await runEmulated(device, mlp, x, opts, 2); // 2 groups: the persistent loop iterates
      const ref = forwardInt8(mlp, x);
      // Outputs are f32 from i32 sums: only requantization ties and the fixed-point multiplier ('int'/'init')
      // may move one hidden int8 by one step; compare in units of the last layer's accumulator scale.
      const scale = Math.max(...Array.from(ref, Math.abs));
      const { worst, bad } = compareInt8(got, ref, scale / 127, 3);
      expect(bad, `worst ${worst.toFixed(2)} steps`).toBeLessThanOrEqual(Math.ceil(rows * 8 * 0.01));
      expect(worst).toBeLessThan(12);
    }, 120_000);
  }

  it('refuses shapes it cannot run', () => {
    const mlp = ShaderMLP.random([18, 32, 32, 8], 'relu', 1);
    const base = { name: 'd', inputFn: 'f', storeFn: 'g', rows: 64 };
    expect(() => subgroupFastKernel(mlp, { ...base, blocks: 3 })).toThrow(MlpDimensionError);
    expect(() => subgroupFastKernel(mlp, { ...base, accStride: 34 })).toThrow(/multiple of 4/);
    expect(() => subgroupFastKernel(ShaderMLP.random([18, 32, 8], 'silu', 1), base)).toThrow(/silu/);
    expect(() => subgroupFastKernel(mlp, { ...base, tail: 'dot4', fold: 'int' })).toThrow(/tail 'dot4' needs fold 'init'/);
    expect(() => subgroupFastKernel(ShaderMLP.random([18, 32, 8], 'relu', 1), { ...base, head: 'dot4', tail: 'dot4' })).toThrow(/head 'dot4' needs/);
  });
});

describe('the subgroup-matrix emulation itself', () => {
  it('loads i8 and i32 tiles, multiplies, accumulates and stores like the builtins (against a CPU product)', async () => {
    const device = await testDevice();
    const r = rng(testSeed());
    // A (16×32 i8) · B (32×16 i8) + C (16×16 i32), operands at offsets inside wider rows.
    const aStride = 40, bStride = 20, aOff = 8, bOff = 4, cStride = 20;
    const A = Int8Array.from({ length: 16 * aStride + aOff }, () => Math.floor(r() * 256) - 128);
    const Bm = Int8Array.from({ length: 32 * bStride + bOff }, () => Math.floor(r() * 256) - 128);
    const C = Int32Array.from({ length: 16 * cStride }, () => Math.floor(r() * 2000) - 1000);
    const pad4 = (b: Int8Array) => { const o = new Int8Array(Math.ceil(b.length / 4) * 4); o.set(b); return new Int32Array(o.buffer); };
    const kernel = `enable chromium_experimental_subgroup_matrix;
enable subgroups;
@group(0) @binding(0) var<storage, read> ga: array<i32>;
@group(0) @binding(1) var<storage, read> gb: array<i32>;
@group(0) @binding(3) var<storage, read> gc: array<i32>;
@group(0) @binding(4) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(32) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let a = subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>>(&ga, ${aOff}u, false, ${aStride}u);
  let b = subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>>(&gb, ${bOff}u, false, ${bStride}u);
  let c = subgroupMatrixLoad<subgroup_matrix_result<i32, 16, 16>>(&gc, 0u, false, ${cStride}u);
  subgroupMatrixStore(&out, 0u, subgroupMatrixMultiplyAccumulate(a, b, subgroupMatrixMultiplyAccumulate(a, b, c)), false, 16u);
}`;
    const emu = emulate(kernel, 32);
    const got = await scoped(device, async () => {
      const buf = (d: Int32Array, usage = GPUBufferUsage.STORAGE) => { const b = device.createBuffer({ size: Math.max(16, d.byteLength), usage, mappedAtCreation: true }); new Int32Array(b.getMappedRange(), 0, d.length).set(d); b.unmap(); return b; };
      const out = buf(new Int32Array(256), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const pool = device.createBuffer({ size: emu.slots * SLOT_WORDS * 4, usage: GPUBufferUsage.STORAGE });
      const pipe = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: emu.code }), entryPoint: 'main' } });
      const rb = device.createBuffer({ size: 1024, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [buf(pad4(A)), buf(pad4(Bm)), pool, buf(C), out].map((b, i) => ({ binding: i, resource: { buffer: b } })) }));
      pass.dispatchWorkgroups(1);
      pass.end();
      enc.copyBufferToBuffer(out, 0, rb, 0, 1024);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const v = new Int32Array(rb.getMappedRange().slice(0));
      rb.unmap();
      return v;
    });
    const want = new Int32Array(256);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 32; k++) s += A[aOff + i * aStride + k]! * Bm[bOff + k * bStride + j]!;
      want[i * 16 + j] = C[i * cStride + j]! + 2 * s;
    }
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});
