/**
 * The types of inline networks (mlp.ts), apart from the class: the WGSL generators (unrolled, subgroup,
 * dot4, quant…) take an {@link MlpModel} and return an {@link MlpWgsl}, and mlp.ts calls them, so
 * keeping these here lets the generators depend on types only and mlp.ts on the generators, one way.
 */
import type { WgslModule } from '../gpu/wgsl.js';
import type { Activation } from './activations.js';

export interface MlpLayer {
  /** out×in, row-major. */
  weight: Float32Array;
  bias: Float32Array;
  activation: Activation;
  /** LeakyReLU slope or sine frequency. */
  alpha: number;
}

export type MlpScope = 'thread' | 'subgroup';
/** 'int8': per-layer scales, 4-way int8 dot products (thread scope) or int8 subgroup matrices. */
export type MlpPrecision = 'f32' | 'f16' | 'int8';
export type FloatPrecision = 'f32' | 'f16';
export type MlpStorage = 'buffer' | 'inline' | 'constants' | 'uniform';

export interface MlpWgslOptions {
  /** WGSL function name; also prefixes every helper and binding. */
  name: string;
  /** 'subgroup' needs a compute shader and chromium-experimental-subgroup-matrix; falls back to 'thread' without it (see precision). */
  scope?: MlpScope;
  /**
   * 'auto' picks f16 when the device has shader-f16. Default 'f32' ('int8' with scope 'subgroup').
   * 'int8' quantizes with per-layer scales and zero points (call {@link ShaderMLP.calibrate} first) and
   * runs on `dot4I8Packed` in any stage. Scope 'subgroup' is int8 whatever this says; where it falls
   * back, an explicit 'f32'/'f16'/'auto' gives float thread scope, else int8 thread scope.
   */
  precision?: MlpPrecision | 'auto';
  /**
   * 'buffer' reads weights from a storage buffer; 'inline' bakes them into function-local arrays;
   * 'constants' (literals) and 'uniform' (uniform buffer) write the network out as straight-line
   * FMAs (see unrolled.ts): the fast thread-scope forms.
   */
  storage?: MlpStorage;
  /** Bind group and first binding of the weight buffers (default 1 and 0). */
  group?: number;
  binding?: number;
  /** Needed for 'auto', 'f16' and 'subgroup' to check features. */
  device?: GPUDevice;
}

/** What {@link ShaderMLP.wgsl} gives: the function, its bindings and how it was built. */
export interface MlpWgsl {
  name: string;
  scope: MlpScope;
  precision: MlpPrecision;
  storage: MlpStorage;
  /** Why a requested subgroup scope became thread scope. */
  fallbackReason?: string;
  /** The WGSL call signature. Subgroup-capable functions take the local invocation index too. */
  signature: string;
  /** Include it in `resolveWgsl({ requires: [module] })`. */
  module: WgslModule;
  /** The module's code with its `enable` lines, for direct concatenation. */
  code: string;
  layoutEntries(visibility: GPUShaderStageFlags): GPUBindGroupLayoutEntry[];
  bindGroupEntries(device: GPUDevice): GPUBindGroupEntry[];
  /** Workgroup size a subgroup-scope caller must use (1 thread per row, whole workgroup calls it). */
  workgroupSize?: number;
}

/** What the WGSL generators read of a network: ShaderMLP implements it. */
export interface MlpModel {
  readonly sizes: readonly number[];
  readonly layers: readonly MlpLayer[];
  /** Per-input [min, max] from calibrate(), for int8 quantization of the first layer's inputs. */
  inputBounds: [number, number][] | null;
  readonly inputs: number;
  readonly outputs: number;
  calibrate(x: ArrayLike<number>): [number, number][];
  packed(): { data: Float32Array; offsets: { w: number; b: number }[] };
  buffersFor(device: GPUDevice, key: string, make: () => { label: string; bytes: Uint8Array }[], usage?: number): GPUBuffer[];
}

/**
 * A whole batched decode kernel (subgroup-batch.ts, subgroup-fast.ts). Here rather than in
 * subgroup-batch.ts so subgroup-fast.ts, which subgroup-batch.ts calls, does not import it back.
 */
export interface BatchKernel {
  /** WGSL with `enable` lines, the weights' bindings and `@compute fn main`; append the caller's functions. */
  code: string;
  workgroupSize: number;
  rowsPerBlock: number;
  /** Workgroups to dispatch (x) for `rows` with at most `maxGroups` resident. */
  groups(maxGroups?: number): number;
  layoutEntries(visibility: GPUShaderStageFlags): GPUBindGroupLayoutEntry[];
  bindGroupEntries(device: GPUDevice): GPUBindGroupEntry[];
}
