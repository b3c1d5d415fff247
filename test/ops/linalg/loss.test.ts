/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss on the GPU against plain loops written here:
 * [N, C, d] inputs, class weights, an ignored class, each reduction, SoftmaxCrossEntropyLoss's log_prob;
 * and the GPU kernels against the CPU reference on more positions than the reducing workgroup has lanes.
 */
import { describe, it, expect } from 'vitest';
import { hostTensor, type HostTensor } from '../../../src/ir/types.js';
import { runNode } from '../../../src/runtime/single.js';
import { testDevice } from '../../helpers/gpu.js';
import { rng, randn } from '../../helpers/random.js';
import { gpuMatchesRef, i, i64, node, str } from '../helpers.js';

const r = rng(31);
const [N, C, D] = [3, 5, 4];
const x = hostTensor('float32', [N, C, D], randn(r, N * C * D));
const t = i64([N, D], [0, 4, 2, 1, 3, 3, 0, 4, 1, 2, 2, 0]);
const w = hostTensor('float32', [C], [0.5, 1, 2, 1.5, 0.25]);

/** −Σ (log-softmax if asked) x[n, t, d]·w[t] over positions whose target is not `ignore`, and Σ w[t]. */
function expected(logSoftmax: boolean, ignore: number | null): { losses: number[]; sum: number; wsum: number; logp: number[] } {
  const logp = Array.from(x.data);
  if (logSoftmax) for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) {
    const v = Array.from({ length: C }, (_, c) => x.data[(n * C + c) * D + d]!);
    const lse = Math.log(v.reduce((a, b) => a + Math.exp(b), 0));
    v.forEach((q, c) => { logp[(n * C + c) * D + d] = q - lse; });
  }
  const losses: number[] = []; let sum = 0, wsum = 0;
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) {
    const cls = Number(t.data[n * D + d]);
    const l = cls === ignore ? 0 : -logp[(n * C + cls) * D + d]! * w.data[cls]!;
    losses.push(l);
    if (cls !== ignore) { sum += l; wsum += w.data[cls]!; }
  }
  return { losses, sum, wsum, logp };
}

const run = async (op: string, reduction: string, ignore: number | null, outs = 1): Promise<HostTensor[]> =>
  runNode(await testDevice(), node(op, 3, { reduction: str(reduction), ...(ignore === null ? {} : { ignore_index: i(ignore) }) }, outs), [x, t, w], { opset: 13 });

describe('loss ops', () => {
  it('NegativeLogLikelihoodLoss: none, sum and mean (Σ loss / Σ weight), with an ignored class', async () => {
    const e = expected(false, 2);
    const [none] = await run('NegativeLogLikelihoodLoss', 'none', 2);
    expect(none!.shape).toEqual([N, D]);
    Array.from(none!.data).forEach((v, k) => expect(v).toBeCloseTo(e.losses[k]!, 5));
    expect((await run('NegativeLogLikelihoodLoss', 'sum', 2))[0]!.data[0]).toBeCloseTo(e.sum, 4);
    expect((await run('NegativeLogLikelihoodLoss', 'mean', 2))[0]!.data[0]).toBeCloseTo(e.sum / e.wsum, 5);
  });

  it('SoftmaxCrossEntropyLoss: the mean loss and log_prob', async () => {
    const e = expected(true, null);
    const [loss, logp] = await run('SoftmaxCrossEntropyLoss', 'mean', null, 2);
    expect(loss!.shape).toEqual([]);
    expect(loss!.data[0]).toBeCloseTo(e.sum / e.wsum, 5);
    Array.from(logp!.data).forEach((v, k) => expect(v).toBeCloseTo(e.logp[k]!, 5));
  });

  it('kernels match the reference over more positions than the reducing workgroup has lanes', async () => {
    const big = hostTensor('float32', [8, 6, 70], randn(r, 8 * 6 * 70));
    const tg = i64([8, 70], Array.from({ length: 560 }, (_, k) => (k * 7) % 6));
    for (const reduction of ['mean', 'sum', 'none']) {
      await gpuMatchesRef(node('SoftmaxCrossEntropyLoss', 2, { reduction: str(reduction), ignore_index: i(3) }, 2), [big, tg], { opset: 13, rtol: 1e-4, atol: 1e-5 });
      await gpuMatchesRef(node('NegativeLogLikelihoodLoss', 2, { reduction: str(reduction) }), [big, tg], { opset: 13, rtol: 1e-4, atol: 1e-5 });
    }
  });
});
