/**
 * Linalg-family kernels declared through signatures (issue #14): the WGSL both binding modes generate
 * (snapshot of the workgroup reduction, whose barriers must stay in uniform control flow although the
 * shared mode's parameters are a private copy), and every converted kernel (reductions, ArgMax/ArgMin,
 * Hardmax, TopK, Einsum, MeanVarianceNormalization, the LSTM/GRU/RNN init, step and finish kernels,
 * the GEMM tile/GEMV/split-reduce/LayerNorm-reduce kernels and the row kernels of the norms, GroupNormalization
 * included, and softmaxes) run under one shared bind group against the op's CPU reference.
 */
import { describe, it, expect } from 'vitest';
import { referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type HostTensor, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose, rng, randInt, testSeed, randomTensors } from '../../helpers/random.js';
import { groupsWgsl, planNode, runShared, sharedWgsl } from '../../helpers/declared.js';

const seed = testSeed();
const r = rng(seed);
const int = (value: number): AttrValue => ({ kind: 'int', value });
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const str = (value: string): AttrValue => ({ kind: 'string', value });
const strs = (value: string[]): AttrValue => ({ kind: 'strings', value });
const rand = randomTensors(r);
const node = (opType: string, inputs: number | string[], attrs: Record<string, AttrValue> = {}, outputs = ['y']): Node =>
  ({ name: `${opType.toLowerCase()}_t`, opType, domain: '', inputs: typeof inputs === 'number' ? [...Array(inputs)].map((_, i) => `x${i}`) : inputs, outputs, attrs });

async function matches(n: Node, ins: (HostTensor | null)[], opset: number): Promise<void> {
  const want = referenceNode(n, ins, opset);
  const got = await runShared(await testDevice(), n, ins, opset);
  got.forEach((g, k) => {
    if (n.outputs[k] === '') return;
    expect(compareClose(g.data, want[k]!.data, 1e-4, 1e-5), `${n.opType} ${JSON.stringify(n.attrs)} output ${k}, seed ${seed}`).toBeNull();
  });
}

