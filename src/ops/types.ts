/**
 * The contract every op implements, one op per file: typed attributes, shape rule, CPU reference and
 * GPU kernels. Registering an op is one line in its family's table, `tables/<family>.ts` (`registry.ts`
 * collects the tables); DEVELOPERS.md walks through adding one.
 */
import type { Attrs } from '../ir/attrs.js';
import type { HostTensor, Node, ValueType } from '../ir/types.js';
import type { EpilogueActivation } from '../passes/op-facts.js';
import type { RuleContext } from '../ir/infer.js';
import type { View } from '../ir/view.js';
import { packParams, type KernelSignature, type ParamValues } from '../gpu/signature.js';
import type { WgslModule } from '../gpu/wgsl.js';

/** The context of an op's shape rule and reference: ir/infer.ts defines it (ir/ never imports ops/). */
export type InferContext = RuleContext;

/** What a kernel needs to know about the device. */
export interface DeviceCaps {
  f16: boolean;
  subgroups: boolean;
  subgroupMatrix: boolean;
  /** int8×int8→i32 subgroup matrices at M16×N16×K32 with 32-lane subgroups (the integer GEMM's matrix tiles). */
  int8Matrix?: boolean;
  maxStorageBufferBindingSize: number;
  maxStorageBuffersPerShaderStage: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupsPerDimension: number;
}

export type SplitKPairs = 'conv' | 'all' | 'none';

export interface KernelContext extends InferContext {
  outputs: ValueType[];
  caps: DeviceCaps;
  /**
   * How each input sits in the buffer bound for it (passes re-view inputs listed in `viewInputs`): null
   * for a dense value. `ctx.inputs[i]` is the view's type; the binding is the base value's memory.
   */
  views?: (View | null)[];
  /** How output 0 is laid out in its buffer when the op declares `viewOutput` (null: dense). */
  outView?: View | null;
  /**
   * Which split-K GEMMs emit their two dispatches (partial products, then the reduce with the epilogue)
   * from one module and pipeline, so recording sets the pipeline once for both (issue 18): 'conv'
   * (default) the convolutions', 'all' MatMul/Gemm's too, 'none' (bench A/B). On an H200 conv pairs
   * left GPU time within ±1%, MatMul pairs cost BERT and ViT 2–5% (bench/recording-2026-12-04).
   */
  splitKPairs?: SplitKPairs;
  /** The integer GEMMs' dot4 tile variant ('bk16', 'bk32pfv4', …: ops/quant/int-gemm-tile.ts), for benchmarks; default the table's. */
  intTile?: string;
}

/** A buffer a kernel binds, after the uniform block. */
export type KernelArg = { input: number } | { output: number } | { scratch: number };

export interface KernelSpec {
  /** Short name for labels and profiles, e.g. 'conv2d_3x3'. */
  name: string;
  /** Pipeline cache key: equal keys must mean equal WGSL. Keep shapes out of it (they go in uniforms). */
  key: string;
  /**
   * The signature from which bindings, accessors and the parameter block are generated (see
   * {@link declaredKernel}), and the body that uses them; every kernel declares itself, so any kernel
   * can run with the network's shared bind group.
   */
  sig: KernelSignature;
  source: () => KernelSource;
  /** Parameter values (packed into `uniforms`). */
  params: ParamValues;
  /** Storage bindings in binding order, numbered after the uniform (binding 0) when there is one. */
  args: KernelArg[];
  /** Uniform block contents (binding 0), or null for none: `params` packed by {@link declaredKernel}. */
  uniforms: ArrayBuffer | null;
  workgroups: [number, number, number];
}

/** A declared kernel's WGSL besides its declarations. */
export interface KernelSource { body: string; requires?: readonly WgslModule[]; enables?: readonly string[] }

/**
 * A kernel declared once: `sig.buffers[k]` is bound to `args[k]`, parameters are packed from `params`.
 * @example
 * const SIG = signature({ params: { n: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }] });
 * declaredKernel({ name: 'double', key: 'double', sig: SIG, params: { n }, args: [{ input: 0 }, { output: 0 }], workgroups: [Math.ceil(n / 64), 1, 1],
 *   source: () => ({ body: `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { let P = wgml_init(); if (g.x < P.n) { Y_st(g.x, 2.0 * X_ld(g.x)); } }` }) });
 */
