import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOnnx, loadOnnxSync } from '../src/onnx/load.js';
import { parseTensorProto } from '../src/onnx/tensor-proto.js';
import { checkSupported } from '../src/onnx/check.js';
import { DTypeError, ModelFormatError, NodeError, UnsupportedOpsError, WgmlError } from '../src/errors.js';
import { DT, attr, encodeModel, encodeTensor, graphProto, node, tensor, valueInfo, listCases, loadCase } from './helpers/onnx-testdata.js';
import { rng, randn } from './helpers/random.js';

const f32bytes = (v: ArrayLike<number>) => new Uint8Array(new Float32Array(v).buffer);

/** x[batch,3] + w[3] → y; w stored as raw little-endian bytes. */
function addModel(w: Float32Array, extra: Partial<Parameters<typeof encodeModel>[0]> = {}) {
  return encodeModel({
    nodes: [node('Add', ['x', 'w'], ['y'])],
    inputs: [valueInfo('x', DT.FLOAT, ['batch', 3]), valueInfo('w', DT.FLOAT, [3])],
    outputs: [valueInfo('y', DT.FLOAT, ['batch', 3])],
    initializers: [tensor('w', DT.FLOAT, [3], { raw_data: f32bytes(w) })],
    ...extra,
  });
}

async function rejects<T extends WgmlError>(p: Promise<unknown> | (() => unknown), cls: new (...a: never[]) => T): Promise<T> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as T;
  }
  throw new Error(`expected ${cls.name}`);
}

