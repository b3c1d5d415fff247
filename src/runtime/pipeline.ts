/**
 * NetworkPipeline: a network specialized to input dimensions, its kernels compiled, its weights and
 * uniforms uploaded. `bind()` resolves every binding once; `encodeNetwork()` then only records.
 */
import { deviceInfo, deviceLimits, assertDeviceAlive } from '../gpu/device.js';
import { withErrorScope } from '../gpu/scope.js';
import type { Graph, HostTensor, ValueType } from '../ir/types.js';
import { specialize, type SpecializedGraph } from '../ir/infer.js';
import { deriveDimsConstraint, fmtDimsConstraint } from '../ir/dims-hint.js';
import { opFacts, opRules } from '../ops/registry.js';
import { foldBatchNorm } from '../passes/fold-batchnorm.js';
import { fuseEpilogues } from '../passes/fuse-epilogue.js';
import { fuseElementwise } from '../passes/fuse-elementwise.js';
import { packIntWeights } from '../passes/pack-int-weights.js';
import { foldQdq } from '../passes/fold-qdq.js';
import { WEIGHTS_PRECISIONS, type WeightsPrecision } from './half-weights.js';
import { fuseGemmEpilogues, relayoutGemmWeights } from '../passes/fuse-gemm-epilogue.js';
import { MAX_EPILOGUE_INPUTS } from '../ops/linalg/gemm-epilogue.js';
import { applyViews } from '../passes/views.js';
import { acquireWeights } from './weights.js';
import { fuseLayerNorm } from '../passes/fuse-layernorm.js';
import { viewRules } from './view-rules.js';
import { fuseAttention } from '../passes/fuse-attention.js';
import { splitWideWeights } from '../passes/split-wide-weights.js';
import { attentionConfig } from '../ops/linalg/attention-kernel.js';
import { LimitError, NodeError, ResourceStateError, ShapeError, UsageError } from '../errors.js';
import { compileProgram, type Program } from './compile.js';
import { pipelineFor, sharedPipelineFor } from './kernels.js';
import { planShared, type SharedPlan } from './shared.js';
import { deviceCaps } from './single.js';
import { bindNetwork, type BoundNetwork, type NetworkArgs } from './bind.js';
import type { Heap } from './heap.js';
import type { PlannedNetwork, TensorSpec } from './network-types.js';
import { tensorDTypeOf } from './dtypes.js';

/** Progress of long work: what is being done, how much of it is done, of how much. */
export type ProgressCallback = (phase: string, done: number, total: number) => void;

export interface PipelineOptions {
  /** Concrete sizes for inputs with symbolic dimensions, by input name. */
  inputDimensions?: Record<string, readonly number[]>;
  /**
   * Inputs fixed for this pipeline (e.g. `{ sr: 16000 }` for a voice model): they become constants, so
   * If branches and shape arithmetic on them fold, and they are not bound at bind().
   */
  inputValues?: Record<string, HostTensor>;
  /** Graph passes (default all on): BatchNorm folding, epilogue fusion, elementwise-chain fusion. */
  fuse?: boolean;
  /** Keep every intermediate alive (debug capture); costs memory. */
  noReuse?: boolean;
  label?: string;
  /**
   * How dispatches bind (issue 18): 'shared' records every declared kernel with the network's one bind
   * group (no setBindGroup per dispatch; a pipeline per dispatch site), 'groups' gives each dispatch a
   * bind group of its own (fewer pipelines, faster createPipeline). 'auto' (default) is 'shared' on a
   * hardware adapter where the network fits its binding limits, else 'groups'. On an H200 host
   * (2026-12-03, bench/RESULTS.md) shared recording cost 2.4–4.3 µs of CPU per dispatch against groups'
   * 3.4–6.0, GPU time −9…+2.5% (EfficientNet-B0 0.86 against 0.95 ms; ResNet-18 0.557 against 0.543), and
   * 1.2–2.2× the createPipeline time. On a software adapter compiling a pipeline per site costs more
   * than recording saves, so 'auto' is 'groups' there.
   */
  recording?: 'auto' | 'shared' | 'groups';
  /**
   * How weights are stored (kernels compute in f32 either way). 'auto' (default): a float16 model's weights
   * as float16, two to a word, so they take what the file takes rather than twice; 'f16': float32 weights
   * too, rounded to float16 (half the memory and weight traffic, ~1e-3 relative error at the output; scalars
   * and constants outside float16's range stay f32); 'f32': every weight as f32. `pipeline.weightsBytes`
   * says what it came to.
   * @example
   * const small = await wgml.createPipeline(device, lib.function('main'), { inputDimensions, weights: 'f16' });
   */
  weights?: WeightsPrecision;
  /** Called as kernels finish compiling ('compile', done, total). */
  onProgress?: ProgressCallback;
  /**
   * @internal Which split-K GEMMs share one pipeline between their two dispatches, so recording sets it
   * once for both: 'conv' (default), 'all', 'none' (bench A/B of issue 18; see KernelContext.splitKPairs).
   */
  splitKPairs?: 'conv' | 'all' | 'none';
  /**
   * Experimental: integer GEMMs (MatMulInteger, QLinearMatMul with a constant B) on subgroup matrices where the device
   * has int8 ones (ops/quant/int-gemm-mma.ts). Off by default: exact, but 1.4–2.4× slower than the dot4 tiles on an
   * H200 (bench/RESULTS.md, "Quantized transformers"); kept for bench/quant/int-gemm-check.mjs to measure.
   */
  intMatrix?: boolean;
  /** @internal The integer GEMMs' dot4 tile variant ('bk16', 'bk32pfv4', …; KernelContext.intTile): `wgml bench --int-tile`. */
  intTile?: string;
  /** @internal Milliseconds per planning step (specialize, each pass, compileProgram), added in when given: bench/plan-time.ts. */
  timings?: Record<string, number>;
}

