/**
 * Every elementwise op: GPU kernel vs its CPU reference on fresh seeded random inputs over several
 * broadcast patterns and dtypes (test/ops/elementwise/corner-cases.test.ts covers NaN/Inf/0 and spec corner cases).
 */
import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import type { AttrValue, ElemType, HostTensor, Node } from '../../../src/ir/types.js';
import { hostTensor, shapeSize } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { lookupOp } from '../../../src/ops/registry.js';
import { inferContext } from '../../../src/runtime/single.js';
import { Attrs } from '../../../src/ir/attrs.js';
import { rng, randn, randInt, compareClose, testSeed } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);

type Gen = (shape: number[], dtype: ElemType, k: number) => HostTensor;
const gen: Gen = (shape, dtype) => {
  const n = shapeSize(shape);
  if (dtype === 'bool') return hostTensor(dtype, shape, randInt(r, n, 0, 1));
  if (dtype === 'uint32') return hostTensor(dtype, shape, randInt(r, n, 0, 40));
  if (dtype === 'int32' || dtype === 'int64' || dtype === 'int8') return hostTensor(dtype, shape, randInt(r, n, -20, 20));
  return hostTensor(dtype, shape, randn(r, n, 2));
};
const positive: Gen = (shape, dtype) => { const t = gen(shape, dtype, 0); t.data.forEach((v, i) => (t.data[i] = Math.abs(v) + 0.05)); return t; };
const nonzero: Gen = (shape, dtype, k) => { const t = gen(shape, dtype, k); if (k === 1) t.data.forEach((v, i) => (t.data[i] = v === 0 ? 3 : v)); return t; };

export function node(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, domain = ''): Node {
  return { name: `${opType.toLowerCase()}_0`, opType, domain, inputs: Array.from({ length: nIn }, (_, i) => `x${i}`), outputs: ['y'], attrs };
}

/** Run on GPU and CPU and compare; exact for integers, rtol for floats. */
async function check(n: Node, inputs: (HostTensor | null)[], opset: number, rtol: number): Promise<void> {
  const device = await testDevice();
  const [ref] = referenceNode(n, inputs, opset);
  const [gpu] = await runNode(device, n, inputs, { opset });
  const what = `${n.opType} ${JSON.stringify(n.attrs)} on ${inputs.map((t) => (t ? `${t.dtype}[${t.shape}]` : '-')).join(', ')} (WGML_SEED=${seed})`;
  expect(gpu!.shape, what).toEqual(ref!.shape);
  expect(gpu!.dtype, what).toEqual(ref!.dtype);
  if (ref!.data instanceof Float32Array) expect(compareClose(gpu!.data, ref!.data, rtol, rtol / 10), what).toBeNull();
  else expect(Array.from(gpu!.data), what).toEqual(Array.from(ref!.data));
}

const EXACT = 1e-5, TRANS = 1e-4;
const UNARY_SHAPES = [[4, 8], [3, 5], [0, 3], [], [2, 3, 1, 5]];

interface UnaryCase { op: string; dtypes: ElemType[]; attrs?: Record<string, AttrValue>; opset?: number; gen?: Gen; tol?: number }
const f = (value: number): AttrValue => ({ kind: 'float', value });
const int = (value: number): AttrValue => ({ kind: 'int', value });
const UNARY: UnaryCase[] = [
  { op: 'Relu', dtypes: ['float32', 'int32'], opset: 14, tol: EXACT },
  { op: 'LeakyRelu', dtypes: ['float32'], attrs: { alpha: f(0.3) } },
  { op: 'Elu', dtypes: ['float32'], attrs: { alpha: f(0.7) } },
  { op: 'Selu', dtypes: ['float32'] },
  { op: 'Sigmoid', dtypes: ['float32'] },
  { op: 'HardSigmoid', dtypes: ['float32'], attrs: { alpha: f(0.3), beta: f(0.4) } },
  { op: 'HardSwish', dtypes: ['float32'] },
  { op: 'Tanh', dtypes: ['float32'] },
  { op: 'Erf', dtypes: ['float32'] },
  { op: 'Exp', dtypes: ['float32'] },
  { op: 'Log', dtypes: ['float32'], gen: positive },
  { op: 'Sqrt', dtypes: ['float32'], gen: positive },
  { op: 'Reciprocal', dtypes: ['float32'], gen: positive },
  { op: 'Neg', dtypes: ['float32', 'int32'], tol: EXACT },
  { op: 'Abs', dtypes: ['float32', 'int32', 'uint32'], tol: EXACT },
  { op: 'Floor', dtypes: ['float32'], tol: EXACT },
  { op: 'Ceil', dtypes: ['float32'], tol: EXACT },
  { op: 'Round', dtypes: ['float32'], tol: EXACT },
  { op: 'Sign', dtypes: ['float32', 'int32', 'uint32'], tol: EXACT },
  { op: 'Sin', dtypes: ['float32'] },
  { op: 'Cos', dtypes: ['float32'] },
  { op: 'Softplus', dtypes: ['float32'] },
  { op: 'Softsign', dtypes: ['float32'] },
  { op: 'Not', dtypes: ['bool'] },
  { op: 'Identity', dtypes: ['float32', 'int32', 'bool'], tol: EXACT },
  { op: 'Gelu', dtypes: ['float32'], opset: 20 },
  { op: 'Gelu', dtypes: ['float32'], opset: 20, attrs: { approximate: { kind: 'string', value: 'tanh' } } },
  { op: 'IsNaN', dtypes: ['float32'] },
  { op: 'IsInf', dtypes: ['float32'], attrs: { detect_negative: int(0) } },
  { op: 'Mish', dtypes: ['float32'], opset: 18 },
];

