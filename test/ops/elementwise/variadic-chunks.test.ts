/**
 * Sum / Mean / Max / Min with more inputs than a dispatch can bind: the chunked fold (Y folded with
 * the next chunk, read and written through one binding) against the CPU reference.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, shapeSize, type HostTensor } from '../../../src/ir/types.js';
import { requestDevice } from '../../../src/gpu/device.js';
import { deviceCaps, referenceNode, runNode } from '../../../src/runtime/single.js';
import { runModel } from '../../../src/runtime/run.js';
import { testDevice, drainUncapturedErrors } from '../../helpers/gpu.js';
import { rng, randn, randInt, testSeed, compareClose } from '../../helpers/random.js';
import { gpuMatchesRef, node } from '../helpers.js';
import { f32, graph } from '../../helpers/graph.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shapeSize(shape)));

/** n inputs of `shape`, every 7th one broadcast along the first axis, one scalar. */
function inputs(n: number, shape: number[], make = rand): HostTensor[] {
  return Array.from({ length: n }, (_, k) => make(k === 5 ? [] : k % 7 === 3 ? [1, ...shape.slice(1)] : shape));
}

describe(`variadic ops over many inputs (seed ${seed})`, () => {
  it('the test device binds fewer storage buffers than 20 inputs need, so these cases chunk', async () => {
    expect(deviceCaps(await testDevice()).maxStorageBuffersPerShaderStage).toBeLessThan(21);
  });

  for (const op of ['Sum', 'Mean', 'Max', 'Min']) for (const n of [20, 30]) {
    it(`${op} of ${n} inputs (vec4 and broadcast paths)`, async () => {
      await gpuMatchesRef(node(op, n), inputs(n, [3, 8]), { rtol: 1e-5, atol: 1e-6 });
      await gpuMatchesRef(node(op, n), inputs(n, [3, 5]), { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it('integer Sum (exact, wrapping) and Max with a NaN in the last chunk', async () => {
    const ints = inputs(23, [2, 6], (s) => hostTensor('int32', s, randInt(r, shapeSize(s), -(2 ** 30), 2 ** 30)));
    await gpuMatchesRef(node('Sum', 23), ints, { rtol: 0, atol: 0 });
    const xs = inputs(20, [4, 4]);
    xs[18]!.data[3] = NaN;
    const [want] = await gpuMatchesRef(node('Max', 20), xs);
    expect(Number.isNaN(want!.data[3]!)).toBe(true);
  });

  it('a device limited to 4 storage buffers: 3 inputs per dispatch, 7 dispatches for 20 inputs', async () => {
    const small = await requestDevice({ quiet: true, limits: { maxStorageBuffersPerShaderStage: 4 } });
    for (const op of ['Mean', 'Sum']) {
      const xs = inputs(20, [2, 4]);
      const n = node(op, 20);
      small.pushErrorScope('validation');
      const [got] = await runNode(small, n, xs);
      expect(await small.popErrorScope()).toBeNull();
      const [want] = referenceNode(n, xs);
      expect(compareClose(got!.data, want!.data, 1e-5, 1e-6), `${op} seed ${seed}`).toBeNull();
    }
    small.destroy();
  });

  it('in a network (inputs bound read_write, one input repeated inside a chunk): Sum and Mean of 20', async () => {
    const device = await testDevice();
    const names = Array.from({ length: 18 }, (_, k) => `x${k}`);
    const feeds = Object.fromEntries(names.map((nm) => [nm, rand([2, 8])]));
    const ins = [...names, 'x0', 'x1'];
    const g = graph(names.map((nm) => f32(nm, [2, 8])), [f32('s', [2, 8]), f32('m', [2, 8])], [
      { name: 'sum', opType: 'Sum', domain: '', inputs: ['x3', ...ins.slice(1)], outputs: ['s'], attrs: {} },
      { name: 'mean', opType: 'Mean', domain: '', inputs: ins, outputs: ['m'], attrs: {} },
    ]);
    const out = await runModel(device, g, feeds);
    expect(drainUncapturedErrors()).toEqual([]);
    const [s] = referenceNode(g.nodes[0]!, g.nodes[0]!.inputs.map((x) => feeds[x]!));
    const [m] = referenceNode(g.nodes[1]!, ins.map((x) => feeds[x]!));
    expect(compareClose(out.s!.data, s!.data, 1e-5, 1e-6), `seed ${seed}`).toBeNull();
    expect(compareClose(out.m!.data, m!.data, 1e-5, 1e-6), `seed ${seed}`).toBeNull();
  });
});
