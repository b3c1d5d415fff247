/**
 * wgml's typed IR: the graph an ONNX model (or a .wgml package) becomes. Element types keep ONNX's
 * names; on the GPU every element is one 32-bit word (see {@link storageType}).
 */

export type ElemType = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string';

/** A dimension: a number once known, a symbol (e.g. 'batch') before specialization. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: ElemType;
  shape: Dim[];
  /**
   * True when the model leaves this value's dtype or rank unknown (typical of subgraph and untyped
   * outputs): `dtype`/`shape` are then placeholders that shape inference must replace.
   */
  untyped?: boolean;
}

/** A value whose dims are all known. */
export interface ValueType {
  dtype: ElemType;
  shape: number[];
}

/** CPU-side tensor data: float types as Float32Array, signed ints and bool as Int32Array, unsigned as Uint32Array. */
export interface HostTensor {
  dtype: ElemType;
  shape: number[];
  data: Float32Array | Int32Array | Uint32Array;
}

export type AttrValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: HostTensor }
  | { kind: 'graph'; value: Graph }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] };

export interface Node {
  name: string;
  opType: string;
  /** '' for the default ONNX domain ('ai.onnx'); 'wgml' for fused ops made by passes. */
  domain: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  /** Constant tensors (weights). Names never collide with node outputs. */
  initializers: Map<string, HostTensor>;
  /** Known types of intermediate values (from the model's value_info or from inference). */
  valueInfo: Map<string, ValueInfo>;
  /** Opset version per domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  /** The model's metadata_props (ONNX key/value strings), when it has any: how a caller should feed the network, e.g. its training scale. */
  metadata?: Record<string, string>;
}

/** The GPU word type of an element type. */
export function storageType(t: ElemType): 'f32' | 'i32' | 'u32' {
  switch (t) {
    case 'float32': case 'float16': case 'float64': case 'bfloat16': return 'f32';
    case 'uint8': case 'uint16': case 'uint32': case 'uint64': return 'u32';
    default: return 'i32';
  }
}

export function isFloat(t: ElemType): boolean {
  return storageType(t) === 'f32';
}

export function hostArrayFor(t: ElemType, n: number): Float32Array | Int32Array | Uint32Array {
  const s = storageType(t);
  return s === 'f32' ? new Float32Array(n) : s === 'u32' ? new Uint32Array(n) : new Int32Array(n);
}

export function hostTensor(dtype: ElemType, shape: number[], values?: ArrayLike<number>): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = hostArrayFor(dtype, n);
  if (values) data.set(values as ArrayLike<number>);
  return { dtype, shape: [...shape], data };
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function fmtShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}
