/**
 * Declared kernels (src/gpu/signature.ts) in tests: an op's kernels for given inputs without a device
 * (fixed caps, so WGSL snapshots do not depend on the GPU), their WGSL in both binding modes, and a run
 * in 'shared' mode as a network recording every dispatch under one bind group would bind them: inputs
 * at element offsets of a read-only weights buffer, outputs and scratch at offsets of one heap, each
 * kernel's parameter block at its own word offset of the parameter words (the override
 * `wgml_params_at`). Offsets are deliberately not 0 so a body that ignores them reads the wrong data, and
 * not multiples of 4 either except for buffers a kernel reads four at a time (vec4 buffers), which
 * every binding wgml makes keeps at a multiple of 4 elements.
 */
import { expect } from 'vitest';
import { Attrs } from '../../src/ir/attrs.js';
import { hostArrayFor, shapeSize, type HostTensor, type Node, type ValueType } from '../../src/ir/types.js';
import { nodeViews, viewedTypes, viewExtent } from '../../src/ir/view.js';
import { inferContext, opFor } from '../../src/runtime/single.js';
import { bindingSignature, kernelSource } from '../../src/runtime/kernels.js';
import { kernelWgsl, packShared, sharedConstants } from '../../src/gpu/signature.js';
import type { DeviceCaps, KernelArg, KernelContext, KernelSpec } from '../../src/ops/types.js';
import { scoped } from './gpu.js';

/** Caps of a typical desktop GPU: the kernels' choices (and so the snapshots) do not follow the test device. */
export const CAPS: DeviceCaps = {
  f16: false, subgroups: false, subgroupMatrix: false,
  maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 10, maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535,
};

/** `outputs`: the types of the output buffers (a strided output 0 as its view's extent, as referenceNode gives it). */
export interface NodePlan { kernels: KernelSpec[]; scratch: number[]; outputs: ValueType[] }

/**
 * The op's kernels for `inputs` (values of constant inputs are known, as the compiler would know them);
 * `wgml_view_<i>` / `wgml_out_view` attributes of the node become ctx.views / ctx.outView, as in runNode.
 */
export function planNode(node: Node, inputs: (HostTensor | null)[], opset = 17, constants: number[] = [], caps = CAPS, extra: Pick<KernelContext, 'splitKPairs'> = {}): NodePlan {
  const op = opFor(node, opset);
  const a = op.attrs(new Attrs(node), opset);
  const known = new Set([...(op.constInputs ?? []), ...constants]);
  const views = nodeViews(node);
  const types = viewedTypes(node, inputs.map((t) => (t ? { dtype: t.dtype, shape: [...t.shape] } : null)), views.inputs, op.viewInputs ?? []);
  const ictx = inferContext(node, types, (i) => (known.has(i) && !views.inputs[i] ? inputs[i] ?? undefined : undefined), opset);
  const outputs = op.infer(ictx, a);
  const plan = op.gpu!({ ...ictx, outputs, caps, views: views.inputs, outView: views.output, ...extra }, a);
  if (typeof plan === 'string') throw new Error(`${node.opType} refused: ${plan}`);
  const bufs = outputs.map((t, k) => (k === 0 && views.output ? { dtype: t.dtype, shape: [viewExtent(views.output)] } : t));
  return { kernels: plan.kernels, scratch: plan.scratch ?? [], outputs: bufs };
}

/**
 * The parameter words, the heap and the weights, as the network's shared bind group declares them; a
 * binding some buffer of the kernel reads four at a time is declared an array of vec4<u32>.
 */
export function sharedDeclarations(wide: ReadonlySet<string> = new Set()): string {
  const t = (b: string) => (wide.has(b) ? 'vec4<u32>' : 'u32');
  return `@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;
fn wgml_word(i: u32) -> u32 { return wgml_params[i]; }
@group(0) @binding(1) var<storage, read_write> wgml_heap: array<${t('wgml_heap')}>;
@group(0) @binding(2) var<storage, read> wgml_weights: array<${t('wgml_weights')}>;`;
}

/** Inputs live in the weights (bound read-only), outputs and scratch in the heap. */
const physical = (a: KernelArg) => ('input' in a ? 'wgml_weights' : 'wgml_heap');

export function groupsWgsl(k: KernelSpec): string {
  expect(k.sig, `kernel '${k.name}' is declared`).toBeDefined();
  return kernelSource(k, bindingSignature(k));
}

export function sharedWgsl(k: KernelSpec): string {
  expect(k.sig && k.source, `kernel '${k.name}' is declared`).toBeTruthy();
  const access = k.args.map((a) => ('input' in a ? 'r' : 'w')).join('');
  return kernelWgsl(k.sig!, access, k.source!(), { kind: 'shared', declarations: sharedDeclarations, bindings: k.args.map(physical) });
}

function sharedLayout(device: GPUDevice): GPUBindGroupLayout {
  const types: GPUBufferBindingType[] = ['read-only-storage', 'storage', 'read-only-storage'];
  return device.createBindGroupLayout({
    label: 'test shared layout',
    entries: types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
  });
}