export function declaredKernel(k: { name: string; key: string; sig: KernelSignature; params: ParamValues; args: KernelArg[]; workgroups: [number, number, number]; source: () => KernelSource }): KernelSpec {
  if (k.args.length !== k.sig.buffers.length) throw new Error(`kernel '${k.name}' binds ${k.args.length} buffers but declares ${k.sig.buffers.length}`);
  k.sig.buffers.forEach((b, i) => { if (b.writes && 'input' in k.args[i]!) throw new Error(`kernel '${k.name}' writes buffer '${b.name}', bound to an input`); });
  return { ...k, uniforms: k.sig.layout.length ? packParams(k.sig, k.params) : null };
}

export interface GpuPlan {
  kernels: KernelSpec[];
  /** Bytes of each scratch buffer the kernels use ({ scratch: i }); planned in the heap. */
  scratch?: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface OpDef<A = any> {
  /** ONNX op type, e.g. 'Conv'. */
  readonly type: string;
  /** '' (ai.onnx, default), 'com.microsoft', or 'wgml' for fused ops. */
  readonly domain?: string;
  /** Opsets this implementation follows, inclusive; default [1, 99]. */
  readonly opsets?: readonly [number, number];
  /** Inputs whose kernels read through `ctx.views[i]`, so passes may hand them strided views instead of copies. */
  readonly viewInputs?: readonly number[];
  /** Output 0 may be written through `ctx.outView` (a permuted layout its consumer wants). */
  readonly viewOutput?: boolean;
  /**
   * Whether input `which` (or the output, 'out') may be read (written) through `view`, for ops whose
   * kernels handle some strides only; absent: any view of the inputs in viewInputs (and of output 0
   * with viewOutput). `ctx.inputs` are the types as they are without the view.
   */
  acceptsView?(ctx: InferContext, a: A, which: number | 'out', view: View): boolean;
  /** The kernels bind a value that appears as several inputs once (e.g. q, k, v views of one buffer). */
  readonly sharedInputs?: boolean;
  /** Inputs whose values must be known at compile time (e.g. Reshape's shape). */
  readonly constInputs?: readonly number[];
  /** Outputs from this index on are optional extras: specialization drops those nothing reads (ir/infer.ts). */
  readonly optionalOutputs?: number;
  /** Outputs whose values follow from the input types alone, by index: made constants at specialization (ir/infer.ts). */
  constantOutputs?(ctx: InferContext, a: A, outTypes: ValueType[]): Map<number, HostTensor>;
  /** Parse and validate attributes. */
  attrs(a: Attrs, opset: number): A;
  /** Output types; every dim static. Throw ctx.error(...) for invalid inputs. */
  infer(ctx: InferContext, a: A): ValueType[];
  /** CPU reference, written independently of the kernel: used by tests, constant folding and the debugger. */
  reference(inputs: (HostTensor | null)[], a: A, ctx: InferContext): HostTensor[];
  /**
   * GPU kernels for the static shapes in ctx. Return a string to refuse (the reason is reported at load time,
   * e.g. an unsupported dtype). Ops that are pure reinterpretations (Reshape…) set `alias` instead.
   */
  gpu?(ctx: KernelContext, a: A): GpuPlan | string;
  /** Output 0 is input `alias(a)`'s memory reinterpreted: no kernel runs. */
  alias?(a: A): number;
  /**
   * For ops that only re-view input 0 (Transpose, Slice, Split, Gather at a constant index, Expand): where
   * output `output`'s elements sit, given where input 0's sit (`input`). Null when no strides express it.
   * Passes use it to let consumers read through views instead of running a copy; ops with `alias` need
   * none (their view is a reshape).
   */
  view?(ctx: InferContext, a: A, input: View, output: number): View | null;
  /**
   * An elementwise op that wgml.FusedElementwise evaluates as a step (ops/elementwise/fused.ts), so the
   * fusion passes may merge it into its neighbours. Passes read it through `opFacts.isFusable`.
   */
  readonly fusable?: boolean;
  /**
   * The activation this node is in a Conv's fused epilogue (ops/epilogue.ts kinds, parameters as the
   * node's attributes or constant inputs give them), or null. Passes read it through `opFacts`.
   */
  epilogueActivation?(n: Node, constants: ReadonlyMap<string, HostTensor>): EpilogueActivation | null;
}

/** Workgroup counts for n invocations of size wg, folded into 2D when x would exceed the per-dimension limit. */
export function dispatch1d(n: number, wg: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}
