/**
 * Compiled kernels, cached per device: pipelines keyed by KernelSpec.key, bind group layouts by the
 * binding signature. Compilation is async (createComputePipelineAsync) so no frame stalls on it.
 */
import { GpuValidationError } from '../errors.js';
import type { KernelArg, KernelSpec } from '../ops/types.js';
import { kernelWgsl } from '../gpu/signature.js';

interface DeviceCache {
  pipelines: Map<string, Promise<GPUComputePipeline>>;
  layouts: Map<string, GPUBindGroupLayout>;
}
const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheFor(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (!c) { c = { pipelines: new Map(), layouts: new Map() }; caches.set(device, c); }
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
 * WebGPU tracks usage per buffer, not per range: a heap range bound read-only next to another range
 * of the same heap bound writable in one dispatch is a validation error. So inputs that live in a
 * written buffer (the heap, caller tensors) bind as read_write storage; only weights stay read-only,
 * which keeps the driver's read-only cache path for them. The planner keeps live ranges apart.
 */
export function widenAccess(code: string, signature: string): string {
  const first = signature.startsWith('u') ? 1 : 0;
  let out = code;
  for (let b = first; b < signature.length; b++) {
    if (signature[b] !== 'w') continue;
    out = out.replace(new RegExp(`(@binding\\(${b}\\)\\s*var<storage,\\s*)read>`), '$1read_write>');
  }
  return out;
}

/** The kernel's WGSL for a binding signature: declared kernels generate their declarations, others are widened. */
export function kernelSource(spec: KernelSpec, signature: string): string {
  if (spec.sig && spec.source) return kernelWgsl(spec.sig, signature.replace(/^u/, ''), spec.source());
  if (!spec.wgsl) throw new GpuValidationError(`kernel '${spec.name}' has neither a signature nor WGSL`, 'this is a bug in the op');
  return widenAccess(spec.wgsl(), signature);
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