describe('linalg kernels, declared', () => {
  it('generate their declarations in both binding modes (ReduceLogSumExp, one workgroup per output)', () => {
    const [k] = planNode(node('ReduceLogSumExp', 1, { axes: ints([1]) }), [rand([2, 100])], 13).kernels;
    expect(k!.key).toBe('linalg_reduce_logsumexp_f32_wg');
    expect(groupsWgsl(k!)).toMatchSnapshot();
    expect(sharedWgsl(k!)).toMatchSnapshot();
  });

  it('reductions, arg and selection kernels run under one shared bind group', async () => {
    for (const op of ['ReduceSum', 'ReduceMean', 'ReduceLogSumExp', 'ReduceLogSum', 'ReduceL2']) {
      await matches(node(op, 1, { axes: ints([1]) }), [hostTensor('float32', [3, 70, 2], Array.from({ length: 420 }, () => 0.1 + r()))], 13); // one workgroup per output
      await matches(node(op, 1, { axes: ints([0, 2]), keepdims: int(0) }), [hostTensor('float32', [3, 4, 5], Array.from({ length: 60 }, () => 0.1 + r()))], 13); // one thread per output
    }
    await matches(node('ReduceMax', 1, { axes: ints([1]) }), [hostTensor('int32', [4, 50], randInt(r, 200, -1000, 1000))], 13);
    await matches(node('ArgMax', 1, { axis: int(1), select_last_index: int(1) }), [hostTensor('int32', [3, 5, 2], randInt(r, 30, -2, 2))], 13);
    await matches(node('ArgMin', 1, { axis: int(-1), keepdims: int(0) }), [rand([3, 5])], 13);
    await matches(node('Hardmax', 1, { axis: int(1) }), [rand([3, 5, 2])], 13);
    await matches(node('TopK', 2, { axis: int(1), largest: int(0) }, ['v', 'i']), [rand([3, 7, 2]), hostTensor('int64', [1], [3])], 11);
    await matches(node('Einsum', 3, { equation: str('bi,ij,bj->b') }), [rand([2, 3]), rand([3, 4]), rand([2, 4])], 12);
    await matches(node('MeanVarianceNormalization', 1), [rand([2, 3, 4, 5])], 13);
  });

  it('recurrent nets (init, one step per time step, finish; scratch state) run under one shared bind group', async () => {
    const H = 5, I = 4, S = 3, B = 2;
    const opt = ['x', 'w', 'r', 'b', '', 'h0', 'c0', 'p'];
    await matches(node('LSTM', opt, { hidden_size: int(H), direction: str('bidirectional'), layout: int(1) }, ['y', 'yh', 'yc']),
      [rand([B, S, I]), rand([2, 4 * H, I], 0.3), rand([2, 4 * H, H], 0.3), rand([2, 8 * H], 0.3), null, rand([B, 2, H]), rand([B, 2, H]), rand([2, 3 * H], 0.3)], 14);
    await matches(node('GRU', opt.slice(0, 6), { hidden_size: int(H), direction: str('reverse'), linear_before_reset: int(1) }, ['y', 'yh']),
      [rand([S, B, I]), rand([1, 3 * H, I], 0.3), rand([1, 3 * H, H], 0.3), rand([1, 6 * H], 0.3), null, rand([1, B, H])], 14);
    await matches(node('RNN', 3, { hidden_size: int(H), direction: str('bidirectional'), activations: strs(['Tanh', 'Relu']) }, ['y', 'yh']),
      [rand([S, B, I]), rand([2, H, I], 0.3), rand([2, H, H], 0.3)], 14);
  });

  it('generate the GEMM tile kernel (vec4 operands, split-K partials, paired with its reduce) and the row kernel in both modes', () => {
    const [tile, reduce] = planNode(node('MatMul', 2, { wgml_gemm: str('t32x32/s2') }), [rand([8, 32]), rand([32, 12])], 17, [], undefined, { splitKPairs: 'all' }).kernels;
    // one module for both dispatches of the split (gemm-pair.ts): the GEMM grid has 2 workgroups along z, the reduce 1
    expect(tile!.key).toMatch(/^gemm_pair\|gemm_tile\|t32x32\|bk16\|pf1\|Ac4\|Bc4\|nb0\|split4\|gemm_reduce\|/);
    expect(reduce!.key).toBe(tile!.key);
    expect([tile!.workgroups[2], reduce!.workgroups[2]]).toEqual([2, 1]);
    expect(groupsWgsl(tile!)).toMatchSnapshot();
    expect(sharedWgsl(tile!)).toMatchSnapshot();
    const [ln] = planNode(node('LayerNormalization', 3), [rand([3, 40]), rand([40]), rand([40])]).kernels;
    expect(ln!.key).toMatch(/^linalg_rows_layernorm\|true\|false\|1x32x1\|vvv\|/);
    expect(groupsWgsl(ln!)).toMatchSnapshot();
    expect(sharedWgsl(ln!)).toMatchSnapshot();
  });

  it('GEMMs (tile, split-K reduce, GEMVs, a fused epilogue and LayerNorm) run under one shared bind group', async () => {
    const mm = (choice: string, n = 2, extra: Record<string, AttrValue> = {}) => node('MatMul', n, { wgml_gemm: str(choice), ...extra });
    await matches(mm('t32x64'), [rand([9, 20]), rand([20, 12])], 17); // vec4 A and B, vec4 stores
    await matches(mm('t64x32/s3'), [rand([2, 5, 33]), rand([2, 33, 7])], 17); // scalar loads, batch dims that do not fold
    await matches(mm('gemv_n/s2'), [rand([1, 64]), rand([64, 40])], 17);
    await matches(mm('gemv_k'), [rand([3, 1, 24]), rand([3, 24, 1])], 17);
    const prog = JSON.stringify({ opset: 17, inputs: 3, steps: [{ op: 'Add', args: [0, 1] }, { op: 'Add', args: [3, 2] }] });
    const ln = { wgml_epilogue: str(prog), wgml_layernorm: { kind: 'float', value: 1e-5 } as AttrValue };
    for (const choice of ['t32x32', 't32x32/s2']) {
      await matches({ ...mm(choice, 7, ln), outputs: ['y', 'z'] }, [rand([6, 40]), rand([40, 16]), rand([16]), rand([6, 16]), rand([16]), rand([16])], 17);
    }
  });

  it('row kernels (LayerNorm vec4 and scalar, Softmax, LogSoftmax, a row too long for registers) run under one shared bind group', async () => {
    await matches(node('LayerNormalization', 3, { axis: int(-1) }), [rand([5, 64]), rand([64]), rand([64])], 17);
    await matches(node('LayerNormalization', 2, { axis: int(1) }, ['y', 'm', 'i']), [rand([3, 5, 7]), rand([5, 7])], 17);
    await matches(node('Softmax', 1, { axis: int(-1) }), [rand([4, 37])], 13);
    await matches(node('LogSoftmax', 1, { axis: int(0) }), [rand([6, 5])], 13);
    await matches(node('InstanceNormalization', 3), [rand([1, 2, 72, 72]), rand([2]), rand([2])], 13);
    // GroupNormalization's per-channel affine (opset 21) in vec4 rows and in rows too long for registers
    await matches(node('GroupNormalization', 3, { num_groups: int(2) }), [rand([2, 4, 3, 4]), rand([4]), rand([4])], 21);
    await matches(node('GroupNormalization', 3, { num_groups: int(2) }), [rand([1, 4, 40, 30]), rand([4]), rand([4])], 21);
  });
});