export type { TensorSpec } from './network-types.js';

export class NetworkPipeline implements PlannedNetwork {
  readonly device: GPUDevice;
  readonly label: string;
  readonly program: Program;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** @internal */ readonly gpuPipelines: GPUComputePipeline[];
  /** @internal */ readonly weights: GPUBuffer;
  /** @internal */ readonly uniforms: GPUBuffer;
  /** @internal the compute pass descriptor encodeNetwork reuses. */ readonly passDescriptor: GPUComputePassDescriptor;
  /** @internal shared recording: the plan and its parameter buffer, or null. */ readonly shared: { plan: SharedPlan; params: GPUBuffer } | null;
  /** How dispatches bind ('shared' or 'groups'), and why when 'auto' chose 'groups'. */
  readonly recording: { mode: 'shared' | 'groups'; reason?: string };
  #destroyed = false;

  readonly #releaseWeights: () => void;

  /** @internal use {@link createPipeline}. */
  constructor(device: GPUDevice, label: string, program: Program, gpuPipelines: GPUComputePipeline[], weights: GPUBuffer, uniforms: GPUBuffer,
    shared: { plan: SharedPlan; params: GPUBuffer } | null = null, recording: { mode: 'shared' | 'groups'; reason?: string } = { mode: 'groups' }, releaseWeights?: () => void) {
    this.device = device; this.label = label; this.program = program; this.gpuPipelines = gpuPipelines;
    this.weights = weights; this.uniforms = uniforms; this.shared = shared; this.recording = recording;
    this.#releaseWeights = releaseWeights ?? (() => weights.destroy());
    this.passDescriptor = { label };
    const spec = (v: { name: string; type: ValueType }): TensorSpec => ({ name: v.name, dtype: tensorDTypeOf(v.type.dtype), elemType: v.type.dtype, shape: [...v.type.shape] });
    this.inputs = program.inputs.map(spec);
    this.outputs = program.outputs.map(spec);
  }

