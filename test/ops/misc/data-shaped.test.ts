// NonZero and Compress fold where their inputs are compile-time constants, and are refused with the reason
// where the output's size would depend on run-time values. Expected values follow numpy's nonzero and compress.
import { describe, it, expect } from 'vitest';
import * as wgml from '../../../src/index.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { graph, node, f32, int } from '../../helpers/graph.js';

describe('ops whose output size depends on values', () => {
  it('fold on constants: NonZero of a constant mask feeding a Gather, Compress along an axis and flattened', async () => {
    const mask = hostTensor('bool', [2, 3], [0, 1, 0, 1, 0, 1]);
    const table = hostTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const g = graph([f32('x', [4])], [{ name: 'nz', dtype: 'int64', shape: [2, 3] }, f32('ax', [2, 2]), f32('flat', [3]), f32('y', [3])], [
      node('NonZero', ['mask'], ['nz']),
      node('Compress', ['table', 'keep'], ['ax'], { axis: int(-1) }),
      node('Compress', ['table', 'keep'], ['flat']),
      // the constant indices NonZero found pick from a run-time input
      node('Gather', ['nz', 'one'], ['cols'], { axis: int(0) }), node('Gather', ['x', 'cols'], ['y']),
    ], { mask, table, keep: hostTensor('bool', [3], [1, 0, 1]), one: hostTensor('int64', [], [1]) }, 13);
    const out = await wgml.runModel(await testDevice(), g, { x: hostTensor('float32', [4], [10, 11, 12, 13]) });
    expect(Array.from(out.nz!.data)).toEqual([0, 1, 1, 1, 0, 2]); // np.nonzero: rows [0, 1, 1], columns [1, 0, 2]
    expect(Array.from(out.ax!.data)).toEqual([1, 3, 4, 6]);
    expect(Array.from(out.flat!.data)).toEqual([1, 3]);
    expect(Array.from(out.y!.data)).toEqual([11, 10, 12]);
  });

  it('are refused, naming the node, where the size depends on run-time values', async () => {
    const device = await testDevice();
    const nz = graph([f32('x', [4])], [{ name: 'y', dtype: 'int64', shape: [1, 4] }], [node('NonZero', ['x'], ['y'], {}, 'nz')], {}, 13);
    await expect(wgml.runModel(device, nz, { x: hostTensor('float32', [4], [0, 1, 0, 1]) })).rejects.toThrow(/'nz' \(NonZero\): its output size depends on the values of input 0 \('x'\), known only at run time/);
    const cmp = graph([f32('x', [3])], [f32('y', [2])], [node('Compress', ['x', 'keep'], ['y'], {}, 'cmp')], { keep: hostTensor('bool', [3], [1, 0, 1]) }, 13);
    await expect(wgml.runModel(device, cmp, { x: hostTensor('float32', [3], [1, 2, 3]) })).rejects.toThrow(/'cmp' \(Compress\): input 0 \('x'\) is known only at run time.*\n.*a Gather of the kept indices/);
  });

  it('several such nodes are refused at once, each named, and what reads them is not reported', async () => {
    // A detector's post-processing holds many NonZero nodes on run-time scores: the user learns of all of them at once.
    const g = graph([f32('x', [4]), f32('s', [3])], [{ name: 'y', dtype: 'int64', shape: [1, 4] }, { name: 'z', dtype: 'int64', shape: [1, 3] }, f32('w', [2])], [
      node('NonZero', ['x'], ['y'], {}, 'nz_boxes'), node('NonZero', ['s'], ['z'], {}, 'nz_scores'),
      node('Cast', ['z'], ['zf'], { to: int(1) }, 'reads_nz'), node('Compress', ['s', 'keep'], ['w'], {}, 'cmp'),
    ], { keep: hostTensor('bool', [3], [1, 0, 1]) }, 13);
    const err = await wgml.runModel(await testDevice(), g, { x: hostTensor('float32', [4], [0, 1, 0, 1]), s: hostTensor('float32', [3], [1, 0, 1]) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpsError);
    expect((err as UnsupportedOpsError).nodes.map((n) => n.name)).toEqual(['nz_boxes', 'nz_scores', 'cmp']);
    expect((err as Error).message).toMatch(/nz_scores: NonZero \(opset 13\): its output size depends on the values of input 0 \('s'\), known only at run time: use a mask/);
  });
});
