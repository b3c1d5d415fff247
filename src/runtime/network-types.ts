/**
 * What a planned network looks like to the code that binds and records it (bind.ts, encode.ts, run.ts,
 * the profiler). pipeline.ts's NetworkPipeline implements it and calls bind.ts, so bind.ts depends on
 * this interface instead of on pipeline.ts (no import cycle, even a type-only one).
 */
import type { ValueType } from '../ir/types.js';
import type { Program } from './program.js';
import type { SharedPlan } from './shared.js';

/** A network input or output as the caller binds it. */
export interface TensorSpec {
  name: string;
  /** wgml tensor dtype the caller binds (f32 for float models; i32 for int64/int32/bool; u32 for unsigned). */
  dtype: 'f32' | 'i32' | 'u32';
  /** ONNX element type of the model value. */
  elemType: ValueType['dtype'];
  shape: number[];
}

/** A compiled network's GPU objects and plan (see NetworkPipeline in pipeline.ts for the documentation). */
export interface PlannedNetwork {
  readonly device: GPUDevice;
  readonly label: string;
  readonly program: Program;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly gpuPipelines: GPUComputePipeline[];
  readonly weights: GPUBuffer;
  readonly uniforms: GPUBuffer;
  readonly passDescriptor: GPUComputePassDescriptor;
  readonly shared: { plan: SharedPlan; params: GPUBuffer } | null;
  readonly recording: { mode: 'shared' | 'groups'; reason?: string };
  readonly intermediatesHeapSize: number;
  readonly peakLiveBytes: number;
  readonly weightsBytes: number;
  readonly dispatchCount: number;
  readonly pipelineCount: number;
  readonly destroyed: boolean;
  assertUsable(): void;
  destroy(): void;
}
