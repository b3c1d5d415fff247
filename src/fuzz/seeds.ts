/**
 * The fuzzer's seed corpus: small valid models built in code (conv+relu+pool, matmul+softmax, a
 * reshape chain, a small U-Net-ish graph, BatchNorm+Gemm) plus a few of the ONNX backend node tests
 * when libonnx-testdata is installed. Every seed loads and plans; mutations start from them.
 */
import { protoType } from '../onnx/proto.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface Seed { name: string; bytes: Uint8Array }

const F = 1, I64 = 7;
const vi = (name: string, t: number, dims: (number | string)[]): Obj =>
  ({ name, type: { tensor_type: { elem_type: t, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } });
const nd = (op: string, input: string[], output: string[], attribute: Obj[] = []): Obj => ({ op_type: op, input, output, attribute, name: `${op}_${output[0]}` });
const ints = (name: string, v: number[]): Obj => ({ name, type: 7, ints: v });
const int = (name: string, v: number): Obj => ({ name, type: 2, i: v });
const flt = (name: string, v: number): Obj => ({ name, type: 1, f: v });

/** Deterministic small weights (values don't matter to the fuzzer, only their sizes). */
function weights(name: string, dims: number[]): Obj {
  const n = dims.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.7 + name.length) * 0.5;
  return { name, data_type: F, dims, raw_data: new Uint8Array(v.buffer) };
}
const i64 = (name: string, v: number[]): Obj => ({ name, data_type: I64, dims: [v.length], int64_data: v });

export function encodeModel(graph: Obj, opset = 17): Uint8Array {
  const T = protoType('ModelProto');
  return new Uint8Array(T.encode(T.fromObject({ ir_version: 8, producer_name: 'wgml-fuzz', opset_import: [{ domain: '', version: opset }], graph })).finish());
}

function convReluPool(): Obj {
  return {
    name: 'conv_relu_pool',
    input: [vi('x', F, [1, 3, 'H', 'W'])], output: [vi('y', F, [1, 4, 'h', 'w'])],
    initializer: [weights('w', [4, 3, 3, 3]), weights('b', [4])],
    node: [
      nd('Conv', ['x', 'w', 'b'], ['c'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]),
      nd('Relu', ['c'], ['r']),
      nd('MaxPool', ['r'], ['y'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]),
    ],
  };
}

function matmulSoftmax(): Obj {
  return {
    name: 'matmul_softmax',
    input: [vi('x', F, ['B', 8])], output: [vi('y', F, ['B', 6])],
    initializer: [weights('w', [8, 6]), weights('b', [6])],
    node: [nd('MatMul', ['x', 'w'], ['m']), nd('Add', ['m', 'b'], ['a']), nd('Softmax', ['a'], ['y'], [int('axis', -1)])],
  };
}

function reshapeChain(): Obj {
  return {
    name: 'reshape_chain',
    input: [vi('x', F, [2, 3, 4])], output: [vi('y', F, [1, 24])],
    initializer: [i64('s1', [6, 4]), i64('s2', [0, -1]), i64('ax', [0]), i64('s3', [1, -1])],
    node: [
      nd('Reshape', ['x', 's1'], ['r1']),
      nd('Transpose', ['r1'], ['t'], [ints('perm', [1, 0])]),
      nd('Reshape', ['t', 's2'], ['r2']),
      nd('Flatten', ['r2'], ['f'], [int('axis', 0)]),
      nd('Unsqueeze', ['f', 'ax'], ['u']),
      nd('Reshape', ['u', 's3'], ['y']),
    ],
  };
}

function unet(): Obj {
  return {
    name: 'unet',
    input: [vi('x', F, [1, 2, 'H', 'W'])], output: [vi('y', F, [1, 1, 'H', 'W'])],
    initializer: [weights('w1', [4, 2, 3, 3]), weights('w2', [8, 4, 3, 3]), weights('wt', [8, 4, 2, 2]), weights('w3', [1, 8, 3, 3]), weights('b3', [1])],
    node: [
      nd('Conv', ['x', 'w1'], ['e1'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
      nd('Relu', ['e1'], ['e1r']),
      nd('MaxPool', ['e1r'], ['p1'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]),
      nd('Conv', ['p1', 'w2'], ['e2'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
      nd('LeakyRelu', ['e2'], ['e2r'], [flt('alpha', 0.1)]),
      nd('ConvTranspose', ['e2r', 'wt'], ['up'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]),
      nd('Concat', ['up', 'e1r'], ['cat'], [int('axis', 1)]),
      nd('Conv', ['cat', 'w3', 'b3'], ['o'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
      nd('Sigmoid', ['o'], ['y']),
    ],
  };
}

function bnGemm(): Obj {
  return {
    name: 'bn_gemm',
    input: [vi('x', F, [1, 4, 4, 4])], output: [vi('y', F, [1, 3])],
    initializer: [weights('sc', [4]), weights('bi', [4]), weights('me', [4]), { ...weights('va', [4]), raw_data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer) },
      weights('gw', [3, 4]), weights('gb', [3])],
    node: [
      nd('BatchNormalization', ['x', 'sc', 'bi', 'me', 'va'], ['bn'], [flt('epsilon', 1e-5)]),
      nd('Clip', ['bn'], ['cl']),
      nd('GlobalAveragePool', ['cl'], ['gp']),
      nd('Flatten', ['gp'], ['fl']),
      nd('Gemm', ['fl', 'gw', 'gb'], ['y'], [int('transB', 1)]),
    ],
  };
}

/** The seeds built in code. */
export function builtinSeeds(): Seed[] {
  return [convReluPool(), matmulSoftmax(), reshapeChain(), unet(), bnGemm()].map((g) => ({ name: g.name as string, bytes: encodeModel(g) }));
}

/** Backend node tests used as seeds (small, varied ops); skipped when the data is not installed. */
export const TESTDATA_SEEDS = [
  'test_conv_with_strides_padding', 'test_maxpool_2d_pads', 'test_averagepool_2d_strides', 'test_gemm_default_matrix_bias',
  'test_reshape_negative_dim', 'test_reshape_reordered_all_dims', 'test_slice', 'test_slice_neg_steps', 'test_gather_0',
  'test_concat_2d_axis_0', 'test_transpose_default', 'test_expand_dim_changed', 'test_tile', 'test_pad', 'test_resize_upsample_scales_nearest',
  'test_softmax_axis_1', 'test_layer_normalization_4d_axis1', 'test_reduce_mean_keepdims_example', 'test_argmax_keepdims_example',
  'test_where_example', 'test_split_equal_parts_1d', 'test_convtranspose', 'test_batchnorm_example', 'test_cast_FLOAT_to_FLOAT16',
  'test_constantofshape_int_zeros', 'test_range_float_type_positive_delta', 'test_gru_defaults', 'test_lstm_defaults',
  'test_depthtospace_example', 'test_instancenorm_example', 'test_matmul_4d', 'test_squeeze', 'test_unsqueeze_axis_0', 'test_clip',
  'test_einsum_batch_matmul', 'test_nonzero_example', 'test_topk', 'test_cumsum_1d', 'test_trilu_upper', 'test_if',
] as const;

export async function testdataSeeds(root = '/usr/share/libonnx-testdata/data/node'): Promise<Seed[]> {
  let fs: typeof import('node:fs');
  try { fs = await import('node:fs'); } catch { return []; }
  const out: Seed[] = [];
  for (const name of TESTDATA_SEEDS) {
    const p = `${root}/${name}/model.onnx`;
    if (fs.existsSync(p)) out.push({ name, bytes: new Uint8Array(fs.readFileSync(p)) });
  }
  return out;
}