  /** Bytes the caller's heap must hold. */
  get intermediatesHeapSize(): number { return this.program.intermediatesHeapSize; }
  /** Lower bound on heap bytes: the most bytes live at once. */
  get peakLiveBytes(): number { return this.program.peakLiveBytes; }
  get weightsBytes(): number { return this.program.weightsBytes; }
  get dispatchCount(): number { return this.program.dispatches.length; }
  /** Distinct GPU pipelines the network uses (shared recording compiles one per dispatch site). */
  get pipelineCount(): number { return new Set(this.gpuPipelines).size; }
  get destroyed(): boolean { return this.#destroyed; }

  assertUsable(): void {
    if (this.#destroyed) throw new ResourceStateError(`pipeline '${this.label}' was used after destroy()`, 'create it again with createPipeline()');
    assertDeviceAlive(this.device);
  }

  /**
   * Resolve every binding for these inputs, outputs and heap; builds all bind groups now so that
   * encodeNetwork() allocates nothing.
   * @example const args = pipeline.bind({ input: x, output: y }, heap);
   */
  bind(args: NetworkArgs, heap: Heap): BoundNetwork {
    this.assertUsable();
    return bindNetwork(this, args, heap);
  }

  /**
   * Free the uniform buffer and the weights (which pipelines of one graph share, e.g. at several
   * sequence lengths: freed with the last of them). Bound networks made from it become unusable.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#releaseWeights();
    this.uniforms.destroy();
    this.shared?.params.destroy();
  }
}

/**
 * Specialize; when a node fails at the given input dimensions, say which constraint on them the
 * model has (e.g. multiples of 8) and sizes that work, found by specializing at nearby sizes.
 */
function specializeExplained(graph: Graph, opts: PipelineOptions): SpecializedGraph {
  const dims = opts.inputDimensions ?? {};
  try {
    return specialize(graph, dims, opRules, { inputValues: opts.inputValues });
  } catch (e) {
    if (!(e instanceof NodeError) || e.details.internal || !Object.keys(dims).length) throw e;
    const tries = (d: Record<string, number[]>) => { try { specialize(graph, d, opRules, { inputValues: opts.inputValues }); return true; } catch { return false; } };
    const c = deriveDimsConstraint(graph, dims, tries);
    if (!c) throw e;
    const inputs = [...new Set(c.dims.map((d) => d.input))];
    const api = inputs.map((k) => `'${k}': [${c.works[k]!.join(', ')}]`).join(', ');
    const cli = inputs.map((k) => `--dims ${k}=${c.works[k]!.join('x')}`).join(' ');
    const what = c.multiple ? `give sizes that are ${c.multiple === 2 ? 'even' : `multiples of ${c.multiple}`}` : 'give larger sizes';
    throw new ShapeError(`${fmtDimsConstraint(c)}; with the sizes given, ${e.what}`, `${what}, e.g. inputDimensions: { ${api} }`, { ...e.details, constraint: c })
      .withCliHint(`${what}, e.g. ${cli}`);
  }
}

/** Run the graph passes and compile the program for this device (no GPU work). */
export function planNetwork(device: GPUDevice, graph: Graph, opts: PipelineOptions = {}): Program {
  if (opts.weights !== undefined && !WEIGHTS_PRECISIONS.includes(opts.weights))
    throw new UsageError(`weights: '${String(opts.weights)}' is not one of ${WEIGHTS_PRECISIONS.join(', ')}`, "give weights: 'auto' (the default), 'f16' or 'f32'", { weights: opts.weights })
      .withCliHint('give --weights auto (the default), f16 or f32');
  const times = opts.timings;
  const step = <T>(name: string, f: () => T): T => {
    if (!times) return f();
    const t0 = performance.now();
    try { return f(); } finally { times[name] = (times[name] ?? 0) + performance.now() - t0; }
  };
  const sg = step('specialize', () => specializeExplained(graph, opts));
  // not an optimization: a weight over one binding could not run at all
  let g = step('splitWideWeights', () => splitWideWeights(sg.graph, sg.types, sg.constants, deviceCaps(device).maxStorageBufferBindingSize));
  // constants the passes make (folded BatchNorm weights) need types like every other value
  const typeConstants = () => { for (const [name, t] of sg.constants) if (!sg.types.has(name)) sg.types.set(name, { dtype: t.dtype, shape: t.shape }); };
  if (opts.fuse !== false) {
    g = step('foldQdq', () => foldQdq(g, sg.constants, sg.types));
    g = step('foldBatchNorm', () => foldBatchNorm(g, sg.constants));
    g = step('fuseLayerNorm', () => fuseLayerNorm(g, sg.types, sg.constants));
    typeConstants();
    // before elementwise fusion, which would swallow the attention's scale and mask ops
    const caps = deviceCaps(device);
    g = step('fuseAttention', () => fuseAttention(g, sg.types, sg.constants, viewRules(g, sg.types, sg.constants),
      (s) => typeof attentionConfig(s, caps.maxComputeWorkgroupStorageSize, caps.maxComputeInvocationsPerWorkgroup) !== 'string'));
    g = step('views', () => applyViews(g, sg.types, viewRules(g, sg.types, sg.constants), { constants: sg.constants }));
    g = step('fuseEpilogues', () => fuseEpilogues(g, sg.types, sg.constants, opFacts));
    g = step('fuseElementwise', () => fuseElementwise(g, sg.types, opFacts));
    // epilogue inputs bind beside A, B, C and Y
    const maxExtras = Math.min(MAX_EPILOGUE_INPUTS, deviceCaps(device).maxStorageBuffersPerShaderStage - 4);
    g = step('fuseGemmEpilogues', () => fuseGemmEpilogues(relayoutGemmWeights(g, sg.constants, sg.types), sg.types, opFacts, { maxExtras, maxStorageBuffers: deviceCaps(device).maxStorageBuffersPerShaderStage }));
    g = step('packIntWeights', () => packIntWeights(g, sg.constants, sg.types));
  }
  typeConstants();
  const l = deviceLimits(device), caps = deviceCaps(device);
  const program = step('compileProgram', () => compileProgram(g, sg.types, sg.constants, {
    caps: { ...caps, int8Matrix: !!caps.int8Matrix && !!opts.intMatrix }, storageAlign: l.minStorageBufferOffsetAlignment, uniformAlign: l.minUniformBufferOffsetAlignment, noReuse: opts.noReuse, splitKPairs: opts.splitKPairs, intTile: opts.intTile, weights: opts.weights,
  }));
  // Whole buffers, checked before any GPU work: the caller's heap and wgml's weights buffer.
  if (program.intermediatesHeapSize > l.maxBufferSize)
    throw new LimitError(`the network needs a heap of ${program.intermediatesHeapSize} bytes for its intermediates, over this device's maxBufferSize (${l.maxBufferSize})`,
      'use smaller input dimensions, or a device with a larger maxBufferSize', { heap: program.intermediatesHeapSize, limit: l.maxBufferSize });
  if (program.weightsBytes > l.maxBufferSize)
    throw new LimitError(`the network's weights take ${program.weightsBytes} bytes, over this device's maxBufferSize (${l.maxBufferSize})`,
      'use a device with a larger maxBufferSize, or a smaller model', { weights: program.weightsBytes, limit: l.maxBufferSize });
  return program;
}

/**
 * Specialize a network to input dimensions and compile it. Resolves once every kernel is compiled,
 * so the first encodeNetwork() does not stall.
 * @example
 * const pipeline = await wgml.createPipeline(device, lib.function('main'), { inputDimensions: { input: [1, 4, 1080, 1920] } });
 */
export async function createPipeline(device: GPUDevice, fn: Graph | { graph: Graph }, opts: PipelineOptions = {}): Promise<NetworkPipeline> {
  assertDeviceAlive(device);
  deviceInfo(device);
  const graph = 'graph' in fn ? fn.graph : fn;
  const label = opts.label ?? (graph.name || 'network');
  const program = planNetwork(device, graph, opts);
  const recording = chooseRecording(device, program, opts.recording ?? 'auto');
  const shared = typeof recording === 'string' ? null : recording;
  return withErrorScope(device, `creating pipeline '${label}'`, async () => {
    let compiled = 0;
    const total = program.dispatches.length;
    opts.onProgress?.('compile', 0, total);
    const gpuPipelines = await Promise.all(program.dispatches.map((d, i) => {
      const sd = shared?.dispatches[i];
      return (sd ? sharedPipelineFor(device, d.kernel, shared!, sd) : pipelineFor(device, d.kernel, d.signature)).then((p) => {
        opts.onProgress?.('compile', ++compiled, total);
        return p;
      }, (e: unknown) => {
        // Kernels do not declare their workgroup memory; the driver's refusal is turned into a typed
        // error naming the node, still before any GPU work is recorded.
        const m = /workgroup storage \((\d+) bytes\) is larger than the maximum allowed \((\d+) bytes\)/.exec((e as Error).message ?? '');
        if (!m) throw e;
        throw new LimitError(`node '${d.node}' (${d.op}): kernel '${d.kernel.name}' needs ${m[1]} bytes of workgroup storage, over this device's maxComputeWorkgroupStorageSize (${m[2]})`,
          'use a device with a larger limit; wgml picks smaller tiles only for the limits it plans with', { node: d.node, op: d.op, kernel: d.kernel.name, bytes: Number(m[1]), limit: Number(m[2]) });
      });
    }));
    const weights = acquireWeights(device, graph, program, label);
    const uniforms = device.createBuffer({ label: `${label} uniforms`, size: program.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(uniforms, 0, program.uniforms);
    let sharedBufs: { plan: SharedPlan; params: GPUBuffer } | null = null;
    if (shared) {
      const uniform = shared.paramsKind === 'uniform';
      // A uniform block is declared at its full 64 KiB: the buffer must be at least that large.
      const size = uniform ? 65536 : Math.max(16, shared.words.byteLength);
      const params = device.createBuffer({ label: `${label} parameters`, size, usage: (uniform ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE) | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(params, 0, shared.words.buffer, shared.words.byteOffset, shared.words.byteLength);
      sharedBufs = { plan: shared, params };
    }
    return new NetworkPipeline(device, label, program, gpuPipelines, weights.buffer, uniforms, sharedBufs,
      shared ? { mode: 'shared' } : { mode: 'groups', reason: recording as string }, weights.release);
  });
}

/** The shared plan when recording shares one bind group, else why not ('groups' asked, software adapter, limits). */
function chooseRecording(device: GPUDevice, program: Program, mode: 'auto' | 'shared' | 'groups'): SharedPlan | string {
  if (mode === 'groups') return 'recording: groups was asked for';
  const sw = deviceInfo(device).software;
  if (mode === 'auto' && sw) return `software adapter (${sw}): compiling a pipeline per dispatch costs more than recording saves`;
  const plan = planShared(program, deviceLimits(device));
  if (typeof plan !== 'string') return plan;
  if (mode === 'shared') throw new LimitError(`recording: 'shared' is not possible for this network: ${plan}`, "use recording: 'auto' or 'groups'", { reason: plan });
  return `auto: shared recording is not possible for this network: ${plan}`;
}
