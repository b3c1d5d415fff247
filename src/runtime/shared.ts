/**
 * Shared recording (issue 18): dispatches of declared kernels (ops/types.ts declaredKernel) all use one
 * bind group for the whole network — the parameter words, the heap, the weights and the caller's tensors
 * — so recording a dispatch is `setPipeline` + `dispatchWorkgroups`, with no `setBindGroup` (about 2 µs of
 * Dawn's time per dispatch on an H200 host). What differs per dispatch (shapes, where its buffers sit)
 * is a block of parameter words; each site's pipeline takes the integer words as override constants
 * and reads only the floats from the block (`wgml_params_at`), so pipelines are per dispatch site:
 * more pipelines to compile, cached by their constants. Opt-in (`recording: 'shared'`): on an H200 it
 * matches or beats per-dispatch groups on four of five networks but not yet on EfficientNet-B0
 * (bench/RESULTS.md).
 * Pure planning here; GPU objects in pipeline.ts/bind.ts.
 */
import { packShared } from '../gpu/signature.js';
import type { Program, Place } from './program.js';

/** Parameter words that fit a 64 KiB uniform binding (WebGPU's default maxUniformBufferBindingSize). */
export const UNIFORM_PARAM_WORDS = 16384;

export interface SharedDispatch {
  /** First word of this dispatch's parameter block. */
  paramsAt: number;
  /** The physical binding that holds each of the kernel's buffers. */
  bindings: string[];
  /** One letter per buffer: 'w' read_write (heap, caller tensors), 'r' (weights). */
  access: string;
}

export interface SharedPlan {
  /** Every dispatch's parameter block, concatenated. */
  words: Uint32Array;
  paramsKind: 'uniform' | 'storage';
  /** Caller tensors in binding order (binding 3 + j): the program's inputs, then its outputs. */
  io: string[];
  /** Per dispatch of the program: where its parameter block starts and what its buffers bind to. */
  dispatches: SharedDispatch[];
}

export interface SharedLimits {
  maxStorageBufferBindingSize: number;
  maxStorageBuffersPerShaderStage: number;
  maxUniformBufferBindingSize: number;
}

/** Plan shared recording for a program, or say why it cannot be used. */
export function planShared(p: Program, l: SharedLimits): SharedPlan | string {
  if (p.intermediatesHeapSize > l.maxStorageBufferBindingSize) return `the heap (${p.intermediatesHeapSize} bytes) is larger than one storage binding (${l.maxStorageBufferBindingSize})`;
  if (p.weightsBytes > l.maxStorageBufferBindingSize) return `the weights (${p.weightsBytes} bytes) are larger than one storage binding (${l.maxStorageBufferBindingSize})`;
  const io = [...p.inputs.map((i) => i.name), ...p.outputs.map((o) => o.name)];
  if (3 + io.length > l.maxStorageBuffersPerShaderStage) return `${io.length} inputs and outputs need ${3 + io.length} storage bindings, over this device's ${l.maxStorageBuffersPerShaderStage}`;
  const blocks: Uint32Array[] = [];
  let at = 0;
  // Dispatches of one kernel with the same words and bindings (a split-K pair's two halves) share a
  // block, so they get one pipeline and recording sets it once.
  const seen = new Map<string, number>();
  const dispatches = p.dispatches.map((d): SharedDispatch => {
    const k = d.kernel;
    const where = d.places.map((pl) => placeBinding(pl, io));
    const block = new Uint32Array(packShared(k.sig, k.params, where.map((w) => w.offset)));
    const bindings = where.map((w) => w.binding), access = d.places.map((pl) => (pl.kind === 'weights' ? 'r' : 'w')).join('');
    const id = `${k.key}|${bindings.join(',')}|${access}|${block.join(',')}`;
    const again = seen.get(id);
    if (again !== undefined) return { paramsAt: again, bindings, access };
    seen.set(id, at);
    blocks.push(block);
    const sd = { paramsAt: at, bindings, access };
    at += block.length;
    return sd;
  });
  if (!blocks.length) return 'the network has no dispatches';
  const words = new Uint32Array(Math.max(4, at));
  let off = 0;
  for (const b of blocks) { words.set(b, off); off += b.length; }
  const paramsKind = at <= UNIFORM_PARAM_WORDS && l.maxUniformBufferBindingSize >= UNIFORM_PARAM_WORDS * 4 ? 'uniform' : 'storage';
  return { words, paramsKind, io, dispatches };
}

function placeBinding(pl: Place, io: string[]): { binding: string; offset: number } {
  switch (pl.kind) {
    case 'heap': return { binding: 'wgml_heap', offset: pl.offset / 4 };
    // a half-width weight's accessors count its offset in halves (gpu/signature.ts halfAccessors)
    case 'weights': return { binding: 'wgml_weights', offset: pl.offset / (pl.half ? 2 : 4) };
    case 'input': case 'output': return { binding: `wgml_io${io.indexOf(pl.name)}`, offset: pl.offset / 4 };
  }
}

/** Binding numbers of the shared bind group. */
export function sharedBindingIndex(name: string): number {
  if (name === 'wgml_params') return 0;
  if (name === 'wgml_heap') return 1;
  if (name === 'wgml_weights') return 2;
  return 3 + Number(name.slice('wgml_io'.length));
}

/** The WGSL declarations of the physical bindings a dispatch uses (and `wgml_word`); `vec4` ones as arrays of vec4<u32>. */
export function sharedDeclarations(plan: SharedPlan, d: SharedDispatch, vec4: ReadonlySet<string> = new Set()): string {
  const out = plan.paramsKind === 'uniform'
    ? [`@group(0) @binding(0) var<uniform> wgml_params: array<vec4<u32>, ${UNIFORM_PARAM_WORDS / 4}>;`, 'fn wgml_word(i: u32) -> u32 { return wgml_params[i / 4u][i % 4u]; }']
    : ['@group(0) @binding(0) var<storage, read> wgml_params: array<u32>;', 'fn wgml_word(i: u32) -> u32 { return wgml_params[i]; }'];
  for (const b of [...new Set(d.bindings)].sort((x, y) => sharedBindingIndex(x) - sharedBindingIndex(y)))
    out.push(`@group(0) @binding(${sharedBindingIndex(b)}) var<storage, ${b === 'wgml_weights' ? 'read' : 'read_write'}> ${b}: array<${vec4.has(b) ? 'vec4<u32>' : 'u32'}>;`);
  return out.join('\n');
}

/** Layout entries of the shared bind group for `ioCount` caller tensors. */
export function sharedLayoutEntries(paramsKind: 'uniform' | 'storage', ioCount: number): GPUBindGroupLayoutEntry[] {
  const e: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: paramsKind === 'uniform' ? 'uniform' : 'read-only-storage' } },
    { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
  ];
  for (let j = 0; j < ioCount; j++) e.push({ binding: 3 + j, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } });
  return e;
}
