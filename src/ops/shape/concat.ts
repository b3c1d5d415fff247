/**
 * Concat — https://onnx.ai/onnx/operators/onnx__Concat.html
 * Variadic; negative axis from opset 11. A kernel binds at most maxStorageBuffersPerShaderStage − 1
 * inputs (and never more than 8), so longer input lists are chunked over several dispatches, each
 * writing its own slab of the output along the axis. Inputs may be strided views of other values
 * (a transposed patch embedding beside an expanded class token): a chunk with any then walks the
 * output coordinates and reads each input through its strides.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { shapeSize } from '../../ir/types.js';
import { UniformWriter, type InferContext, type KernelArg, type KernelSpec, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { checkRank, emptyLike, grid, normAxis, ravel, unravel, WG, wordType } from './common.js';
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

function chunkKernel(k: number, w: string): string {
  const reads = [...Array(k).keys()].map((j) => `${j ? 'else ' : ''}if (a < P.offs[${(j + 1) >> 2}][${(j + 1) & 3}]) { let len = P.offs[${(j + 1) >> 2}][${(j + 1) & 3}] - P.offs[${j >> 2}][${j & 3}]; v = X${j}[(o * len + a - P.offs[${j >> 2}][${j & 3}]) * P.inner + r]; }`).join('\n    ');
  return `struct Params { n: u32, inner: u32, chunk: u32, out_axis: u32, start: u32, _a: u32, _b: u32, _c: u32, offs: array<vec4<u32>, 3> }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  let r = i % P.inner;
  let t = i / P.inner;
  let a = t % P.chunk;
  let o = t / P.chunk;
  var v: ${w};
  ${reads}
  Y[(o * P.out_axis + P.start + a) * P.inner + r] = v;
}`;
}

/** A chunk with re-viewed inputs: output coordinates → (input j, its strided offset). */
function viewedChunkKernel(k: number, w: string): string {
  const reads = [...Array(k).keys()].map((j) => `${j ? 'else ' : ''}if (a < P.offs[${(j + 1) >> 2}][${(j + 1) & 3}]) { v = X${j}[src(${j}u, a - P.offs[${j >> 2}][${j & 3}])]; }`).join('\n    ');
  return `struct Params { n: u32, rank: u32, axis: u32, start: u32, shape: array<vec4<u32>, 2>, ystr: array<vec4<u32>, 2>,
  offs: array<vec4<u32>, 3>, xoff: array<vec4<u32>, 2>, xst: array<vec4<u32>, ${2 * k}> }
var<private> coord: array<u32, 8>;
fn src(j: u32, a: u32) -> u32 {
  var o = P.xoff[j >> 2u][j & 3u];
  for (var d = 0u; d < P.rank; d++) { let c = select(coord[d], a, d == P.axis); o += c * P.xst[j * 2u + (d >> 2u)][d & 3u]; }
  return o;
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  var rem = i;
  var dst = 0u;
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let n = P.shape[d >> 2][d & 3]; let c = rem % n; rem = rem / n;
    coord[d] = c;
    dst += (c + select(0u, P.start, u32(d) == P.axis)) * P.ystr[d >> 2][d & 3];
  }
  let a = coord[P.axis];
  var v: ${w};
  ${reads}
  Y[dst] = v;
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
        kernels.push({
          name: `concat_${k}_strided`, key: `concat_${w}_${k}_strided`, args, workgroups: grid(ctx, n),
          uniforms: new UniformWriter().u32(n, shape.length, axis, starts[chunk[0]!.i]!).u32Array(cshape, 2).u32Array(denseStridesOf(shape), 2)
            .u32Array(offs, 3).u32Array(views.map((v) => v?.offset ?? 0), 2).u32Array(chunk.flatMap(({ t }, j) => [...st(t, views[j]!), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8)), 2 * k).finish(),
          wgsl: () => resolveWgsl({
            bindings: [{ name: 'P', kind: 'uniform', type: 'Params' },
              ...chunk.map((_, j) => ({ name: `X${j}`, kind: 'read' as const, type: `array<${w}>` })),
              { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
            requires: [linearIndex(WG)],
            body: viewedChunkKernel(k, w),
          }),
        });
        continue;
      }
      kernels.push({
        name: `concat_${k}`, key: `concat_${w}_${k}`, args, workgroups: grid(ctx, n),
        uniforms: new UniformWriter().u32(n, inner, len, shape[axis]!, starts[chunk[0]!.i]!, 0, 0, 0).u32Array(offs, 3).finish(),
        wgsl: () => resolveWgsl({
          bindings: [{ name: 'P', kind: 'uniform', type: 'Params' },
            ...chunk.map((_, j) => ({ name: `X${j}`, kind: 'read' as const, type: `array<${w}>` })),
            { name: 'Y', kind: 'read_write', type: `array<${w}>` }],
          requires: [linearIndex(WG)],
          body: chunkKernel(k, w),
        }),
      });
    }
    return { kernels };
  },
};