describe(`unary elementwise ops vs CPU reference (WGML_SEED=${seed})`, () => {
  for (const c of UNARY) {
    it(`${c.op} ${c.dtypes.join('/')} ${c.attrs ? JSON.stringify(c.attrs) : ''}`, async () => {
      for (const dtype of c.dtypes) {
        for (const shape of UNARY_SHAPES) {
          await check(node(c.op, 1, c.attrs), [(c.gen ?? gen)(shape, dtype, 0)], c.opset ?? 17, c.tol ?? TRANS);
        }
      }
    });
  }
});

/** Broadcast patterns: same shape (vec4 and scalar path), scalar, row, column, rank mismatch, size-1 dims, zero-size. */
const PAIRS: [number[], number[]][] = [
  [[4, 8], [4, 8]], [[3, 5], [3, 5]], [[3, 4], []], [[], [5]], [[3, 4], [4]], [[3, 1], [1, 4]],
  [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[0, 4], [4]], [[1], [2, 3, 1, 5]], [[2, 1, 3, 1, 1, 2, 2, 2, 2], [4, 1, 1, 1, 1, 1, 1, 1]],
];

interface BinaryCase { op: string; dtypes: ElemType[]; attrs?: Record<string, AttrValue>; opset?: number; gen?: Gen; tol?: number }
const NUM: ElemType[] = ['float32', 'int32', 'uint32'];
const BINARY: BinaryCase[] = [
  { op: 'Add', dtypes: NUM, tol: EXACT },
  { op: 'Sub', dtypes: NUM, tol: EXACT },
  { op: 'Mul', dtypes: NUM, tol: EXACT },
  { op: 'Div', dtypes: NUM, tol: EXACT, gen: nonzero },
  { op: 'Max', dtypes: NUM, tol: EXACT },
  { op: 'Min', dtypes: NUM, tol: EXACT },
  { op: 'Sum', dtypes: NUM, tol: EXACT },
  { op: 'Mean', dtypes: ['float32'], tol: EXACT },
  { op: 'Mod', dtypes: ['int32', 'uint32'], gen: nonzero },
  { op: 'Mod', dtypes: ['int32', 'float32'], attrs: { fmod: int(1) }, gen: nonzero, tol: EXACT },
  { op: 'Equal', dtypes: ['int32', 'bool', 'float32'] },
  { op: 'Less', dtypes: NUM },
  { op: 'LessOrEqual', dtypes: NUM, opset: 16 },
  { op: 'Greater', dtypes: NUM },
  { op: 'GreaterOrEqual', dtypes: NUM, opset: 16 },
  { op: 'And', dtypes: ['bool'] },
  { op: 'Or', dtypes: ['bool'] },
  { op: 'Xor', dtypes: ['bool'] },
  { op: 'BitShift', dtypes: ['uint32', 'uint8'], attrs: { direction: { kind: 'string', value: 'LEFT' } } },
  { op: 'BitShift', dtypes: ['uint32'], attrs: { direction: { kind: 'string', value: 'RIGHT' } } },
];

