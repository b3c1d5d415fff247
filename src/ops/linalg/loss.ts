/**
 * NegativeLogLikelihoodLoss — https://onnx.ai/onnx/operators/onnx__NegativeLogLikelihoodLoss.html
 * SoftmaxCrossEntropyLoss — https://onnx.ai/onnx/operators/onnx__SoftmaxCrossEntropyLoss.html
 * Opsets 12+ (13 widened the types). Input [N, C, d…], target [N, d…] (int32/int64), weight [C]
 * optional. Per position p: loss = −x[n, t, d]·w[t] (SoftmaxCrossEntropyLoss takes x as the log-softmax
 * over C of its scores, and can output that as log_prob), 0 where t = ignore_index. `reduction`: none
 * ([N, d…]), sum, or mean = Σ loss / Σ w[t] over the positions not ignored (their count without
 * weights). A target outside [0, C) that is not ignored is refused by the reference and reads 0 on the
 * GPU. GPU: one thread per position for `none`; one workgroup striding over the positions and summing
 * loss and weight for sum and mean (losses are evaluated once per step; their sizes are small).
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import type { Attrs } from '../../ir/attrs.js';
import { shapeSize, type HostTensor, isFloat } from '../../ir/types.js';
import { declaredKernel, type InferContext, type KernelArg, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, WG } from '../shape/common.js';
import { wgReduceWgsl } from './rows-kernel.js';

type Reduction = 'none' | 'sum' | 'mean';
interface A { reduction: Reduction; ignore: number | null }

interface Geom { N: number; C: number; D: number; outShape: number[] }

function geom(ctx: InferContext, a: A, what: string): Geom {
  const [x, t, w] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.inputs[2]];
  if (x.shape.length < 2) throw ctx.error(`${what} has rank ${x.shape.length}`, `${what} is [N, C, d…]`);
  if (!isFloat(x.dtype)) throw ctx.error(`${what} is ${x.dtype}`, 'losses take float inputs');
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw ctx.error(`the target is ${t.dtype}`, 'targets are class indices, int64');
  const [N, C] = x.shape as [number, number];
  const want = [N, ...x.shape.slice(2)];
  if (t.shape.join() !== want.join()) throw ctx.error(`target [${t.shape.join(', ')}] must be [${want.join(', ')}]`, `one class index per position of ${what} but the class axis`, { target: t.shape });
  if (w && (w.shape.length !== 1 || w.shape[0] !== C)) throw ctx.error(`weight [${w.shape.join(', ')}] must be [${C}]`, 'one weight per class');
  return { N, C, D: shapeSize(x.shape.slice(2)), outShape: a.reduction === 'none' ? want : [] };
}

function attrsOf(a: Attrs): A {
  const reduction = a.string('reduction', 'mean');
  if (reduction !== 'none' && reduction !== 'sum' && reduction !== 'mean') throw a.error(`reduction '${reduction}'`, 'use none, sum or mean');
  return { reduction, ignore: a.has('ignore_index') ? a.int('ignore_index') : null };
}

/** Losses (and log-probabilities, for softmax) on the CPU, in f64. */
function lossRef(inputs: (HostTensor | null)[], a: A, g: Geom, softmax: boolean, ctx: InferContext): HostTensor[] {
  const [x, t, w] = inputs;
  const { N, C, D } = g;
  const logp = emptyLike(x!.dtype, [...x!.shape]);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) {
    const at = (c: number) => (n * C + c) * D + d;
    if (!softmax) { for (let c = 0; c < C; c++) logp.data[at(c)] = x!.data[at(c)]!; continue; }
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x!.data[at(c)]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x!.data[at(c)]! - m);
    for (let c = 0; c < C; c++) logp.data[at(c)] = x!.data[at(c)]! - m - Math.log(s);
  }
  const loss = emptyLike(x!.dtype, [N, ...x!.shape.slice(2)]);
  let sum = 0, wsum = 0;
  for (let p = 0; p < N * D; p++) {
    const cls = Number(t!.data[p]);
    if (cls === a.ignore) continue;
    if (cls < 0 || cls >= C) throw ctx.error(`target ${cls} at position ${p} is not a class in 0..${C - 1}`, 'targets index the class axis (or equal ignore_index)', { target: cls });
    const wt = w ? w.data[cls]! : 1;
    const n = Math.floor(p / D), d = p % D;
    loss.data[p] = -logp.data[(n * C + cls) * D + d]! * wt;
    sum += loss.data[p]!; wsum += wt;
  }
  const out = a.reduction === 'none' ? loss : { ...emptyLike(x!.dtype, []), data: Float32Array.of(a.reduction === 'sum' ? sum : sum / wsum) };
  return softmax ? [out, logp] : [out];
}

const LANES = 256;

