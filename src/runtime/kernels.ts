/**
 * Compiled kernels, cached per device: pipelines keyed by KernelSpec.key, bind group layouts by the
 * binding signature. Compilation is async (createComputePipelineAsync) so no frame stalls on it.
 */
import { GpuValidationError } from '../errors.js';
import type { KernelArg, KernelSpec } from '../ops/types.js';
import { kernelWgsl, sharedConstants } from '../gpu/signature.js';
import { sharedDeclarations, sharedLayoutEntries, type SharedDispatch, type SharedPlan } from './shared.js';

interface DeviceCache {
  pipelines: Map<string, Promise<GPUComputePipeline>>;
  layouts: Map<string, GPUBindGroupLayout>;
  modules: Map<string, GPUShaderModule>;
}
const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheFor(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (!c) { c = { pipelines: new Map(), layouts: new Map(), modules: new Map() }; caches.set(device, c); }
  return c;
}

/**
 * 'u' for the uniform, 'r' for read-only storage, 'w' for read-write storage. By default inputs are
 * read-only; `readOnly(i)` overrides per storage binding (the network runtime makes only weights 'r').
 */
export function bindingSignature(spec: Pick<KernelSpec, 'args' | 'uniforms'>, readOnly?: (i: number) => boolean): string {
  return (spec.uniforms ? 'u' : '') + spec.args.map((a: KernelArg, i) => ((readOnly ? readOnly(i) : 'input' in a) ? 'r' : 'w')).join('');
}

export function bindGroupLayout(device: GPUDevice, signature: string): GPUBindGroupLayout {
  const c = cacheFor(device);
  let l = c.layouts.get(signature);
  if (!l) {
    l = device.createBindGroupLayout({
      label: `wgml layout ${signature}`,
      entries: [...signature].map((ch, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: ch === 'u' ? 'uniform' : ch === 'r' ? 'read-only-storage' : 'storage' } as GPUBufferBindingLayout,
      })),
    });
    c.layouts.set(signature, l);
  }
  return l;
}

/**
 * The kernel's WGSL for a binding signature. WebGPU tracks usage per buffer, not per range: a heap
 * range bound read-only next to another range of the same heap bound writable in one dispatch is a
 * validation error, so inputs that live in a written buffer (the heap, caller tensors) bind as
 * read_write storage ('w'); only weights stay read-only ('r'), which keeps the driver's read-only
 * cache path for them. The declared kernel generates its bindings for exactly that access.
 */
export function kernelSource(spec: KernelSpec, signature: string): string {
  return kernelWgsl(spec.sig, signature.replace(/^u/, ''), spec.source());
}

async function compile(device: GPUDevice, spec: KernelSpec, signature: string): Promise<GPUComputePipeline> {
  const code = kernelSource(spec, signature);
  const module = device.createShaderModule({ label: `wgml ${spec.name}`, code });
  const layout = device.createPipelineLayout({ label: `wgml ${spec.name}`, bindGroupLayouts: [bindGroupLayout(device, signature)] });
  try {
    return await device.createComputePipelineAsync({ label: `wgml ${spec.name}`, layout, compute: { module, entryPoint: 'main' } });
  } catch (e) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
    const numbered = code.split('\n').map((l, i) => `${String(i + 1).padStart(4)}| ${l}`).join('\n');
    throw new GpuValidationError(`compiling kernel '${spec.name}' (key ${spec.key})`, `${(e as Error).message}\n${msgs}\n${numbered}`);
  }
}

/**
 * The pipeline for a kernel spec, compiled once per device, key and binding signature.
 * `signature` (see {@link bindingSignature}) says which storage bindings are read-only ('r').
 */
export function pipelineFor(device: GPUDevice, spec: KernelSpec, signature = bindingSignature(spec)): Promise<GPUComputePipeline> {
  const c = cacheFor(device);
  const key = `${signature}|${spec.key}`;
  let p = c.pipelines.get(key);
  if (!p) {
    p = compile(device, spec, signature);
    c.pipelines.set(key, p);
    p.catch(() => c.pipelines.delete(key));
  }
  return p;
}

/** The shared bind group's layout (see runtime/shared.ts), cached per device. */
export function sharedLayout(device: GPUDevice, paramsKind: 'uniform' | 'storage', ioCount: number): GPUBindGroupLayout {
  const c = cacheFor(device);
  const key = `shared:${paramsKind}:${ioCount}`;
  let l = c.layouts.get(key);
  if (!l) { l = device.createBindGroupLayout({ label: `wgml shared layout ${paramsKind} io${ioCount}`, entries: sharedLayoutEntries(paramsKind, ioCount) }); c.layouts.set(key, l); }
  return l;
}

/**
 * The pipeline of a declared kernel at one shared dispatch site: one shader module per (key, physical
 * bindings, access), one pipeline per site on top, its integer parameters and buffer offsets override
 * constants (sharedConstantWords) and its parameter-block offset too. Cached by those values: a network
 * planned again at another input size recompiles only the sites whose shapes or offsets changed.
 */
export function sharedPipelineFor(device: GPUDevice, spec: KernelSpec, plan: SharedPlan, sd: SharedDispatch): Promise<GPUComputePipeline> {
  const c = cacheFor(device);
  const decl = sharedDeclarations(plan, sd);
  const moduleKey = `${spec.key}|${sd.access}|${decl}`;
  const constants = sharedConstants(spec.sig!, plan.words, sd.paramsAt);
  const key = `shared|${moduleKey}|io${plan.io.length}|@${sd.paramsAt}|${Object.values(constants).join(',')}`;
  let p = c.pipelines.get(key);
  if (p) return p;
  let module = c.modules.get(moduleKey);
  const code = () => kernelWgsl(spec.sig!, sd.access, spec.source!(), { kind: 'shared', declarations: (wide) => sharedDeclarations(plan, sd, wide), bindings: sd.bindings });
  if (!module) { module = device.createShaderModule({ label: `wgml ${spec.name} (shared)`, code: code() }); c.modules.set(moduleKey, module); }
  const layout = device.createPipelineLayout({ label: `wgml ${spec.name} (shared)`, bindGroupLayouts: [sharedLayout(device, plan.paramsKind, plan.io.length)] });
  const m = module;
  p = device.createComputePipelineAsync({ label: `wgml ${spec.name} @${sd.paramsAt}`, layout, compute: { module: m, entryPoint: 'main', constants } })
    .catch(async (e: unknown) => {
      const info = await m.getCompilationInfo();
      const msgs = info.messages.map((x) => `${x.type} at ${x.lineNum}:${x.linePos}: ${x.message}`).join('\n');
      throw new GpuValidationError(`compiling kernel '${spec.name}' (key ${spec.key}, shared bindings)`, `${(e as Error).message}\n${msgs}\n${code()}`);
    });
  c.pipelines.set(key, p);
  p.catch(() => { c.pipelines.delete(key); c.modules.delete(moduleKey); });
  return p;
}
