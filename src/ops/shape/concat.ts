/**
 * Concat — https://onnx.ai/onnx/operators/onnx__Concat.html
 * Variadic; negative axis from opset 11. A kernel binds at most maxStorageBuffersPerShaderStage − 1
 * inputs (and never more than 8), so longer input lists are chunked over several dispatches, each
 * writing its own slab of the output along the axis. Inputs may be strided views of other values
 * (a transposed patch embedding beside an expanded class token): a chunk with any then walks the
 * output coordinates and reads each input through its strides. Both kernels are declared (a signature
 * per chunk size), so they run under the network's shared bind group too.
 */
import { signature, type KernelSignature, type ParamField, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type InferContext, type KernelArg, type KernelSpec, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { checkRank, emptyLike, grid, ravel, unravel, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { denseStridesOf, type View } from '../../ir/view.js';
import { expectInputs } from '../arity.js';

interface A { axis: number }

const MAX_CHUNK = 8;

function outShape(ctx: InferContext, a: A): { axis: number; shape: number[] } {
  const ins = ctx.inputs.filter((t) => t !== null);
  const first = ins[0]!;
  const axis = normAxis(ctx, a.axis, first.shape.length);
  let total = 0;
  for (const t of ins) {
    if (t.shape.length !== first.shape.length || t.shape.some((d, k) => k !== axis && d !== first.shape[k]))
      throw ctx.error(`inputs [${first.shape.join(', ')}] and [${t.shape.join(', ')}] differ off the concat axis ${axis}`, 'all dims but the axis must match', { axis });
    if (t.dtype !== first.dtype) throw ctx.error(`inputs mix ${first.dtype} and ${t.dtype}`, 'cast the inputs to one type');
    total += t.shape[axis]!;
  }
  return { axis, shape: first.shape.map((d, k) => (k === axis ? total : d)) };
}

/** Chunk signatures by (word, inputs, strided): X0..X{k-1} read, Y written. */
const sigs = new Map<string, KernelSignature>();
function chunkSig(w: Word, k: number, strided: boolean): KernelSignature {
  const key = `${w}|${k}|${strided}`;
  let s = sigs.get(key);
  if (!s) {
    const params: Record<string, ParamField> = strided
      ? { n: 'u32', rank: 'u32', axis: 'u32', start: 'u32', shape: ['u32', 8], ystr: ['u32', 8], offs: ['u32', 12], xoff: ['u32', 8], xst: ['u32', 8 * k] }
      : { n: 'u32', inner: 'u32', chunk: 'u32', out_axis: 'u32', start: 'u32', offs: ['u32', 12] };
    s = signature({ params, buffers: [...[...Array(k).keys()].map((j) => ({ name: `X${j}`, elem: w })), { name: 'Y', elem: w, writes: true }] });
    sigs.set(key, s);
  }
  return s;
}

function chunkKernel(k: number, w: string): string {
  const reads = [...Array(k).keys()].map((j) => `${j ? 'else ' : ''}if (a < P.offs[${(j + 1) >> 2}][${(j + 1) & 3}]) { let len = P.offs[${(j + 1) >> 2}][${(j + 1) & 3}] - P.offs[${j >> 2}][${j & 3}]; v = X${j}_ld((o * len + a - P.offs[${j >> 2}][${j & 3}]) * P.inner + r); }`).join('\n    ');
  return perItemMain(WG, 'i', 'P.n', `  let r = i % P.inner;
  let t = i / P.inner;
  let a = t % P.chunk;
  let o = t / P.chunk;
  var v: ${w};
  ${reads}
  Y_st((o * P.out_axis + P.start + a) * P.inner + r, v);`);
}

/** A chunk with re-viewed inputs: output coordinates → (input j, its strided offset). */
function viewedChunkKernel(k: number, w: string): string {
  const reads = [...Array(k).keys()].map((j) => `${j ? 'else ' : ''}if (a < P.offs[${(j + 1) >> 2}][${(j + 1) & 3}]) { v = X${j}_ld(src(${j}u, a - P.offs[${j >> 2}][${j & 3}])); }`).join('\n    ');
  // src() reads the module-scope P (in shared mode the private copy wgml_init made); no barrier depends on it.
  return `var<private> coord: array<u32, 8>;
fn src(j: u32, a: u32) -> u32 {
  var o = P.xoff[j >> 2u][j & 3u];
  for (var d = 0u; d < P.rank; d++) { let c = select(coord[d], a, d == P.axis); o += c * P.xst[j * 2u + (d >> 2u)][d & 3u]; }
  return o;
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  var rem = i;
  var dst = 0u;
  // Unsigned, through the accessors, as the elementwise walk (see shape/common.ts).
  for (var e = P.rank; e > 0u; e--) {
    let d = e - 1u;
    let n = P_shape(d); let c = rem % n; rem = rem / n;
    coord[d] = c;
    dst += (c + select(0u, P.start, d == P.axis)) * P_ystr(d);
  }
  let a = coord[P.axis];
  var v: ${w};
  ${reads}
  Y_st(dst, v);
}`;
}

export const Concat: OpDef<A> = {
  type: 'Concat',
  viewInputs: [...Array(64).keys()],
  attrs: (a) => ({ axis: a.int('axis') }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, Infinity);
    const { shape } = outShape(ctx, a);
    checkRank(ctx, shape, 'output');
    return [{ dtype: ctx.inputs.find((t) => t)!.dtype, shape }];
  },
  reference(inputs, a, ctx) {
    const { axis, shape } = outShape(ctx, a);
    const ins = inputs.filter((t) => t !== null);
    const out = emptyLike(ins[0]!.dtype, shape);
    let at = 0;
    for (const t of ins) {
      for (let i = 0; i < t.data.length; i++) {
        const c = unravel(i, t.shape);
        c[axis]! += at;
        out.data[ravel(c, shape)] = t.data[i]!;
      }
      at += t.shape[axis]!;
    }
    return [out];
  },
  gpu(ctx, a) {
    const { axis, shape } = outShape(ctx, a);
    const w = wordType(ctx.outputs[0]!.dtype);
    const maxChunk = Math.min(MAX_CHUNK, ctx.caps.maxStorageBuffersPerShaderStage - 1);
    if (maxChunk < 1) return 'the device allows too few storage buffers per shader stage';
    const outer = shapeSize(shape.slice(0, axis)), inner = shapeSize(shape.slice(axis + 1));
    // Empty inputs contribute nothing and are not bound.
    const live = ctx.inputs.map((t, i) => ({ t, i })).filter(({ t }) => t && shapeSize(t.shape) > 0) as { t: { shape: number[] }; i: number }[];
    const starts: number[] = [];
    let at = 0;
    for (const t of ctx.inputs) { starts.push(at); if (t) at += t.shape[axis]!; }
    const kernels: KernelSpec[] = [];
    for (let c0 = 0; c0 < live.length; c0 += maxChunk) {
      const chunk = live.slice(c0, c0 + maxChunk);
      const k = chunk.length;
      const offs = [0];
      for (const { t } of chunk) offs.push(offs[offs.length - 1]! + t.shape[axis]!);
      const len = offs[k]!;
      const n = outer * len * inner;
      const args: KernelArg[] = [...chunk.map(({ i }) => ({ input: i })), { output: 0 }];
      const views = chunk.map(({ i }) => ctx.views?.[i] ?? null);
      if (views.some((v) => v)) {
        const cshape = shape.map((d, q) => (q === axis ? len : d));
        const st = (t: { shape: number[] }, v: View | null) => (v ? v.strides : denseStridesOf(t.shape));
        kernels.push(declaredKernel({
          name: `concat_${k}_strided`, key: `concat_${w}_${k}_strided`, args, workgroups: grid(ctx, n), sig: chunkSig(w, k, true),
          params: {
            n, rank: shape.length, axis, start: starts[chunk[0]!.i]!, shape: cshape, ystr: denseStridesOf(shape), offs,
            xoff: views.map((v) => v?.offset ?? 0), xst: chunk.flatMap(({ t }, j) => [...st(t, views[j]!), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8)),
          },
          source: () => ({ requires: [linearIndex(WG)], body: viewedChunkKernel(k, w) }),
        }));
        continue;
      }
      kernels.push(declaredKernel({
        name: `concat_${k}`, key: `concat_${w}_${k}`, args, workgroups: grid(ctx, n), sig: chunkSig(w, k, false),
        params: { n, inner, chunk: len, out_axis: shape[axis]!, start: starts[chunk[0]!.i]!, offs },
        source: () => ({ requires: [linearIndex(WG)], body: chunkKernel(k, w) }),
      }));
    }
    return { kernels };
  },
};
