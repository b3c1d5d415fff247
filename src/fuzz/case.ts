/**
 * One fuzz case: (seed, index) → mutated bytes → loadGraph → planNetwork (a device-less stand-in with
 * lavapipe's limits) → optionally createPipeline and one run on a real device. A case passes when it
 * succeeds or throws a WgmlError; anything else (TypeError, RangeError, a protobufjs error, a plan
 * that breaks its own invariants) is a finding.
 */
import { WgmlError } from '../errors.js';
import type { Graph, HostTensor } from '../ir/types.js';
import { hostArrayFor, shapeSize } from '../ir/types.js';
import { loadGraph } from '../runtime/library.js';
import { writePackage } from '../runtime/package.js';
import { createPipeline, planNetwork } from '../runtime/pipeline.js';
import type { Program } from '../runtime/compile.js';
import { runPipeline } from '../runtime/run.js';
import { mutateBytes, mutateOnnx, mutatePackage } from './mutate.js';
import { caseRng, chance, int, pick, type Rng } from './rng.js';
import { builtinSeeds, testdataSeeds, type Seed } from './seeds.js';

export interface Corpus { onnx: Seed[]; wgml: Seed[] }

/** The seeds, plus a `.wgml` package written from each ONNX seed that loads. */
export async function loadCorpus(opts: { testdata?: boolean } = {}): Promise<Corpus> {
  const onnx = [...builtinSeeds(), ...(opts.testdata === false ? [] : await testdataSeeds())];
  const wgml: Seed[] = [];
  for (const s of onnx) {
    try { wgml.push({ name: `${s.name}.wgml`, bytes: writePackage((await loadGraph(s.bytes)).graph) }); } catch { /* seed needs ops wgml lacks */ }
  }
  return { onnx, wgml };
}

/** Limits of lavapipe (the CI device); planNetwork reads only limits and features. */
export const FAKE_DEVICE = {
  limits: {
    maxStorageBufferBindingSize: 134217728, maxBufferSize: 4294967295, maxStorageBuffersPerShaderStage: 16,
    maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupsPerDimension: 65535,
    minStorageBufferOffsetAlignment: 16, minUniformBufferOffsetAlignment: 16, maxUniformBufferBindingSize: 65536,
  },
  features: new Set(['shader-f16', 'subgroups']),
} as unknown as GPUDevice;

/** 'internal': a typed NodeError wrapping an op rule's crash (guardRule): an op bug, reported apart. */
export type Outcome = 'ok' | 'typed' | 'internal' | 'fail';
export interface CaseResult {
  index: number;
  seed: string;
  what: string;
  outcome: Outcome;
  /** Last stage reached: load, plan, gpu. */
  stage: string;
  code?: string;
  error?: string;
}

export interface CaseOptions {
  /** Real device for the GPU stage; omitted, the GPU stage is skipped. */
  device?: GPUDevice;
  /** Fraction of planned cases that also run on the device. */
  gpuFraction?: number;
}

/** Plan invariants the runtime relies on; a violation is a finding even without a GPU. */
export function checkProgram(p: Program, limits: GPUSupportedLimits): string | null {
  for (const d of p.dispatches) {
    if (d.kernel.workgroups.some((w) => !Number.isInteger(w) || w < 0 || w > limits.maxComputeWorkgroupsPerDimension)) return `dispatch ${d.node}: workgroups [${d.kernel.workgroups}]`;
    const storage = d.places.length;
    if (storage > limits.maxStorageBuffersPerShaderStage) return `dispatch ${d.node}: ${storage} storage buffers`;
    for (const pl of d.places) {
      if (pl.bytes > limits.maxStorageBufferBindingSize) return `dispatch ${d.node}: binding of ${pl.bytes} bytes`;
      if (pl.kind === 'heap' && (pl.offset < 0 || pl.offset + pl.bytes > Math.max(256, p.intermediatesHeapSize) + 4)) return `dispatch ${d.node}: heap range ${pl.offset}+${pl.bytes} past ${p.intermediatesHeapSize}`;
      if (pl.kind === 'weights' && (pl.offset < 0 || pl.offset + pl.bytes > Math.max(256, p.weightsBytes))) return `dispatch ${d.node}: weights range ${pl.offset}+${pl.bytes} past ${p.weightsBytes}`;
      if (pl.offset % limits.minStorageBufferOffsetAlignment) return `dispatch ${d.node}: misaligned offset ${pl.offset}`;
    }
  }
  if (p.intermediatesHeapSize > limits.maxBufferSize) return `heap of ${p.intermediatesHeapSize} bytes`;
  return null;
}

