/**
 * MaxUnpool — https://onnx.ai/onnx/operators/onnx__MaxUnpool.html
 * Opsets 9, 11 (the same semantics). Y is zero but for Y.flat[I[k]] = X.flat[k]: I holds MaxPool's
 * indices, flattened over the whole output tensor (batch and channel included, padding not). Y's
 * spatial dims are (in − 1)·stride + kernel − pad_begin − pad_end, or the constant `output_shape`
 * (input 2); the indices still address the unpadded output (the shape without `output_shape`), and
 * an element lands at the same coordinates of the larger one, as onnxruntime places it. Two indices can only coincide where pooling windows overlap and picked one element, so
 * they carry one value: the scatter's write order does not matter. GPU: a zero fill, then one thread
 * per element of X; an index outside Y is refused by the reference and skipped on the GPU (a kernel
 * cannot report it).
 */
import { signature } from '../../gpu/signature.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, MAX_RANK, optConstInts, WG } from '../shape/common.js';
import { progressionKernel } from '../shape/fill.js';

interface A { kernel: number[]; strides: number[]; pads: number[] }

/** The output's shape, and the shape the indices address (the same without `output_shape`). */
function shapes(ctx: InferContext, a: A): { out: number[]; addressed: number[] } {
  const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
  const s = x.shape.length - 2;
  if (s < 1 || a.kernel.length !== s) throw ctx.error(`input [${x.shape.join(', ')}] and kernel_shape [${a.kernel.join(', ')}] do not fit`, 'X is [N, C, spatial…] with one kernel dim per spatial dim', { shape: x.shape, kernel: a.kernel });
  if (idx.shape.join() !== x.shape.join()) throw ctx.error(`indices [${idx.shape.join(', ')}] must have X's shape [${x.shape.join(', ')}]`, "pass MaxPool's second output", { indices: idx.shape });
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw ctx.error(`indices are ${idx.dtype}`, 'indices are int64', { dtype: idx.dtype });
  const strides = a.strides.length ? a.strides : a.kernel.map(() => 1);
  const pads = a.pads.length ? a.pads : a.kernel.map(() => 0).concat(a.kernel.map(() => 0));
  const addressed = [...x.shape.slice(0, 2), ...x.shape.slice(2).map((d, i) => (d - 1) * strides[i]! + a.kernel[i]! - pads[i]! - pads[i + s]!)];
  const given = optConstInts(ctx, 2, 'output_shape');
  if (!given) return { out: addressed, addressed };
  if (given.length !== x.shape.length || given.some((d, i) => d < addressed[i]!)) throw ctx.error(`output_shape [${given.join(', ')}] must have X's rank and be no smaller than [${addressed.join(', ')}]`, 'give the full output shape [N, C, spatial…]', { outputShape: given, addressed });
  return { out: given, addressed };
}

/** Where the element at flat index `at` of `from` sits in `to` (same coordinates; `to` is no smaller). */
function relocate(at: number, from: readonly number[], to: readonly number[]): number {
  let flat = 0, rest = at, scale = 1;
  for (let d = from.length - 1; d >= 0; d--) { flat += (rest % from[d]!) * scale; rest = Math.floor(rest / from[d]!); scale *= to[d]!; }
  return flat;
}

const sig = signature({ params: { n: 'u32', total: 'u32', rank: 'u32', src: ['u32', MAX_RANK], dst: ['u32', MAX_RANK] }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'I', elem: 'i32' }, { name: 'Y', elem: 'f32', writes: true }] });

export const MaxUnpool: OpDef<A> = {
  type: 'MaxUnpool', opsets: [9, 99], constInputs: [2],
  attrs: (a) => ({ kernel: a.ints('kernel_shape'), strides: a.ints('strides', []), pads: a.ints('pads', []) }),
  infer(ctx, a) {
    expectInputs(ctx, 2, 3);
    if (ctx.inputs[0]!.dtype !== 'float32' && ctx.inputs[0]!.dtype !== 'float16') throw ctx.error(`X is ${ctx.inputs[0]!.dtype}`, 'MaxUnpool takes float tensors here');
    return [{ dtype: ctx.inputs[0]!.dtype, shape: shapes(ctx, a).out }];
  },
  reference([x, idx], a, ctx): HostTensor[] {
    const { out, addressed } = shapes(ctx, a);
    const y = emptyLike(x!.dtype, out), limit = shapeSize(addressed);
    for (let k = 0; k < x!.data.length; k++) {
      const at = Number(idx!.data[k]);
      if (at < 0 || at >= limit) throw ctx.error(`index ${at} (element ${k}) is outside the ${limit} elements of [${addressed.join(', ')}]`, "indices must be MaxPool's, for this input", { index: at });
      y.data[relocate(at, addressed, out)] = x!.data[k]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const { out, addressed } = shapes(ctx, a);
    const total = shapeSize(addressed), n = shapeSize(ctx.inputs[0]!.shape);
    if (!total) return { kernels: [] };
    const zero = progressionKernel(ctx, 'maxunpool_zero', ctx.outputs[0]!.dtype, shapeSize(out), 0, 0);
    if (!n) return { kernels: [zero] };
    return { kernels: [zero, declaredKernel({
      name: 'maxunpool', key: 'maxunpool', sig, args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, total, rank: out.length, src: addressed, dst: out },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'k', 'P.n', `  let at = I_ld(k);
  if (at < 0 || u32(at) >= P.total) { return; }
  var rest = u32(at); var flat = 0u; var scale = 1u;
  for (var d = P.rank; d > 0u; d--) {
    let f = P_src(d - 1u);
    flat += (rest % f) * scale; rest /= f; scale *= P_dst(d - 1u);
  }
  Y_st(flat, X_ld(k));`),
      }),
    })] };
  },
};
