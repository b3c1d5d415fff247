/** Kernel signatures (src/gpu/signature.ts): packing, generated WGSL (snapshots), and both binding modes on the GPU. */
import { describe, it, expect } from 'vitest';
import { kernelWgsl, packParams, packShared, signature } from '../src/gpu/signature.js';
import { testDevice, scoped } from './helpers/gpu.js';

const SIG = signature({
  params: { n: 'u32', scale: 'f32', shift: 'i32', dims: ['u32', 6] },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});
const BODY = `@compute @workgroup_size(8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let P = wgml_init();
  if (g.x >= P.n) { return; }
  Y_st(g.x, X_ld(g.x) * P.scale + f32(P.shift) + f32(P_dims(g.x % 6u)));
}`;

describe('kernel signatures', () => {
  it('lay parameters out by WGSL uniform rules and pack them', () => {
    expect(SIG.layout.map((l) => [l.name, l.offset])).toEqual([['n', 0], ['scale', 4], ['shift', 8], ['dims', 16]]);
    expect(SIG.paramBytes).toBe(48);
    const b = packParams(SIG, { n: 5, scale: 0.5, shift: -3, dims: [1, 2, 3, 4, 5, 6] });
    const dv = new DataView(b);
    expect([dv.getUint32(0, true), dv.getFloat32(4, true), dv.getInt32(8, true), dv.getUint32(16, true), dv.getUint32(36, true)]).toEqual([5, 0.5, -3, 1, 6]);
    expect(() => packParams(SIG, { n: 5, scale: 1, shift: 0 })).toThrow(/'dims' has no value/);
    expect(() => packParams(SIG, { n: 5, scale: 1, shift: 0, dims: [1], extra: 1 })).toThrow(/'extra' is not a parameter/);
    expect(() => signature({ buffers: [{ name: 'X', elem: 'f32' }, { name: 'X', elem: 'f32' }] })).toThrow(/unique/);
    const shared = new Uint32Array(packShared(SIG, { n: 5, scale: 1, shift: 0, dims: [] }, [100, 200]));
    expect(Array.from(shared.slice(12))).toEqual([100, 200]);
  });

  it('generates the declarations (snapshot of both modes), refusing a written buffer bound read-only', () => {
    expect(kernelWgsl(SIG, 'rw', { body: BODY })).toMatchSnapshot();
    expect(kernelWgsl(SIG, 'ww', { body: BODY }, { kind: 'shared', declarations: '@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;\nfn wgml_word(i: u32) -> u32 { return wgml_params[i]; }\n@group(0) @binding(1) var<storage, read_write> wgml_heap: array<u32>;', bindings: ['wgml_heap', 'wgml_heap'] })).toMatchSnapshot();
    expect(() => kernelWgsl(SIG, 'rr', { body: BODY })).toThrow(/written by the kernel but bound read-only/);
  });

  it("branches on parameters before a barrier in both modes: main's P is uniform", async () => {
    const device = await testDevice();
    const body = `var<workgroup> t: array<f32, 8>;
@compute @workgroup_size(8) fn main(@builtin(workgroup_id) w: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  let P = wgml_init();
  if (w.x >= P.n) { return; }
  t[l] = X_ld(w.x * 8u + l);
  workgroupBarrier();
  Y_st(w.x * 8u + l, t[7u - l] * P.scale);
}`;
    const decl = '@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;\nfn wgml_word(i: u32) -> u32 { return wgml_params[i]; }\n@group(0) @binding(1) var<storage, read_write> wgml_heap: array<u32>;';
    for (const code of [kernelWgsl(SIG, 'rw', { body }), kernelWgsl(SIG, 'ww', { body }, { kind: 'shared', declarations: decl, bindings: ['wgml_heap', 'wgml_heap'] })]) {
      const m = device.createShaderModule({ code });
      const errs = (await m.getCompilationInfo()).messages.filter((x) => x.type === 'error').map((x) => x.message);
      expect(errs).toEqual([]);
    }
  });

  it('runs the same body with its own bindings and with buffers at offsets inside one shared heap', async () => {
    const device = await testDevice();
    const n = 13;
    const x = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 1);
    const values = { n, scale: 2, shift: -1, dims: [10, 20, 30, 40, 50, 60] };
    const want = Array.from(x, (v, i) => v * 2 - 1 + values.dims[i % 6]!);
    const run = async (code: string, entries: (b: GPUBindGroupLayout) => GPUBindGroupEntry[], constants?: Record<string, number>) => scoped(device, async () => {
      const pipe = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main', constants } });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: entries(pipe.getBindGroupLayout(0)) }));
      pass.dispatchWorkgroups(2);
      pass.end();
      device.queue.submit([enc.finish()]);
    });
    const read = async (b: GPUBuffer, at: number) => {
      const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder(); enc.copyBufferToBuffer(b, at * 4, rb, 0, n * 4); device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ); const v = Array.from(new Float32Array(rb.getMappedRange().slice(0))); rb.unmap(); return v;
    };
    const mk = (data: ArrayBuffer, usage: number) => { const b = device.createBuffer({ size: Math.max(16, data.byteLength), usage: usage | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC }); device.queue.writeBuffer(b, 0, data); return b; };
    // groups: a uniform block and one binding per buffer
    const u = mk(packParams(SIG, values), GPUBufferUsage.UNIFORM), xb = mk(x.buffer, GPUBufferUsage.STORAGE), yb = mk(new ArrayBuffer(n * 4), GPUBufferUsage.STORAGE);
    await run(kernelWgsl(SIG, 'rw', { body: BODY }), () => [u, xb, yb].map((buffer, binding) => ({ binding, resource: { buffer } })));
    const got1 = await read(yb, 0);
    // shared: X at element 7 and Y at element 40 of one heap; the parameter block at word 16 of the parameter words
    const heap = new Float32Array(64); heap.set(x, 7);
    const words = new Uint32Array(16 + SIG.paramBytes / 4 + 2);
    words.set(new Uint32Array(packShared(SIG, values, [7, 40])), 16);
    const hb = mk(heap.buffer, GPUBufferUsage.STORAGE), pb = mk(words.buffer, GPUBufferUsage.STORAGE);
    const decl = '@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;\nfn wgml_word(i: u32) -> u32 { return wgml_params[i]; }\n@group(0) @binding(1) var<storage, read_write> wgml_heap: array<u32>;';
    await run(kernelWgsl(SIG, 'ww', { body: BODY }, { kind: 'shared', declarations: decl, bindings: ['wgml_heap', 'wgml_heap'] }), () => [pb, hb].map((buffer, binding) => ({ binding, resource: { buffer } })), { wgml_params_at: 16 });
    const got2 = await read(hb, 40);
    for (const got of [got1, got2]) got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });
});