/** Small concrete sizes for symbolic input dims. */
function inputDims(r: Rng, g: Graph): Record<string, number[]> {
  const dims: Record<string, number[]> = {};
  const sym = new Map<string, number>();
  for (const i of g.inputs) {
    if (g.initializers.has(i.name)) continue;
    dims[i.name] = i.shape.map((d) => {
      if (typeof d === 'number' && d >= 0) return d;
      const key = String(d);
      if (!sym.has(key)) sym.set(key, chance(r, 0.05) ? pick(r, [0, 1e6, 2 ** 31]) : 1 + int(r, 8) * (chance(r, 0.5) ? 2 : 1));
      return sym.get(key)!;
    });
  }
  return dims;
}

function zeros(s: { elemType: HostTensor['dtype']; shape: number[] }): HostTensor {
  return { dtype: s.elemType, shape: s.shape, data: hostArrayFor(s.elemType, shapeSize(s.shape)) };
}

/** Make the bytes of case `index` (deterministic in seed and index). */
export function makeCase(corpus: Corpus, seed: number, index: number): { r: Rng; seed: Seed; bytes: Uint8Array; what: string; external: Uint8Array } {
  const r = caseRng(seed, index);
  const useWgml = corpus.wgml.length > 0 && chance(r, 0.25);
  const s = pick(r, useWgml ? corpus.wgml : corpus.onnx);
  const m = useWgml ? mutatePackage(r, s.bytes) : chance(r, 0.2) ? mutateBytes(r, s.bytes) : mutateOnnx(r, s.bytes);
  // External data the mutated model may point into: 64 bytes, so offsets past it are refused.
  const external = new Uint8Array(64).map((_, i) => i);
  return { r, seed: s, bytes: m.bytes, what: m.what, external };
}

export async function runCase(corpus: Corpus, seed: number, index: number, opts: CaseOptions = {}): Promise<CaseResult> {
  let stage = 'mutate';
  let made: ReturnType<typeof makeCase> | null = null;
  const result = (outcome: Outcome, e?: unknown): CaseResult => ({
    index, seed: made?.seed.name ?? '?', what: made?.what ?? '', outcome, stage,
    code: e instanceof WgmlError ? e.code : undefined,
    error: e === undefined ? undefined : e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}${e instanceof WgmlError ? '' : `\n${e.stack?.split('\n').slice(1, 6).join('\n')}`}` : String(e),
  });
  try {
    made = makeCase(corpus, seed, index);
    const { r } = made;
    stage = 'load';
    const { graph } = await loadGraph(made.bytes, { externalData: (loc) => (loc === 'w.bin' ? made!.external : new Uint8Array(0)) });
    stage = 'plan';
    const dims = inputDims(r, graph);
    const program = planNetwork(FAKE_DEVICE, graph, { inputDimensions: dims, fuse: chance(r, 0.8) });
    const bad = checkProgram(program, FAKE_DEVICE.limits);
    if (bad) return result('fail', new Error(`plan invariant broken: ${bad}`));
    // Only small programs go to the GPU: a software rasterizer takes a minute on a legit 65536×3 kernel.
    // (inputs too: a program of aliases only has no dispatch to judge by, and uploading 400 MB of zeros to a
    // software device took longer than a case may)
    const small = program.dispatches.every((d) => d.kernel.workgroups[0] * d.kernel.workgroups[1] * d.kernel.workgroups[2] <= 1024 && d.places.every((pl) => pl.bytes <= 1 << 18))
      && program.inputs.every((i) => shapeSize(i.type.shape) <= 1 << 16);
    if (opts.device && small && chance(r, opts.gpuFraction ?? 0)) {
      stage = 'gpu';
      const pipeline = await createPipeline(opts.device, graph, { inputDimensions: dims });
      try {
        await runPipeline(opts.device, pipeline, Object.fromEntries(pipeline.inputs.map((s) => [s.name, zeros(s)])));
      } finally {
        pipeline.destroy();
      }
    }
    return result('ok');
  } catch (e) {
    // A GPU validation error means wgml built something invalid: a bug, even though it is typed.
    if (e instanceof WgmlError && e.details.internal) return result('internal', e);
    return result(e instanceof WgmlError && e.code !== 'E_GPU_VALIDATION' ? 'typed' : 'fail', e);
  }
}