/** Compile a kernel's shared-mode WGSL against the shared layout; compiler messages in the error. */
export async function compileShared(device: GPUDevice, k: KernelSpec, layout = sharedLayout(device), paramsAt = 0,
  words = new Uint32Array(packShared(k.sig!, k.params!, k.args.map(() => 0)))): Promise<GPUComputePipeline> {
  const code = sharedWgsl(k);
  const module = device.createShaderModule({ label: `test shared ${k.name}`, code });
  try {
    return await scoped(device, () => device.createComputePipelineAsync({
      label: `test shared ${k.name}`, layout: device.createPipelineLayout({ label: `test shared ${k.name}`, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: sharedConstants(k.sig!, words, paramsAt) },
    }));
  } catch (e) {
    const info = await module.getCompilationInfo();
    throw new Error(`shared-mode '${k.name}' (key ${k.key}) does not compile: ${(e as Error).message}\n${info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}\n${code}`);
  }
}

/**
 * Run the node's kernels in one pass under one bind group (shared mode) and read its outputs back.
 * Every kernel must be declared.
 */
export async function runShared(device: GPUDevice, node: Node, inputs: (HostTensor | null)[], opset = 17, constants: number[] = []): Promise<HostTensor[]> {
  const plan = planNode(node, inputs, opset, constants);
  return runKernelsShared(device, plan, inputs);
}

/** {@link runShared} for kernels planned already (the outputs and scratch of `plan`). */
export async function runKernelsShared(device: GPUDevice, plan: NodePlan, inputs: (HostTensor | null)[]): Promise<HostTensor[]> {
  const GAP = 5;
  // Args some kernel binds to a vec4 buffer sit at multiples of 4 elements (still not 0).
  const wide = new Set<string>();
  for (const k of plan.kernels) k.args.forEach((a, j) => { if (k.sig?.buffers[j]?.vec4) wide.add(JSON.stringify(a)); });
  const place = (at: number, a: KernelArg) => (wide.has(JSON.stringify(a)) ? Math.ceil(at / 4) * 4 : at);
  // Weights: the inputs one after another, GAP words apart; the heap: outputs, then scratch.
  const inAt: number[] = [];
  let w = GAP;
  inputs.forEach((t, input) => { w = place(w, { input }); inAt.push(w); w += (t?.data.length ?? 0) + GAP; });
  const weights = new Uint32Array(Math.ceil(w / 4) * 4);
  inputs.forEach((t, i) => { if (t) weights.set(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length), inAt[i]!); });
  const outAt: number[] = [], scratchAt: number[] = [];
  let h = GAP;
  plan.outputs.forEach((o, output) => { h = place(h, { output }); outAt.push(h); h += shapeSize(o.shape) + GAP; });
  plan.scratch.forEach((bytes, scratch) => { h = place(h, { scratch }); scratchAt.push(h); h += Math.ceil(bytes / 4) + GAP; });
  const heap = new Uint32Array(Math.ceil(h / 4) * 4).fill(0x7fc00000); // NaN: a word the kernel should have written but did not shows
  const at = (a: KernelArg) => ('input' in a ? inAt[a.input]! : 'output' in a ? outAt[a.output]! : scratchAt[a.scratch]!);
  // Parameter blocks one after another from word 3 (an offset the kernel must honour).
  const blocks = plan.kernels.map((k) => {
    expect(k.sig && k.params, `kernel '${k.name}' is declared`).toBeTruthy();
    return new Uint32Array(packShared(k.sig!, k.params!, k.args.map(at)));
  });
  const paramsAt: number[] = [];
  let p = 3;
  for (const b of blocks) { paramsAt.push(p); p += b.length + 1; }
  const words = new Uint32Array(p);
  blocks.forEach((b, i) => words.set(b, paramsAt[i]!));

  return scoped(device, async () => {
    const layout = sharedLayout(device);
    const pipes = await Promise.all(plan.kernels.map((k, i) => compileShared(device, k, layout, paramsAt[i], words)));
    const mk = (data: Uint32Array, label: string, usage: number) => {
      const b = device.createBuffer({ label, size: Math.max(16, data.byteLength), usage: usage | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(b, 0, data);
      return b;
    };
    const pb = mk(words, 'test params', GPUBufferUsage.STORAGE), hb = mk(heap, 'test heap', GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const wb = mk(weights, 'test weights', GPUBufferUsage.STORAGE);
    const bg = device.createBindGroup({ label: 'test shared', layout, entries: [pb, hb, wb].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const rb = device.createBuffer({ label: 'test readback', size: hb.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder({ label: 'test shared' });
    const pass = enc.beginComputePass({ label: 'test shared' });
    pass.setBindGroup(0, bg);
    plan.kernels.forEach((k, i) => { pass.setPipeline(pipes[i]!); if (k.workgroups.every((g) => g > 0)) pass.dispatchWorkgroups(...k.workgroups); });
    pass.end();
    enc.copyBufferToBuffer(hb, 0, rb, 0, hb.size);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const got = new Uint32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    [pb, hb, wb, rb].forEach((b) => b.destroy());
    return plan.outputs.map((o, i) => {
      const data = hostArrayFor(o.dtype, shapeSize(o.shape));
      data.set(new (data.constructor as Float32ArrayConstructor)(got.buffer, outAt[i]! * 4, data.length));
      return { dtype: o.dtype, shape: [...o.shape], data };
    });
  });
}