describe('ONNX import', () => {
  it('decodes inputs (initializers excluded), symbolic dims, opsets and raw weights', async () => {
    const w = randn(rng(1), 3);
    const g = await loadOnnx(addModel(w, { domains: { 'com.microsoft': 1 } }));
    expect(g.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 3] }]);
    expect(g.outputs.map((o) => o.name)).toEqual(['y']);
    expect(g.opsets).toEqual({ '': 17, 'com.microsoft': 1 });
    expect([...g.initializers.get('w')!.data]).toEqual([...w]);
    expect(g.nodes[0]).toMatchObject({ opType: 'Add', domain: '', inputs: ['x', 'w'], outputs: ['y'] });
  });

  it('converts every element type wgml keeps, from typed fields and raw bytes', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]).buffer); // 1, -2, inf, 2^-24
    const cases: [object, string, number[]][] = [
      [tensor('h', DT.FLOAT16, [4], { raw_data: half }), 'float16', [1, -2, Infinity, 2 ** -24]],
      [tensor('h2', DT.FLOAT16, [2], { int32_data: [0x3800, 0xbc00] }), 'float16', [0.5, -1]],
      [tensor('bf', 16, [2], { int32_data: [0x3f80, 0xc040] }), 'bfloat16', [1, -3]],
      [tensor('d', DT.DOUBLE, [2], { double_data: [0.1, -1e300] }), 'float64', [Math.fround(0.1), -Infinity]],
      [tensor('b', DT.BOOL, [3], { raw_data: new Uint8Array([0, 1, 2]) }), 'bool', [0, 1, 1]],
      [tensor('u8', DT.UINT8, [2], { raw_data: new Uint8Array([255, 7]) }), 'uint8', [255, 7]],
      [tensor('i8', DT.INT8, [2], { int32_data: [-128, 5] }), 'int8', [-128, 5]],
      [tensor('u64', DT.UINT64, [2], { uint64_data: ['4294967295', 3] }), 'uint64', [4294967295, 3]],
      [tensor('i64', DT.INT64, [4], { int64_data: ['9223372036854775807', '-9223372036854775808', -5, 2147483647] }), 'int64', [2147483647, -2147483647, -5, 2147483647]],
      [tensor('i64r', DT.INT64, [2], { raw_data: new Uint8Array(new BigInt64Array([-(2n ** 63n), -3n]).buffer) }), 'int64', [-2147483647, -3]],
    ];
    for (const [t, dtype, values] of cases) {
      const h = parseTensorProto(encodeTensor(t));
      expect(h.dtype, JSON.stringify(t)).toBe(dtype);
      expect([...h.data]).toEqual(values);
    }
  });

  it('refuses int64 values outside int32 other than the sentinels, naming the tensor', async () => {
    const e = await rejects(() => parseTensorProto(encodeTensor(tensor('big_idx', DT.INT64, [2], { int64_data: [1, '5000000000'] }))), DTypeError);
    expect(e.message).toContain("'big_idx'");
    expect(e.message).toContain('5000000000');
  });

  it('refuses strings, complex, negative/huge dims and short raw data with typed errors', async () => {
    await rejects(() => parseTensorProto(encodeTensor(tensor('s', DT.STRING, [1], { string_data: [new Uint8Array([65])] }))), DTypeError);
    await rejects(() => parseTensorProto(encodeTensor(tensor('c', DT.COMPLEX64, [1], { float_data: [1, 2] }))), DTypeError);
    expect((await rejects(() => parseTensorProto(encodeTensor(tensor('neg', DT.FLOAT, [-1], {}))), ModelFormatError)).message).toContain("'neg'");
    await rejects(() => parseTensorProto(encodeTensor(tensor('huge', DT.FLOAT, [1 << 20, 1 << 20], {}))), ModelFormatError);
    await rejects(() => parseTensorProto(encodeTensor(tensor('short', DT.FLOAT, [4], { raw_data: new Uint8Array(12) }))), ModelFormatError);
    await rejects(() => parseTensorProto(encodeTensor(tensor('bad', 99, [1], { float_data: [1] }))), ModelFormatError);
    const m = encodeModel({ nodes: [node('Relu', ['x'], ['y'])], inputs: [valueInfo('x', DT.FLOAT, [-3])], outputs: [valueInfo('y', DT.FLOAT, [3])] });
    await rejects(loadOnnx(m), ModelFormatError);
  });

  it('reports truncated and garbage bytes as ModelFormatError with the byte offset', async () => {
    const bytes = addModel(new Float32Array([1, 2, 3]));
    for (const cut of [5, 17, bytes.length - 3]) {
      const e = await rejects(loadOnnx(bytes.subarray(0, cut)), ModelFormatError);
      expect(typeof e.details.offset, e.message).toBe('number');
      expect(e.details.offset as number).toBeLessThanOrEqual(cut);
    }
    await rejects(loadOnnx(new Uint8Array([0xff, 0xff, 0xff])), ModelFormatError);
    await rejects(loadOnnx(new Uint8Array(0)), ModelFormatError);
  });

  it('reads external data through a callback and from baseDir, and refuses bad offsets', async () => {
    const w = new Float32Array([1.5, -2, 3]);
    const file = new Uint8Array(8 + 12); file.set(f32bytes(w), 8);
    const ext = (offset: number, location = 'weights.bin') => addModel(w, { initializers: [tensor('w', DT.FLOAT, [3], {
      data_location: 1, external_data: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: '12' }] })] });
    const g = await loadOnnx(ext(8), { externalData: async (loc) => { expect(loc).toBe('weights.bin'); return file; } });
    expect([...g.initializers.get('w')!.data]).toEqual([...w]);
    const dir = mkdtempSync(join(tmpdir(), 'wgml-onnx-'));
    writeFileSync(join(dir, 'weights.bin'), file);
    expect([...loadOnnxSync(ext(8), { baseDir: dir }).initializers.get('w')!.data]).toEqual([...w]);
    const e = await rejects(loadOnnx(ext(16), { externalData: () => file }), ModelFormatError);
    expect(e.message).toContain("'w'");
    expect(e.details).toMatchObject({ tensor: 'w', offset: 16, fileSize: 20 });
    await rejects(loadOnnx(ext(1000), { externalData: () => file }), ModelFormatError);
    await rejects(loadOnnx(ext(8)), ModelFormatError);
    await rejects(loadOnnx(ext(8, '../../etc/passwd'), { baseDir: dir }), ModelFormatError);
  });

  it('refuses opsets outside 1..21 naming the model opset', async () => {
    for (const opset of [0, 22]) {
      const e = await rejects(loadOnnx(addModel(new Float32Array(3), { opset })), ModelFormatError);
      expect(e.message).toContain(`opset ${opset}`);
    }
  });

  it('refuses dangling values, duplicated outputs and cycles; sorts out-of-order nodes', async () => {
    const io = { inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('z', DT.FLOAT, [2])] };
    const dangling = encodeModel({ ...io, nodes: [node('Add', ['x', 'ghost'], ['z'])] });
    expect((await rejects(loadOnnx(dangling), ModelFormatError)).message).toContain("'ghost'");
    const dup = encodeModel({ ...io, nodes: [node('Relu', ['x'], ['z']), node('Neg', ['x'], ['z'])] });
    expect((await rejects(loadOnnx(dup), ModelFormatError)).message).toContain('defined twice');
    const cycle = encodeModel({ ...io, nodes: [node('Relu', ['b'], ['a']), node('Neg', ['a'], ['b']), node('Abs', ['x'], ['z'])] });
    expect((await rejects(loadOnnx(cycle), ModelFormatError)).message).toContain('cycle');
    const unsorted = encodeModel({ ...io, nodes: [node('Neg', ['y'], ['z'], [], { name: 'second' }), node('Relu', ['x'], ['y'], [], { name: 'first' })] });
    expect((await loadOnnx(unsorted)).nodes.map((n) => n.name)).toEqual(['first', 'second']);
    await rejects(loadOnnx(encodeModel({ ...io, nodes: [node('Relu', ['x'], ['y'])] })), ModelFormatError); // output z never produced
    const seq = encodeModel({ nodes: [node('Identity', ['s'], ['t'])], inputs: [{ name: 's', type: { sequence_type: { elem_type: { tensor_type: { elem_type: 1 } } } } }], outputs: [valueInfo('t', DT.FLOAT, [1])] });
    await rejects(loadOnnx(seq), DTypeError);
  });

  it('decodes attributes, TENSOR values and If subgraphs that read the outer scope', async () => {
    const branch = (op: string) => graphProto({ nodes: [node(op, ['x'], [`${op}_out`])], inputs: [], outputs: [valueInfo(`${op}_out`, DT.FLOAT, [2])] }, op);
    const m = encodeModel({
      inputs: [valueInfo('c', DT.BOOL, []), valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])],
      nodes: [
        node('Constant', [], ['k'], [attr.tensor('value', tensor('', DT.INT64, [2], { int64_data: [3, -4] }))]),
        node('If', ['c'], ['y'], [attr.graph('then_branch', branch('Relu')), attr.graph('else_branch', branch('Neg'))], { name: 'if' }),
        node('Foo', ['x'], ['unused'], [attr.ints('ints', [1, '-9223372036854775807']), attr.float('f', 0.5), attr.string('mode', 'linear'), attr.int('axis', -1)]),
      ],
    });
    const g = await loadOnnx(m);
    expect(g.nodes[0]!.attrs.value).toEqual({ kind: 'tensor', value: { dtype: 'int64', shape: [2], data: new Int32Array([3, -4]) } });
    const then = g.nodes[1]!.attrs.then_branch!;
    expect(then.kind).toBe('graph');
    if (then.kind === 'graph') expect(then.value.nodes[0]!.opType).toBe('Relu');
    expect(g.nodes[2]!.attrs).toEqual({ ints: { kind: 'ints', value: [1, -9223372036854775807] }, f: { kind: 'float', value: 0.5 }, mode: { kind: 'string', value: 'linear' }, axis: { kind: 'int', value: -1 } });
    const bad = encodeModel({ inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])],
      nodes: [node('Weird', ['x'], ['y'], [{ name: 'tp', type: 13, tp: { tensor_type: { elem_type: 1 } } }])] });
    await rejects(loadOnnx(bad), NodeError);
  });

  it('lists every unsupported node, subgraphs included, in one UnsupportedOpsError', async () => {
    const branch = graphProto({ nodes: [node('Mystery', ['x'], ['m'], [], { name: 'inner' })], inputs: [], outputs: [valueInfo('m', DT.FLOAT, [2])] });
    const g = await loadOnnx(encodeModel({
      inputs: [valueInfo('c', DT.BOOL, []), valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('z', DT.FLOAT, [2])], domains: { 'com.acme': 3 },
      nodes: [node('If', ['c'], ['y'], [attr.graph('then_branch', branch), attr.graph('else_branch', branch)], { name: 'if' }),
        node('Relu', ['y'], ['r'], [], { name: 'relu' }), node('Zap', ['r'], ['z'], [], { name: 'zap', domain: 'com.acme' })],
      opset: 13,
    }));
    const known = new Set([':If', ':Relu']);
    const e = await rejects(() => checkSupported(g, { lookup: (t, d) => known.has(`${d}:${t}`) || undefined }), UnsupportedOpsError);
    expect(e.nodes.map((n) => [n.name, n.opType, n.domain, n.opset])).toEqual([
      ['if.then_branch/inner', 'Mystery', '', 13], ['if.else_branch/inner', 'Mystery', '', 13], ['zap', 'Zap', 'com.acme', 3]]);
    expect(() => checkSupported(g, { lookup: () => true })).not.toThrow();
  });

  it('inlines model-local functions, resolving attribute references and nested calls', async () => {
    const ref = (name: string, refName: string, type: number) => ({ name, ref_attr_name: refName, type });
    const scale = { name: 'Scale', domain: 'local', input: ['a'], output: ['b'], attribute: ['alpha'], attribute_proto: [attr.float('beta', 0.25)],
      opset_import: [{ domain: '', version: 17 }],
      node: [node('Constant', [], ['k'], [ref('value_float', 'alpha', 1)], { name: 'c' }), node('Mul', ['a', 'k'], ['t'], [], { name: 'm' }),
        node('LeakyRelu', ['t'], ['b'], [ref('alpha', 'beta', 1)], { name: 'l' })] };
    const twice = { name: 'Twice', domain: 'local', input: ['p'], output: ['q'], opset_import: [{ domain: 'local', version: 1 }],
      node: [node('Scale', ['p'], ['mid'], [attr.float('alpha', 3)], { name: 's1', domain: 'local' }), node('Scale', ['mid'], ['q'], [attr.float('alpha', 5), attr.float('beta', 0.5)], { name: 's2', domain: 'local' })] };
    const g = await loadOnnx(encodeModel({
      inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])], functions: [scale, twice],
      nodes: [node('Twice', ['x'], ['y'], [], { name: 'call', domain: 'local' })],
    }));
    expect(g.nodes.map((n) => n.opType)).toEqual(['Constant', 'Mul', 'LeakyRelu', 'Constant', 'Mul', 'LeakyRelu']);
    expect(g.nodes[0]!.name).toBe('call#0/s1#1/c');
    expect(g.nodes[1]!.inputs).toEqual(['x', 'call#0/s1#1/k']);
    expect(g.nodes[2]!.outputs).toEqual(['call#0/mid']);
    expect(g.nodes[5]!.inputs).toEqual(['call#0/s2#2/t']);
    expect(g.nodes[5]!.outputs).toEqual(['y']);
    expect(g.nodes.map((n) => n.attrs.value_float ?? n.attrs.alpha)).toEqual([3, undefined, 0.25, 5, undefined, 0.5].map((v) => (v === undefined ? undefined : { kind: 'float', value: v })));
  });

  it.skipIf(listCases().length === 0)('loads every ONNX backend node test model or refuses it with a typed error', () => {
    let loaded = 0;
    for (const c of listCases()) {
      try { loadOnnxSync(loadCase(c).model); loaded++; } catch (e) {
        expect(e, c.name).toBeInstanceOf(WgmlError);
        expect((e as WgmlError).code, c.name).toMatch(/E_DTYPE|E_MODEL_FORMAT/);
      }
    }
    expect(loaded).toBeGreaterThan(800);
  });
});