describe(`binary elementwise ops with broadcasting vs CPU reference (WGML_SEED=${seed})`, () => {
  for (const c of BINARY) {
    it(`${c.op} ${c.dtypes.join('/')} ${c.attrs ? JSON.stringify(c.attrs) : ''}`, async () => {
      for (const dtype of c.dtypes) {
        for (const [a, b] of PAIRS) {
          const g = c.gen ?? gen;
          await check(node(c.op, 2, c.attrs), [g(a, dtype, 0), g(b, dtype, 1)], c.opset ?? 17, c.tol ?? EXACT);
        }
      }
    });
  }

  it('Pow: float base with float and int exponents, int base with int and float exponents', async () => {
    for (const [a, b] of PAIRS) {
      await check(node('Pow', 2), [positive(a, 'float32', 0), gen(b, 'float32', 1)], 15, TRANS);
      await check(node('Pow', 2), [gen(a, 'float32', 0), hostTensor('int32', b, randInt(r, shapeSize(b), -3, 4))], 15, TRANS);
      await check(node('Pow', 2), [hostTensor('int32', a, randInt(r, shapeSize(a), -6, 6)), hostTensor('int32', b, randInt(r, shapeSize(b), -2, 7))], 15, EXACT);
    }
    await check(node('Pow', 2), [hostTensor('int32', [4], [2, 4, 9, 3]), hostTensor('float32', [4], [0.5, 0.5, 0.5, 2])], 15, EXACT);
  });

  it('PRelu: slope broadcast to X, float and int', async () => {
    for (const [x, s] of [[[2, 3, 4], [3, 1]], [[2, 3, 4], [4]], [[2, 3, 4], []], [[3, 4], [3, 4]], [[0, 4], [4]]] as [number[], number[]][]) {
      await check(node('PRelu', 2), [gen(x, 'float32', 0), gen(s, 'float32', 1)], 16, EXACT);
      await check(node('PRelu', 2), [gen(x, 'int32', 0), gen(s, 'int32', 1)], 16, EXACT);
    }
    expect(() => referenceNode(node('PRelu', 2), [gen([3], 'float32', 0), gen([2, 3], 'float32', 1)], 16)).toThrow(/does not broadcast to X/);
  });

  it('variadic Sum/Max/Min/Mean with 1, 3 and 4 inputs', async () => {
    for (const op of ['Sum', 'Max', 'Min', 'Mean']) {
      await check(node(op, 1), [gen([3, 4], 'float32', 0)], 13, EXACT);
      await check(node(op, 3), [gen([2, 3, 4], 'float32', 0), gen([4], 'float32', 1), gen([3, 1], 'float32', 2)], 13, EXACT);
      await check(node(op, 4), [gen([4, 4], 'float32', 0), gen([4, 4], 'float32', 1), gen([], 'float32', 2), gen([4, 4], 'float32', 3)], 13, EXACT);
    }
  });

  it('refuses shapes that do not broadcast and dtypes the op does not define', () => {
    expect(() => referenceNode(node('Add', 2), [gen([3, 4], 'float32', 0), gen([3], 'float32', 1)])).toThrow(/do not broadcast/);
    expect(() => referenceNode(node('Add', 2), [gen([3], 'float32', 0), gen([3], 'int32', 1)])).toThrow(/share one dtype/);
    expect(() => referenceNode(node('Sqrt', 1), [gen([3], 'int32', 0)])).toThrow(/does not accept/);
    expect(() => referenceNode(node('Mod', 2), [gen([3], 'float32', 0), gen([3], 'float32', 1)])).toThrow(/fmod = 1/);
  });

  it('refuses (at plan time, naming the node) broadcasts over more than 8 non-mergeable dims', async () => {
    const device = await testDevice();
    const a = gen([2, 1, 2, 1, 2, 1, 2, 1, 2], 'float32', 0), b = gen([2, 1, 2, 1, 2, 1, 2, 1], 'float32', 1);
    expect(referenceNode(node('Add', 2), [a, b])[0]!.shape).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2]);
    await expect(runNode(device, node('Add', 2), [a, b])).rejects.toThrow(/add_0.*9 non-mergeable dims/s);
  });
});

