/**
 * ONNX test data: the backend node tests Debian ships in libonnx-testdata, and a tiny ModelProto
 * encoder (same protobufjs schema as the importer) for building fixture models inside tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../src/ir/types.js';
import { parseTensorProto } from '../../src/onnx/tensor-proto.js';
import { protoType } from '../../src/onnx/proto.js';

export const TESTDATA_ROOT = process.env.WGML_ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';

/**
 * Suites with per-case model.onnx + test_data_set_0: the node tests, 'simple', and PyTorch's exports
 * at opset 6 ('pytorch-converted', 'pytorch-operator'; onnx/legacy.ts reads their legacy forms).
 * Left out: 'real' (stubs that download full-size ImageNet models).
 */
export const SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'] as const;

/** `name` is the case directory, prefixed with its suite unless the suite is 'node'. */
export interface TestCase { name: string; suite: string; dir: string }

/** Every case of the suites (sorted by name within a suite), or [] when the test data is not installed. */
export function listCases(suites: readonly string[] = SUITES, root = TESTDATA_ROOT): TestCase[] {
  return suites.flatMap((suite) => {
    const base = join(root, suite);
    if (!existsSync(base)) return [];
    return readdirSync(base).filter((d) => d.startsWith('test_') && existsSync(join(base, d, 'model.onnx')) && existsSync(join(base, d, 'test_data_set_0')))
      .sort().map((d) => ({ name: suite === 'node' ? d : `${suite}/${d}`, suite, dir: join(base, d) }));
  });
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
}

export interface CaseData { model: Uint8Array; inputs: HostTensor[]; outputs: HostTensor[] }

/** Model bytes and the first data set's tensors (inputs and expected outputs, in graph order). */
export function loadCase(c: TestCase): CaseData {
  const set = join(c.dir, 'test_data_set_0');
  return {
    model: readFileSync(join(c.dir, 'model.onnx')),
    inputs: numbered(set, 'input_').map((f) => parseTensorProto(readFileSync(join(set, f)))),
    outputs: numbered(set, 'output_').map((f) => parseTensorProto(readFileSync(join(set, f)))),
  };
}

// ---- A tiny ModelProto encoder for fixtures ----

/** ONNX DataType codes. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT64: 13, COMPLEX64: 14 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): Obj {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

export function tensor(name: string, dataType: number, dims: number[], fields: Obj): Obj {
  return { name, data_type: dataType, dims, ...fields };
}

export function node(opType: string, inputs: string[], outputs: string[], attribute: Obj[] = [], extra: Obj = {}): Obj {
  return { op_type: opType, input: inputs, output: outputs, attribute, name: extra.name ?? `${opType}_${outputs[0]}`, ...extra };
}

export const attr = {
  int: (name: string, i: number | string) => ({ name, type: 2, i }),
  float: (name: string, f: number) => ({ name, type: 1, f }),
  ints: (name: string, ints: (number | string)[]) => ({ name, type: 7, ints }),
  floats: (name: string, floats: number[]) => ({ name, type: 6, floats }),
  string: (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: Obj) => ({ name, type: 4, t }),
  graph: (name: string, g: Obj) => ({ name, type: 5, g }),
};

export interface ModelSpec {
  nodes: Obj[];
  inputs: Obj[];
  outputs: Obj[];
  initializers?: Obj[];
  valueInfo?: Obj[];
  opset?: number;
  /** Extra opset imports: domain → version. */
  domains?: Record<string, number>;
  /** Model-local FunctionProtos. */
  functions?: Obj[];
}

export function graphProto(s: Omit<ModelSpec, 'opset' | 'domains' | 'functions'>, name = 'g'): Obj {
  return { name, node: s.nodes, input: s.inputs, output: s.outputs, initializer: s.initializers ?? [], value_info: s.valueInfo ?? [] };
}

/** Serialize a ModelProto (IR version 8) from plain objects. */
export function encodeModel(s: ModelSpec): Uint8Array {
  const opset_import = [{ domain: '', version: s.opset ?? 17 }, ...Object.entries(s.domains ?? {}).map(([domain, version]) => ({ domain, version }))];
  const T = protoType('ModelProto');
  return T.encode(T.fromObject({ ir_version: 8, producer_name: 'wgml-test', opset_import, graph: graphProto(s), functions: s.functions ?? [] })).finish();
}

/** Serialize a TensorProto. */
export function encodeTensor(t: Obj): Uint8Array {
  const T = protoType('TensorProto');
  return T.encode(T.fromObject(t)).finish();
}
