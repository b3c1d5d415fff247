/**
 * Einsum — https://onnx.ai/onnx/operators/onnx__Einsum.html
 * Opset 12+. Any equation with explicit (`->`) or implicit output, repeated labels within an operand
 * (diagonals), `...` broadcast dims (size-1 dims broadcast), any number of operands. GPU: one thread
 * per output element summing the product of operands over the contracted labels; each label has one
 * stride per operand (summed over its repeats, 0 where broadcast), so transpose, diagonal, matmul and
 * reductions are the same kernel. The contracted space is walked sequentially per output element.
 */
import { signature, type ParamField, type Word } from '../../gpu/signature.js';
import { hostTensor, shapeSize, storageType, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { denseStrides } from '../../tensor/tensor.js';

interface A { equation: string }
interface Plan { out: string[]; red: string[]; size: Map<string, number>; strides: Map<string, number>[] }
const WG = 64, MAX = 8;

/** N operands: the output and summed sizes, then each operand's strides over the output and the summed labels. */
function sig(w: Word, N: number) {
  const params: Record<string, ParamField> = { n: 'u32', no: 'u32', nr: 'u32', R: 'u32', osz: ['u32', MAX], rsz: ['u32', MAX] };
  for (let i = 0; i < N; i++) { params[`os${i}`] = ['u32', MAX]; params[`rs${i}`] = ['u32', MAX]; }
  return signature({ params, buffers: [...Array.from({ length: N }, (_, i) => ({ name: `X${i}`, elem: w })), { name: 'Y', elem: w, writes: true }] });
}

/** Labels of one term; '...' becomes private labels numbered from the right so ellipses align. */
function labels(ctx: InferContext, term: string, rank: number, ell: (n: number) => string[]): string[] {
  const parts = term.split('...');
  if (parts.length > 2) throw ctx.error(`term '${term}' has more than one '...'`, 'use at most one ellipsis per operand');
  const bad = term.replace('...', '').match(/[^a-zA-Z]/);
  if (bad) throw ctx.error(`unexpected character '${bad[0]}' in einsum term '${term}'`, 'labels are letters a-z, A-Z and one optional ...');
  const fixed = parts.join('').length;
  if (parts.length === 1) {
    if (fixed !== rank) throw ctx.error(`term '${term}' has ${fixed} labels for an operand of rank ${rank}`, 'give one label per dim (or use ...)', { term, rank });
    return [...term];
  }
  if (fixed > rank) throw ctx.error(`term '${term}' has more labels than the operand's rank ${rank}`, 'fix the equation', { term, rank });
  return [...parts[0]!, ...ell(rank - fixed), ...parts[1]!];
}

function plan(ctx: InferContext, a: A): Plan {
  const eq = a.equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') as [string, string] : [eq, null];
  const terms = lhs!.split(',');
  if (terms.length !== ctx.inputs.length) throw ctx.error(`equation '${a.equation}' has ${terms.length} operand(s), the node ${ctx.inputs.length}`, 'give one term per input');
  const ellRank = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? ctx.inputs[i]!.shape.length - t.replace('...', '').length : 0)));
  const ell = (n: number) => Array.from({ length: n }, (_, j) => String.fromCharCode(0x100 + ellRank - n + j));
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  const termLabels = terms.map((t, i) => labels(ctx, t, ctx.inputs[i]!.shape.length, ell));
  termLabels.forEach((ls, i) => ls.forEach((l, d) => {
    const n = ctx.inputs[i]!.shape[d]!, old = size.get(l);
    const isEll = l.charCodeAt(0) >= 0x100;
    if (old !== undefined && old !== n && !(isEll && (old === 1 || n === 1))) throw ctx.error(`label '${isEll ? '...' : l}' has sizes ${old} and ${n}`, 'dims sharing a label must match', { label: l });
    size.set(l, Math.max(old ?? n, n));
    if (!isEll) count.set(l, (count.get(l) ?? 0) + 1);
  }));
  let out: string[];
  if (rhs === null) out = [...ell(ellRank), ...[...count].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  else {
    const o = labels(ctx, rhs, rhs.replace('...', '').length + (rhs.includes('...') ? ellRank : 0), ell);
    for (const l of o) if (!size.has(l)) throw ctx.error(`output label '${l}' appears in no input`, 'fix the equation', { label: l });
    if (new Set(o).size !== o.length) throw ctx.error(`output '${rhs}' repeats a label`, 'each output label appears once');
    out = o;
  }
  const red = [...size.keys()].filter((l) => !out.includes(l));
  if (out.length > MAX || red.length > MAX) throw ctx.error(`einsum with ${out.length} output and ${red.length} summed labels; wgml handles up to ${MAX} each`, 'split the einsum');
  const strides = termLabels.map((ls, i) => {
    const st = denseStrides(ctx.inputs[i]!.shape), m = new Map<string, number>();
    ls.forEach((l, d) => { if (ctx.inputs[i]!.shape[d] !== 1) m.set(l, (m.get(l) ?? 0) + st[d]!); });
    return m;
  });
  return { out, red, size, strides };
}

