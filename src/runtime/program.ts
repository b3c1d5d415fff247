/**
 * What compile.ts makes of a specialized graph: a program of dispatches whose bindings are resolved to
 * places. Only types, kept apart from the compiler so planning code that reads programs (shared.ts,
 * bind.ts, weights.ts, debug/) does not import compile.ts, which imports it back through kernels.ts.
 */
import type { HostTensor, Node, ValueType } from '../ir/types.js';
import type { KernelSpec } from '../ops/types.js';

/** Where a value's bytes live. `offset` is in bytes inside that place. */
export type Place =
  | { kind: 'heap'; offset: number; bytes: number }
  /** `half`: stored as float16 pairs (runtime/half-weights.ts); offset and bytes are still bytes. */
  | { kind: 'weights'; offset: number; bytes: number; half?: boolean }
  | { kind: 'input'; name: string; offset: number; bytes: number }
  | { kind: 'output'; name: string; offset: number; bytes: number };

export interface Dispatch {
  node: string;
  op: string;
  kernel: KernelSpec;
  /** Places of the kernel's storage bindings, in order. */
  places: Place[];
  /** Byte offset of this kernel's uniform block in the uniform buffer, or -1. */
  uniformOffset: number;
  /** Binding signature: only weights bind read-only (see runtime/kernels.ts kernelSource). */
  signature: string;
}

export interface CompiledNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Node['attrs'];
  /** Indices into `dispatches`. */
  dispatches: number[];
  alias: boolean;
  flops: number;
}

export interface Program {
  nodes: CompiledNode[];
  dispatches: Dispatch[];
  inputs: { name: string; type: ValueType }[];
  outputs: { name: string; type: ValueType }[];
  /** Every value's type and place (after aliasing). */
  values: Map<string, { type: ValueType; place: Place }>;
  /** Constants the kernels read, at byte offsets of the weights buffer; `half` ones stored as float16 pairs. */
  weights: { name: string; offset: number; tensor: HostTensor; half?: boolean }[];
  weightsBytes: number;
  uniforms: ArrayBuffer;
  intermediatesHeapSize: number;
  peakLiveBytes: number;
}
