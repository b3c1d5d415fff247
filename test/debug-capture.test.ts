import { describe, it, expect } from 'vitest';
import { debugRun, analyze } from '../src/debug/capture.js';
import { tensorStats, explosion, histogram } from '../src/debug/stats.js';
import { loadGraph } from '../src/runtime/library.js';
import { createPipeline } from '../src/runtime/pipeline.js';
import { referenceNode } from '../src/runtime/single.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { ResourceStateError } from '../src/errors.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, compareClose, testSeed } from './helpers/random.js';
import { chainModel, explodeModel, nanModel } from './fixtures/debug/models.js';

const seed = testSeed();

describe('debug statistics', () => {
  it('counts NaN/Inf apart and computes moments over finite values', () => {
    const s = tensorStats([1, 2, NaN, Infinity, -Infinity, 3]);
    expect(s).toMatchObject({ count: 6, nan: 1, inf: 2, min: 1, max: 3, mean: 2, absMax: 3 });
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 3), 6);
    expect(tensorStats([NaN]).mean).toBeNull();
  });
  it('flags explosions only past the factor', () => {
    const a = tensorStats([1, -2]), big = tensorStats([3000]), ok = tensorStats([50]);
    expect(explosion([a], big)).toBeCloseTo(1500);
    expect(explosion([a], ok)).toBeNull();
    const h = histogram([0, 1, 2, 3, NaN], 3);
    expect(h.counts).toEqual([1, 1, 2]);
    expect(h.nan).toBe(1);
  });
});

describe('debugRun', () => {
  it('captures every intermediate 1:1 with the ONNX nodes and matches the CPU references', async () => {
    const device = await testDevice();
    const { graph } = await loadGraph(chainModel());
    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16));
    const cap = await debugRun(device, graph, { x });
    expect(cap.nodes.map((n) => n.name)).toEqual(graph.nodes.map((n) => n.name));
    // every intermediate equals the node's CPU reference applied to the captured inputs (seed ${seed})
    const env = new Map<string, HostTensor>([...graph.initializers, ['x', x]]);
    for (const n of graph.nodes) {
      const [ref] = referenceNode(n, n.inputs.map((i) => env.get(i)!), 17);
      env.set(n.outputs[0]!, ref!);
      expect(compareClose(cap.values.get(n.outputs[0]!)!.data, ref!.data, 1e-4, 1e-5), `${n.name} seed ${seed}`).toBeNull();
    }
    expect(cap.firstBad).toBeNull();
    const h = cap.nodes.find((n) => n.name === 'attn')!.outputs[0]!;
    expect(h.place.kind).toBe('heap');
    expect(h.stats.min).toBeGreaterThanOrEqual(0);
    expect(h.stats.max).toBeLessThanOrEqual(1);
  });

  it('names the planted Pow that makes NaN and the planted Mul that explodes', async () => {
    const device = await testDevice();
    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16));
    const nan = await debugRun(device, (await loadGraph(nanModel())).graph, { x });
    expect(nan.firstBad?.name, `seed ${seed}`).toBe('sqrt_planted');
    expect(nan.firstBad?.reason).toMatch(/NaN/);
    const boom = await debugRun(device, (await loadGraph(explodeModel())).graph, { x });
    expect(boom.firstBad?.name, `seed ${seed}`).toBe('combine_planted');
    expect(boom.firstBad?.reason).toMatch(/explodes/);
    expect(analyze(boom.program, boom.values, { factor: 1e12 }).firstBad).toBeNull();
  });

  it('refuses a pipeline that reuses heap memory', async () => {
    const device = await testDevice();
    const { graph } = await loadGraph(chainModel());
    const p = await createPipeline(device, graph, { fuse: false });
    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16));
    await expect(debugRun(device, p, { x })).rejects.toBeInstanceOf(ResourceStateError);
    p.destroy();
    const q = await createPipeline(device, graph, { fuse: false, noReuse: true });
    const cap = await debugRun(device, q, { x });
    expect(cap.values.get('p')!.data.length).toBe(16);
    q.destroy();
  });
});
