/** Kernel signatures (src/gpu/signature.ts): packing, generated WGSL (snapshots), and both binding modes on the GPU. */
import { describe, it, expect } from 'vitest';
import { kernelWgsl, packParams, packShared, sharedConstants, signature } from '../src/gpu/signature.js';
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
    await run(kernelWgsl(SIG, 'ww', { body: BODY }, { kind: 'shared', declarations: decl, bindings: ['wgml_heap', 'wgml_heap'] }), () => [pb, hb].map((buffer, binding) => ({ binding, resource: { buffer } })), sharedConstants(SIG, words, 16));
    const got2 = await read(hb, 40);
    for (const got of [got1, got2]) got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it('reads and writes four at a time (vec4 buffers) in both modes, next to scalar buffers on the same binding', async () => {
    const device = await testDevice();
    const S4 = signature({ params: { n4: 'u32' }, buffers: [{ name: 'X', elem: 'f32', vec4: true }, { name: 'Y', elem: 'f32', writes: true }, { name: 'Z', elem: 'f32', writes: true, vec4: true }] });
    const body = `@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let P = wgml_init();
  if (g.x >= P.n4) { return; }
  let v = X_ld4(g.x);
  Y_st(g.x, v.x + v.y + v.z + v.w + X_ld(4u * g.x + 2u));
  Z_st4(g.x, v * 2.0);
  Z_st(4u * g.x + 1u, -1.0);
}`;
    const n4 = 5, x = Float32Array.from({ length: 4 * n4 }, (_, i) => i * 0.5 + 1);
    const wantY = Array.from({ length: n4 }, (_, j) => x[4 * j]! + x[4 * j + 1]! + x[4 * j + 2]! + x[4 * j + 3]! + x[4 * j + 2]!);
    const wantZ = Array.from(x, (v, i) => (i % 4 === 1 ? -1 : 2 * v));
    const mk = (data: ArrayBuffer, usage: number) => { const b = device.createBuffer({ size: Math.max(16, data.byteLength), usage: usage | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC }); device.queue.writeBuffer(b, 0, data); return b; };
    const read = async (b: GPUBuffer, at: number, n: number) => {
      const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder(); enc.copyBufferToBuffer(b, at * 4, rb, 0, n * 4); device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ); const v = Array.from(new Float32Array(rb.getMappedRange().slice(0))); rb.unmap(); return v;
    };
    // null: a binding the shader does not use (its integer parameters are constants), absent from the 'auto' layout.
    const dispatch = (code: string, buffers: (GPUBuffer | null)[], constants?: Record<string, number>) => scoped(device, async () => {
      const pipe = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main', constants } });
      const enc = device.createCommandEncoder(); const pass = enc.beginComputePass(); pass.setPipeline(pipe);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: buffers.flatMap((buffer, binding) => (buffer ? [{ binding, resource: { buffer } }] : [])) }));
      pass.dispatchWorkgroups(2); pass.end(); device.queue.submit([enc.finish()]);
    });
    // groups
    const xb = mk(x.buffer, GPUBufferUsage.STORAGE), yb = mk(new ArrayBuffer(n4 * 4), GPUBufferUsage.STORAGE), zb = mk(new ArrayBuffer(16 * n4), GPUBufferUsage.STORAGE);
    await dispatch(kernelWgsl(S4, 'rww', { body }), [mk(packParams(S4, { n4 }), GPUBufferUsage.UNIFORM), xb, yb, zb]);
    expect([await read(yb, 0, n4), await read(zb, 0, 4 * n4)]).toEqual([wantY, wantZ]);
    // shared: X at 8, Y at 33 (not a multiple of 4: it is scalar), Z at 48, all in one heap declared as vec4<u32>
    const heap = new Float32Array(80); heap.set(x, 8);
    const words = new Uint32Array(4 + S4.paramBytes / 4 + 3); words.set(new Uint32Array(packShared(S4, { n4 }, [8, 33, 48])), 4);
    const decl = (wide: ReadonlySet<string>) => `@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;\nfn wgml_word(i: u32) -> u32 { return wgml_params[i]; }\n@group(0) @binding(1) var<storage, read_write> wgml_heap: array<${wide.has('wgml_heap') ? 'vec4<u32>' : 'u32'}>;`;
    const hb = mk(heap.buffer, GPUBufferUsage.STORAGE);
    const code = kernelWgsl(S4, 'www', { body }, { kind: 'shared', declarations: decl, bindings: ['wgml_heap', 'wgml_heap', 'wgml_heap'] });
    expect(code).toContain('wgml_heap: array<vec4<u32>>');
    expect(code).not.toContain('wgml_word(wgml_params_at');
    await dispatch(code, [null, hb], sharedConstants(S4, words, 4));
    expect([await read(hb, 33, n4), await read(hb, 48, 4 * n4)]).toEqual([wantY, wantZ]);
  });
});
