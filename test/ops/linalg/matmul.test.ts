import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, shapeSize, type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn, compareClose, testSeed } from '../../helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]): HostTensor => hostTensor('float32', shape, randn(r, shapeSize(shape)));
function node(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}): Node {
  return { name: `t_${opType}`, opType, domain: '', inputs: Array.from({ length: nIn }, (_, i) => `x${i}`), outputs: ['y'], attrs };
}
async function check(n: Node, inputs: (HostTensor | null)[], shape?: number[]): Promise<void> {
  const device = await testDevice();
  const [gpu] = await runNode(device, n, inputs);
  const [ref] = referenceNode(n, inputs);
  if (shape) expect(ref!.shape).toEqual(shape);
  expect(gpu!.shape).toEqual(ref!.shape);
  expect(compareClose(gpu!.data, ref!.data, 1e-4, 1e-4), `seed ${seed}`).toBeNull();
}
const i = (value: number): AttrValue => ({ kind: 'int', value });
const f = (value: number): AttrValue => ({ kind: 'float', value });
/** A wgml_epilogue program: input 0 is the product, steps are [op, ...args]. */
const epi = (inputs: number, steps: [string, ...number[]][]): AttrValue =>
  ({ kind: 'string', value: JSON.stringify({ opset: 17, inputs, steps: steps.map(([op, ...args]) => ({ op, args })) }) });

describe('MatMul', () => {
  const cases: [number[], number[], number[]][] = [
    [[37, 29], [29, 70], [37, 70]],         // odd sizes, not tile multiples, tile64 path
    [[5, 19], [19, 67], [5, 67]],           // small M: 16-row tiles
    [[1, 33], [33, 77], [1, 77]],           // M = 1: gemv
    [[33], [33, 9], [9]],                   // 1-D A squeezes M
    [[7, 33], [33], [7]],                   // 1-D B squeezes N
    [[2, 3, 17, 20], [20, 18], [2, 3, 17, 18]], // B broadcast over batch
    [[3, 1, 9, 20], [1, 4, 20, 18], [3, 4, 9, 18]], // both broadcast
    [[4, 1, 20], [2, 1, 20, 5], [2, 4, 1, 5]],  // gemv with batch broadcast
    [[0, 2, 3, 4], [1, 2, 4, 3], [0, 2, 3, 3]], // an empty batch: 1 and 0 broadcast to 0 (numpy), found by the fuzzer
  ];
  for (const [a, b, y] of cases) {
    it(`${JSON.stringify(a)} x ${JSON.stringify(b)}`, async () => { await check(node('MatMul', 2), [rand(a), rand(b)], y); });
  }
  it('fused relu + residual epilogue (tiled and gemv)', async () => {
    const n = node('MatMul', 3, { wgml_epilogue: epi(2, [['Add', 0, 1], ['Relu', 2]]) });
    await check(n, [rand([2, 21, 13]), rand([13, 30]), rand([2, 21, 30])]);
    await check(n, [rand([1, 40]), rand([40, 30]), rand([1, 30])]);
  });
  it('fused tanh without residual', async () => {
    await check(node('MatMul', 2, { wgml_epilogue: epi(1, [['Tanh', 0]]) }), [rand([65, 31]), rand([31, 66])]);
  });
  it('rejects mismatched inner dims with a NodeError', () => {
    expect(() => referenceNode(node('MatMul', 2), [rand([3, 4]), rand([5, 6])])).toThrow(/inner dims differ/);
  });
  it('Gemm refuses a C (or B) of another dtype by name (its kernel would not compile; found by the fuzzer, seed 101)', () => {
    expect(() => referenceNode(node('Gemm', 3), [rand([3, 4]), rand([4, 5]), hostTensor('int32', [5], [1, 2, 3, 4, 5])])).toThrow(/C is int32 but A and B are float32/);
    expect(() => referenceNode(node('Gemm', 2), [rand([3, 4]), hostTensor('int32', [4, 5], new Array(20).fill(1))])).toThrow(/A is float32 but B is int32/);
  });
});

describe('Gemm', () => {
  for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    it(`transA=${tA} transB=${tB}, alpha/beta, C [N]`, async () => {
      const M = 19, K = 23, N = 70;
      const n = node('Gemm', 3, { transA: i(tA!), transB: i(tB!), alpha: f(0.7), beta: f(-1.3) });
      await check(n, [rand(tA ? [K, M] : [M, K]), rand(tB ? [N, K] : [K, N]), rand([N])], [M, N]);
    });
  }
  it('C broadcasts as [M,1], [1,N], [M,N], scalar, and is optional', async () => {
    const A = rand([67, 9]), B = rand([9, 65]);
    for (const c of [[67, 1], [1, 65], [67, 65], []]) await check(node('Gemm', 3, { beta: f(0.5) }), [A, B, rand(c)]);
    await check(node('Gemm', 2), [A, B]);
  });
  it('classifier head: M=1, transB=1 with bias and fused residual + sigmoid', async () => {
    const n = node('Gemm', 4, { transB: i(1), wgml_epilogue: epi(2, [['Add', 0, 1], ['Sigmoid', 2]]) });
    await check(n, [rand([1, 130]), rand([10, 130]), rand([10]), rand([1, 10])]);
    // no C: input 2 is empty and the residual is input 3
    await check({ ...node('Gemm', 4, { transB: i(1), wgml_epilogue: epi(2, [['Add', 1, 0]]) }), inputs: ['x0', 'x1', '', 'x3'] }, [rand([3, 130]), rand([10, 130]), null, rand([3, 10])]);
  });
});
