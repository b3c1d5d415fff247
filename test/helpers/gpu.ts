/** The shared test device: one per test file (worker), with uncaptured GPU errors collected. */
import { requestDevice } from '../../src/gpu/device.js';

let devicePromise: Promise<GPUDevice> | null = null;
const uncaptured: string[] = [];

export function testDevice(): Promise<GPUDevice> {
  devicePromise ??= requestDevice({ quiet: true }).then((d) => {
    d.onuncapturederror = (ev: GPUUncapturedErrorEvent) => { uncaptured.push(ev.error.message); };
    return d;
  });
  return devicePromise;
}

/**
 * Whether the test device has shader-f16. Tests of f16 arithmetic and storage skip without it (SwiftShader, the
 * H200 through Dawn); the refusal itself is tested with the feature disabled (tensor.test.ts, tensor-wgsl.test.ts,
 * shaderml-errors.test.ts).
 */
export const hasF16 = async (): Promise<boolean> => (await testDevice()).features.has('shader-f16');

export function drainUncapturedErrors(): string[] {
  return uncaptured.splice(0);
}

/** Run fn inside validation/OOM scopes and fail on any GPU error. */
export async function scoped<T>(device: GPUDevice, fn: () => Promise<T> | T): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const r = await fn();
  const oom = await device.popErrorScope();
  const val = await device.popErrorScope();
  if (oom || val) throw new Error(`GPU error: ${(val ?? oom)!.message}`);
  return r;
}

/**
 * One compute dispatch under error scopes: group 0 holds `input` (read-only storage, binding 0) and an
 * output of `outFloats` f32 (read_write storage, binding 1); group 1 comes from `g1` (e.g. a ShaderMLP's
 * or a material's bindings). Returns the output.
 */
export async function computeOnce(device: GPUDevice, code: string, input: Float32Array, outFloats: number, groups: number,
  g1: { layoutEntries(v: GPUShaderStageFlags): GPUBindGroupLayoutEntry[]; bindGroupEntries(d: GPUDevice): GPUBindGroupEntry[] }): Promise<Float32Array> {
  return scoped(device, async () => {
    const ib = device.createBuffer({ label: 'test input', size: Math.max(16, input.byteLength), usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    new Float32Array(ib.getMappedRange(), 0, input.length).set(input);
    ib.unmap();
    const ob = device.createBuffer({ label: 'test output', size: outFloats * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const rb = device.createBuffer({ label: 'test readback', size: outFloats * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const l0 = device.createBindGroupLayout({ entries: [0, 1].map((b) => ({ binding: b, visibility: GPUShaderStage.COMPUTE, buffer: { type: b ? 'storage' : 'read-only-storage' } as GPUBufferBindingLayout })) });
    const l1 = device.createBindGroupLayout({ entries: g1.layoutEntries(GPUShaderStage.COMPUTE) });
    const pipe = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [l0, l1] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, device.createBindGroup({ layout: l0, entries: [{ binding: 0, resource: { buffer: ib } }, { binding: 1, resource: { buffer: ob } }] }));
    pass.setBindGroup(1, device.createBindGroup({ layout: l1, entries: g1.bindGroupEntries(device) }));
    pass.dispatchWorkgroups(groups);
    pass.end();
    enc.copyBufferToBuffer(ob, 0, rb, 0, outFloats * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    [ib, ob, rb].forEach((b) => b.destroy());
    return out;
  });
}
