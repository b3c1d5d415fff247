/**
 * GEMM weights over maxStorageBufferBindingSize are split into column blocks (passes/split-wide-weights.ts):
 * torchvision's AlexNet and VGG have a first Linear of 151 MB and 411 MB, over the 128 MiB one binding
 * holds on lavapipe. Here a device held to 64 KiB per binding runs small Gemm/MatMul nodes whose weights
 * are over it, against plain loops.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as wgml from '../src/index.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { graph, node, f32, int, flt } from './helpers/graph.js';
import { rng, randn, testSeed, compareClose } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const LIMIT = 1 << 16;
let device: GPUDevice | null = null;
const small = async () => (device ??= await wgml.requestDevice({ limits: { maxStorageBufferBindingSize: LIMIT }, quiet: true }));
afterAll(() => device?.destroy());

/** y[m, n] = alpha · Σk x[m, k] w(k, n) + beta · c(m, n) */
function gemm(x: HostTensor, M: number, K: number, N: number, w: (k: number, n: number) => number, alpha = 1, c?: (m: number, n: number) => number, beta = 1): Float32Array {
  const y = new Float32Array(M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += x.data[m * K + k]! * w(k, n);
    y[m * N + n] = alpha * s + (c ? beta * c(m, n) : 0);
  }
  return y;
}

async function check(g: wgml.Graph, x: HostTensor, want: Float32Array, blocks: number): Promise<void> {
  const d = await small();
  const plan = planNetwork(d, g, { inputDimensions: { x: x.shape } });
  expect(plan.nodes.filter((n) => /\/cols\d+-\d+$/.test(n.name)).length, 'column blocks').toBe(blocks);
  const { y } = await wgml.runModel(d, g, { x });
  expect(compareClose(y!.data, want, 1e-4, 1e-5), `seed ${seed}`).toBeNull();
}

describe('GEMM weights over one storage binding are split by columns', () => {
  it('Gemm transB=1 (a torch Linear) with a bias, then Relu', async () => {
    const [M, K, N] = [2, 96, 300]; // W is 115200 bytes: two blocks
    const x = hostTensor('float32', [M, K], randn(r, M * K));
    const W = hostTensor('float32', [N, K], randn(r, N * K, 0.1)), B = hostTensor('float32', [N], randn(r, N));
    const g = graph([f32('x', [M, K])], [f32('y', [M, N])], [
      node('Gemm', ['x', 'W', 'B'], ['h'], { transB: int(1) }, 'fc'),
      node('Relu', ['h'], ['y'], {}, 'relu'),
    ], { W, B });
    const want = gemm(x, M, K, N, (k, n) => W.data[n * K + k]!, 1, (_, n) => B.data[n]!).map((v) => Math.max(0, v));
    await check(g, x, want, 2);
  });

  it('Gemm transB=0 with alpha, beta and a [M, N] C', async () => {
    const [M, K, N] = [3, 40, 1000]; // W is 160000 bytes: three blocks
    const x = hostTensor('float32', [M, K], randn(r, M * K));
    const W = hostTensor('float32', [K, N], randn(r, K * N, 0.1)), C = hostTensor('float32', [M, N], randn(r, M * N));
    const g = graph([f32('x', [M, K])], [f32('y', [M, N])], [node('Gemm', ['x', 'W', 'C'], ['y'], { alpha: flt(0.5), beta: flt(2) }, 'fc')], { W, C });
    await check(g, x, gemm(x, M, K, N, (k, n) => W.data[k * N + n]!, 0.5, (m, n) => C.data[m * N + n]!, 2), 3);
  });

  it('batched MatMul by a constant [K, N]', async () => {
    const [K, N] = [64, 500]; // W is 128000 bytes: two blocks
    const x = hostTensor('float32', [3, 2, K], randn(r, 6 * K));
    const W = hostTensor('float32', [K, N], randn(r, K * N, 0.1));
    const g = graph([f32('x', [3, 2, K])], [f32('y', [3, 2, N])], [node('MatMul', ['x', 'W'], ['y'], {}, 'proj')], { W });
    await check(g, x, gemm(x, 6, K, N, (k, n) => W.data[k * N + n]!), 2);
  });
});
