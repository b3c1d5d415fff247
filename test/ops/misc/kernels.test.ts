/** wgml.Copy declared through a signature (issue #14): its WGSL in both binding modes, and a copy under one shared bind group. */
import { describe, it, expect } from 'vitest';
import { hostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randInt, testSeed } from '../../helpers/random.js';
import { groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const seed = testSeed();
const copy: Node = { name: 'copy_t', opType: 'Copy', domain: 'wgml', inputs: ['x'], outputs: ['y'], attrs: {} };

describe('misc kernels, declared', () => {
  it('generate their declarations in both binding modes (Copy)', () => {
    const [k] = planNode(copy, [hostTensor('int32', [6])]).kernels;
    expect(k!.key).toBe('copy_i32');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('copy word for word under one shared bind group', async () => {
    const x = hostTensor('int32', [3, 100], randInt(rng(seed), 300, -1e9, 1e9));
    const [y] = await runShared(await testDevice(), copy, [x]);
    expect(Array.from(y!.data), `seed ${seed}`).toEqual(Array.from(x.data));
  });
});
