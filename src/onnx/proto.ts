/**
 * The ONNX protobuf schema, loaded from a JSON descriptor generated once from the official onnx.proto
 * by scripts/gen-onnx-proto.mjs: no .proto text is parsed at run time.
 */
import protobuf from 'protobufjs';
import schema from './onnx-proto.json' with { type: 'json' };

/** int64 fields decode to Long objects (when long.js is present) or plain numbers. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean; toNumber(): number };

export interface StringStringEntryProto { key?: string; value?: string }

export interface TensorProto {
  dims?: Int64[];
  data_type?: number;
  segment?: unknown;
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  external_data?: StringStringEntryProto[];
  data_location?: number;
  double_data?: number[];
  uint64_data?: Int64[];
}

export interface SparseTensorProto { values?: TensorProto; indices?: TensorProto; dims?: Int64[] }

export interface TensorShapeProto { dim?: { dim_value?: Int64 | null; dim_param?: string | null }[] }

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: TensorShapeProto | null } | null;
  sequence_type?: unknown;
  map_type?: unknown;
  optional_type?: unknown;
  sparse_tensor_type?: unknown;
}

export interface ValueInfoProto { name?: string; type?: TypeProto | null }

export interface AttributeProto {
  name?: string;
  ref_attr_name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto | null;
  g?: GraphProto | null;
  sparse_tensor?: SparseTensorProto | null;
  tp?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  sparse_tensors?: SparseTensorProto[];
  type_protos?: unknown[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
  overload?: string;
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparse_initializer?: SparseTensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface OperatorSetIdProto { domain?: string; version?: Int64 }

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  graph?: GraphProto | null;
  functions?: unknown[];
  metadata_props?: { key?: string; value?: string }[];
}

let root: protobuf.Root | null = null;

/** The onnx package of the schema (lazily built, shared). */
export function onnxRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(schema as protobuf.INamespace);
  return root;
}

export function protoType(name: 'ModelProto' | 'TensorProto' | 'GraphProto' | 'NodeProto'): protobuf.Type {
  return onnxRoot().lookupType(`onnx.${name}`);
}

/** A JS number from an int64 field; exact up to 2^53. */
export function int64(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Data type codes of TensorProto.DataType. */
export const DATA_TYPE = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;