export const Einsum: OpDef<A> = {
  type: 'Einsum', opsets: [12, 99],
  attrs: (a) => ({ equation: a.string('equation') }),
  infer(ctx, a) {
    expectInputs(ctx, 1, Infinity);
    const t = ctx.inputs[0]!;
    if (ctx.inputs.some((x) => !x || x.dtype !== t.dtype) || t.dtype === 'string' || t.dtype === 'bool') throw ctx.error('Einsum inputs must be present and share one numeric dtype', 'insert Casts', { dtypes: ctx.inputs.map((x) => x?.dtype) });
    const p = plan(ctx, a);
    return [{ dtype: t.dtype, shape: p.out.map((l) => p.size.get(l)!) }];
  },
  reference(inputs, a, ctx): HostTensor[] {
    const p = plan(ctx, a);
    const all = [...p.out, ...p.red], dims = all.map((l) => p.size.get(l)!);
    const y = hostTensor(inputs[0]!.dtype, p.out.map((l) => p.size.get(l)!));
    const acc = new Float64Array(y.data.length);
    const oStride = denseStrides(y.shape);
    const c = new Array<number>(all.length).fill(0);
    for (let flat = 0; flat < shapeSize(dims); flat++) {
      let r = flat;
      for (let d = all.length - 1; d >= 0; d--) { c[d] = r % dims[d]!; r = Math.floor(r / dims[d]!); }
      let v = 1;
      inputs.forEach((x, i) => { let off = 0; all.forEach((l, d) => (off += c[d]! * (p.strides[i]!.get(l) ?? 0))); v *= x!.data[off]!; });
      let o = 0;
      p.out.forEach((_, d) => (o += c[d]! * oStride[d]!));
      acc[o] += v;
    }
    y.data.set(acc);
    return [y];
  },
  gpu(ctx, a) {
    const p = plan(ctx, a);
    const n = shapeSize(ctx.outputs[0]!.shape), N = ctx.inputs.length;
    if (!n) return { kernels: [] };
    if (N + 1 > ctx.caps.maxStorageBuffersPerShaderStage) return `${N} operands need ${N + 1} storage buffers, over the device limit`;
    const w = storageType(ctx.inputs[0]!.dtype);
    const params: Record<string, number | number[]> = {
      n, no: p.out.length, nr: p.red.length, R: shapeSize(p.red.map((l) => p.size.get(l)!)), osz: p.out.map((l) => p.size.get(l)!), rsz: p.red.map((l) => p.size.get(l)!),
    };
    p.strides.forEach((m, i) => { params[`os${i}`] = p.out.map((l) => m.get(l) ?? 0); params[`rs${i}`] = p.red.map((l) => m.get(l) ?? 0); });
    const ops = Array.from({ length: N }, (_, i) => i);
    return { kernels: [declaredKernel({
      name: 'einsum', key: `einsum_${w}_${N}`, sig: sig(w, N), params, args: [...ops.map((i) => ({ input: i })), { output: 0 }],
      workgroups: dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  var rem = i;
  ${ops.map((k) => `var b${k} = 0u;`).join(' ')}
  for (var d = i32(P.no) - 1; d >= 0; d--) {
    let c = rem % P_osz(u32(d));
    rem = rem / P_osz(u32(d));
    ${ops.map((k) => `b${k} += c * P_os${k}(u32(d));`).join(' ')}
  }
  var acc = ${w}(0);
  for (var r = 0u; r < P.R; r++) {
    var rr = r;
    ${ops.map((k) => `var o${k} = b${k};`).join(' ')}
    for (var d = i32(P.nr) - 1; d >= 0; d--) {
      let c = rr % P_rsz(u32(d));
      rr = rr / P_rsz(u32(d));
      ${ops.map((k) => `o${k} += c * P_rs${k}(u32(d));`).join(' ')}
    }
    acc += ${ops.map((k) => `X${k}_ld(o${k})`).join(' * ')};
  }
  Y_st(i, acc);`),
      }),
    })] };
  },
};