function lossDef(type: 'NegativeLogLikelihoodLoss' | 'SoftmaxCrossEntropyLoss'): OpDef<A> {
  const softmax = type === 'SoftmaxCrossEntropyLoss';
  const what = softmax ? 'scores' : 'input';
  return {
    type, opsets: [12, 99], optionalOutputs: softmax ? 1 : undefined,
    attrs: attrsOf,
    infer(ctx, a) {
      expectInputs(ctx, 2, 3);
      const g = geom(ctx, a, what);
      const x = ctx.inputs[0]!;
      return softmax ? [{ dtype: x.dtype, shape: g.outShape }, { dtype: x.dtype, shape: [...x.shape] }] : [{ dtype: x.dtype, shape: g.outShape }];
    },
    reference: (inputs, a, ctx) => lossRef(inputs, a, geom(ctx, a, what), softmax, ctx),
    gpu(ctx, a) {
      const g = geom(ctx, a, what);
      const P = g.N * g.D;
      const hasW = !!ctx.inputs[2], logOut = softmax && !!ctx.node.outputs[1];
      const reduce = a.reduction !== 'none';
      if (!P && !reduce) return { kernels: [] };
      const buffers: BufferDecl[] = [{ name: 'X', elem: 'f32' }, { name: 'T', elem: 'i32' }];
      const args: KernelArg[] = [{ input: 0 }, { input: 1 }];
      if (hasW) { buffers.push({ name: 'Wt', elem: 'f32' }); args.push({ input: 2 }); }
      buffers.push({ name: 'Y', elem: 'f32', writes: true }); args.push({ output: 0 });
      if (logOut) { buffers.push({ name: 'LP', elem: 'f32', writes: true }); args.push({ output: 1 }); }
      const sig = signature({ params: { P: 'u32', C: 'u32', D: 'u32', ignore: 'i32', hasIgnore: 'u32' }, buffers });
      // One position's loss and weight: log-softmax over the classes first for SoftmaxCrossEntropyLoss.
      const position = `fn position(P: Params, p: u32) -> vec2<f32> {
  let n = p / P.D; let d = p % P.D;
  ${softmax ? `var m = -3.4e38;
  for (var c = 0u; c < P.C; c++) { m = max(m, X_ld((n * P.C + c) * P.D + d)); }
  var s = 0.0;
  for (var c = 0u; c < P.C; c++) { s += exp(X_ld((n * P.C + c) * P.D + d) - m); }
  let lse = m + log(s);
  ${logOut ? 'for (var c = 0u; c < P.C; c++) { let q = (n * P.C + c) * P.D + d; LP_st(q, X_ld(q) - lse); }' : ''}` : 'let lse = 0.0;'}
  let cls = T_ld(p);
  if ((P.hasIgnore == 1u && cls == P.ignore) || cls < 0 || u32(cls) >= P.C) { return vec2<f32>(0.0); }
  let wt = ${hasW ? 'Wt_ld(u32(cls))' : '1.0'};
  return vec2<f32>(-(X_ld((n * P.C + u32(cls)) * P.D + d) - lse) * wt, wt);
}`;
      const body = reduce
        ? `${position}
${wgReduceWgsl('wg_sum', LANES, 1, (x, y) => `${x} + ${y}`)}
@compute @workgroup_size(${LANES}) fn main(@builtin(local_invocation_index) lane: u32) {
  let P = wgml_init();
  var acc = vec2<f32>(0.0);
  for (var p = lane; p < P.P; p += ${LANES}u) { acc += position(P, p); }
  let loss = wg_sum(acc.x, 0u, lane);
  let wsum = wg_sum(acc.y, 0u, lane);
  if (lane == 0u) { Y_st(0u, ${a.reduction === 'sum' ? 'loss' : 'loss / wsum'}); }
}`
        : `${position}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let p = linear_index(gid, nwg);
  if (p >= P.P) { return; }
  Y_st(p, position(P, p).x);
}`;
      return { kernels: [declaredKernel({
        name: softmax ? 'softmax_cross_entropy' : 'nll_loss', key: `loss|${softmax ? 'sce' : 'nll'}|${a.reduction}|w${hasW ? 1 : 0}|lp${logOut ? 1 : 0}`,
        sig, args, workgroups: reduce ? [1, 1, 1] : grid(ctx, P),
        params: { P, C: g.C, D: g.D, ignore: a.ignore ?? 0, hasIgnore: a.ignore === null ? 0 : 1 },
        source: () => ({ requires: reduce ? [] : [linearIndex(WG)], body }),
      })] };
    },
  };
}

export const NegativeLogLikelihoodLoss = lossDef('NegativeLogLikelihoodLoss');
export const SoftmaxCrossEntropyLoss = lossDef('SoftmaxCrossEntropyLoss');