describe(`Where, Clip, Cast vs CPU reference (WGML_SEED=${seed})`, () => {
  it('Where broadcasts condition, X and Y', async () => {
    const trip: number[][][] = [[[4, 8], [4, 8], [4, 8]], [[3, 1], [1, 4], []], [[2, 1, 4], [3, 1], [2, 3, 4]], [[0, 3], [3], [1]], [[3, 5], [3, 5], [3, 5]]];
    for (const [c, x, y] of trip) {
      for (const dtype of ['float32', 'int32', 'bool'] as ElemType[]) {
        await check(node('Where', 3), [gen(c!, 'bool', 0), gen(x!, dtype, 1), gen(y!, dtype, 2)], 16, EXACT);
      }
    }
  });

  it('Clip: attributes before opset 11, optional runtime inputs from 11 (with omitted ones)', async () => {
    for (const shape of [[4, 8], [3, 5], [0, 2], []]) {
      await check(node('Clip', 1, { min: f(-0.5), max: f(0.8) }), [gen(shape, 'float32', 0)], 6, EXACT);
      await check(node('Clip', 1, { max: f(0.1) }), [gen(shape, 'float32', 0)], 6, EXACT);
      const lo = hostTensor('float32', [], [-0.7]), hi = hostTensor('float32', [], [1.1]);
      await check(node('Clip', 3), [gen(shape, 'float32', 0), lo, hi], 13, EXACT);
      await check({ ...node('Clip', 3), inputs: ['x0', '', 'x2'] }, [gen(shape, 'float32', 0), null, hi], 13, EXACT);
      await check({ ...node('Clip', 2) }, [gen(shape, 'float32', 0), lo], 13, EXACT);
      await check(node('Clip', 3), [gen(shape, 'int32', 0), hostTensor('int32', [1], [-3]), hostTensor('int32', [], [5])], 13, EXACT);
      await check(node('Clip', 1), [gen(shape, 'float32', 0)], 13, EXACT);
    }
  });

  it('Cast between float, int, uint, bool and narrow types', async () => {
    const codes: Record<string, number> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, uint32: 12, bfloat16: 16 };
    const from: ElemType[] = ['float32', 'int32', 'uint32', 'bool'];
    for (const src of from) {
      for (const [to, code] of Object.entries(codes)) {
        for (const shape of [[4, 8], [3, 5], [0]]) {
          const x = gen(shape, src, 0);
          if (src === 'float32') x.data.forEach((v, i) => (x.data[i] = v * 100));
          if (src === 'uint32') x.data.forEach((v, i) => (x.data[i] = v * 100_000_007));
          if (src === 'int32') x.data.forEach((v, i) => (x.data[i] = v * 13_000_001));
          await check(node('Cast', 1, { to: int(code) }), [x], 13, 0);
        }
        void to;
      }
    }
  });
});

describe('kernel plans', () => {
  const caps = { f16: false, subgroups: false, subgroupMatrix: false, maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 8,
    maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535 };
  function plan(opType: string, shapes: number[][], dtype: ElemType = 'float32') {
    const n = node(opType, shapes.length);
    const op = lookupOp(opType, '', 17)!;
    const a = op.attrs(new Attrs(n), 17);
    const ictx = inferContext(n, shapes.map((shape) => ({ dtype, shape })), () => undefined, 17);
    const p = op.gpu!({ ...ictx, outputs: op.infer(ictx, a), caps }, a);
    if (typeof p === 'string') throw new Error(p);
    return p.kernels;
  }
  it('pipeline keys depend on formula, dtypes and read modes, not on shapes', () => {
    const k = (opType: string, shapes: number[][], dtype?: ElemType) => plan(opType, shapes, dtype)[0]!.key;
    expect(k('Add', [[3, 4], [4]])).toBe(k('Add', [[7, 5, 9], [1, 9]]));
    expect(k('Add', [[4, 8], [4, 8]])).toBe(k('Add', [[64, 64], [64, 64]])); // vec4 path
    expect(k('Add', [[3, 5], [3, 5]])).toBe(k('Add', [[7], [7]]));
    expect(k('Add', [[4, 8], [4, 8]])).not.toBe(k('Add', [[3, 5], [3, 5]]));
    expect(k('Add', [[3, 4], [4]])).not.toBe(k('Add', [[3, 4], [4]], 'int32'));
    expect(k('Add', [[3, 4], [4]])).not.toBe(k('Sub', [[3, 4], [4]]));
  });
  it('zero-size outputs dispatch nothing; big outputs fold the grid into 2D', () => {
    expect(plan('Add', [[0, 4], [4]])).toEqual([]);
    expect(plan('Neg', [[65535 * 64 * 3 + 1]])[0]!.workgroups).toEqual([49152, 4, 1]); // 196606 groups of 64
  });
});

describe('kernel grid', () => {
  it('folds more than 65535 workgroups into 2D', async () => {
    const n = 65535 * 64 + 7; // odd: scalar path, one element per invocation
    await check(node('Neg', 1), [gen([n], 'float32', 0)], 13, 0);
  });
});
