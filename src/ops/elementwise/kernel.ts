/**
 * The one elementwise kernel template. Each input is read in one of three ways, chosen per input:
 * `full` (same element count as the output: index i), `scalar` (one element: index 0) or `bcast`
 * (an offset plus the output coordinates times strides: 0 on broadcast dims, anything for an input
 * read through a strided view of another value, see ir/view.ts). The output is written densely or,
 * with an output view, through strides too. Shapes, strides and offsets live in the parameter block, so
 * the pipeline key holds only the formula, dtypes and modes. Without `bcast` inputs or an output view
 * and with n % 4 == 0 the kernel moves vec4s and does no index math at all (`full` inputs and the
 * output are vec4 buffers of the signature, read and written with X_ld4/Y_st4).
 * Declared through a signature built per plan (its parameters depend on the number of strided
 * operands and the rank), so every elementwise kernel can run under the network's shared bind group.
 */
import { signature, type BufferDecl, type ParamField, type ParamValues } from '../../gpu/signature.js';
import type { ValueType } from '../../ir/types.js';
import { shapeSize, storageType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type DeviceCaps, type GpuPlan, type KernelArg } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { isDenseView, type View } from '../../ir/view.js';
import { ewHelpers } from './formula.js';

const WG = 64;
const MAX_RANK = 8;

/** `fn ew_f(x0: T0, …) -> TO`, one parameter per bound input, in order. */
export interface EwFunction { key: string; code: string }

type Mode = 'full' | 'scalar' | 'bcast';

/**
 * Strides over `out` dims for an input (right-aligned), 0 where the input repeats; an input read
 * through a view steps by the view's strides over its base.
 */
function stridesFor(shape: readonly number[], out: readonly number[], view: View | null): number[] {
  const st = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const od = out.length - shape.length + d;
    if (shape[d] !== 1) st[od] = view ? view.strides[d]! : acc;
    acc *= shape[d]!;
  }
  return st;
}

/** Drop size-1 output dims and merge neighbours every input walks contiguously, so rank (and index math) shrink. */
function coalesce(out: readonly number[], strides: number[][]): { dims: number[]; strides: number[][] } {
  const keep = out.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (const d of keep) {
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k]![last] === s[d]! * out[d]!)) {
      dims[last]! *= out[d]!;
      strides.forEach((s, k) => { st[k]![last] = s[d]!; });
    } else {
      dims.push(out[d]!);
      strides.forEach((s, k) => st[k]!.push(s[d]!));
    }
  }
  return { dims, strides: st };
}

export interface EwPlanOptions {
  /**
   * ew_f takes the output's current value as its first argument, before the inputs (a fold over more
   * inputs than one dispatch can bind). Y stays one read_write binding that the kernel reads and
   * writes at the same index, so no storage range is bound twice.
   */
  accumulate?: boolean;
  /** Output 0 is written through this view of its buffer (null or absent: dense). */
  outView?: View | null;
}

/**
 * A bound input: op input index, the type the formula sees and, when re-viewed, where it sits in its
 * buffer. Inputs with the same `name` (the node's input value) are bound once (OpDef.sharedInputs).
 */
export interface EwInput { index: number; type: ValueType; view: View | null; name: string | undefined }

/** A view that reads its base as a plain dense value needs no index math. */
const trivial = (v: View | null | undefined): boolean => !v || isDenseView(v);

/**
 * Plan one elementwise kernel. `ins` are the bound inputs (op input index and type), in ew_f's
 * parameter order. Returns a refusal string when the device cannot run it.
 */
export function elementwisePlan(name: string, fn: EwFunction, ins: EwInput[], out: ValueType, caps: DeviceCaps, opts: EwPlanOptions = {}): GpuPlan | string {
  const acc = opts.accumulate === true;
  const ov = trivial(opts.outView) ? null : opts.outView!;
  const n = shapeSize(out.shape);
  const distinct = new Set(ins.map((x) => x.name ?? `#${x.index}`)).size;
  if (distinct + 1 > caps.maxStorageBuffersPerShaderStage) {
    return `${distinct} inputs need ${distinct + 1} storage buffers, over the device limit of ${caps.maxStorageBuffersPerShaderStage}`;
  }
  if (n === 0) return { kernels: [] }; // zero-size output: nothing to dispatch
  if (ov && ov.shape.join(',') !== out.shape.join(',')) return `output view [${ov.shape.join(', ')}] is not the output shape [${out.shape.join(', ')}] (a wgml pass bug)`;
  // A strided output walks output coordinates: dense inputs then index through strides as well.
  const modes: Mode[] = ins.map(({ type, view }) => {
    const m = shapeSize(type.shape);
    if (!trivial(view)) return 'bcast';
    return m === n && !ov ? 'full' : m === 1 ? 'scalar' : 'bcast';
  });
  const bc = ins.map((x, k) => ({ x, k })).filter(({ k }) => modes[k] === 'bcast');
  const walk = bc.length > 0 || ov !== null;
  const vec = !walk && n % 4 === 0;
  const so = storageType(out.dtype);
  const st = ins.map(({ type }) => storageType(type.dtype));
  const fields: Record<string, ParamField> = { n: 'u32' };
  const values: ParamValues = { n: vec ? n / 4 : n };
  let vecs = 0;
  // Strided operands: the bcast inputs, then the output when it has a view.
  const strided = [...bc.map(({ x, k }) => ({ name: `${k}`, st: stridesFor(x.type.shape, out.shape, trivial(x.view) ? null : x.view!), off: trivial(x.view) ? 0 : x.view!.offset })),
    ...(ov ? [{ name: 'y', st: stridesFor(ov.shape, out.shape, ov), off: ov.offset }] : [])];
  if (walk) {
    const c = coalesce(out.shape, strided.map((x) => x.st));
    if (c.dims.length > MAX_RANK) return `broadcast over ${c.dims.length} non-mergeable dims; the elementwise kernel handles at most ${MAX_RANK}`;
    vecs = Math.max(1, Math.ceil(c.dims.length / 4));
    fields.rank = 'u32'; values.rank = c.dims.length;
    fields.shape = ['u32', 4 * vecs]; values.shape = c.dims;
    strided.forEach((x, j) => { fields[`st${x.name}`] = ['u32', 4 * vecs]; values[`st${x.name}`] = c.strides[j]!; });
    fields.offs = ['u32', 4 * Math.ceil(strided.length / 4)]; values.offs = strided.map((x) => x.off);
  }
  // One binding per distinct value: the same value read through two views is bound once.
  const bindKeys: string[] = [];
  const bindOf = ins.map((x) => {
    const key = x.name ?? `#${x.index}`;
    let b = bindKeys.indexOf(key);
    if (b < 0) { b = bindKeys.length; bindKeys.push(key); }
    return b;
  });
  const X = (k: number) => `X${bindOf[k]}`;
  const buffers: BufferDecl[] = bindKeys.map((_, b) => {
    const k = bindOf.indexOf(b);
    return { name: `X${b}`, elem: st[k]!, ...(vec && modes[k] === 'full' ? { vec4: true } : {}) };
  });
  buffers.push({ name: 'Y', elem: so, writes: true, ...(vec ? { vec4: true } : {}) });
  let body: string;
  if (vec) {
    const loads = ins.map((_, k) => `  let a${k} = ${modes[k] === 'full' ? `${X(k)}_ld4(i)` : `${X(k)}_ld(0u)`};`).join('\n');
    const comp = (c: string) => `ew_f(${[...(acc ? [`acc.${c}`] : []), ...ins.map((_, k) => (modes[k] === 'full' ? `a${k}.${c}` : `a${k}`))].join(', ')})`;
    body = `${acc ? '  let acc = Y_ld4(i);\n' : ''}${loads}\n  Y_st4(i, vec4<${so}>(${['x', 'y', 'z', 'w'].map(comp).join(', ')}));`;
  } else {
    const index = walk ? `
  var rem = i;
  ${strided.map((x, j) => `var o${x.name} = P.offs[${j >> 2}][${j & 3}];`).join(' ')}
  // Unsigned, through the accessors: as a signed loop over the local copy (P.shape[d / 4][d % 4]) this walk
  // computed zeros on an H200 for some shapes (bench/RESULTS.md, issue 18).
  for (var d = P.rank; d > 0u; d--) {
    let dim = P_shape(d - 1u);
    let c = rem % dim;
    rem = rem / dim;
    ${strided.map((x) => `o${x.name} += c * P_st${x.name}(d - 1u);`).join(' ')}
  }` : '';
    const y = ov ? 'oy' : 'i';
    const args = [...(acc ? [`Y_ld(${y})`] : []), ...ins.map((_, k) => `${X(k)}_ld(${modes[k] === 'full' ? 'i' : modes[k] === 'scalar' ? '0u' : `o${k}`})`)];
    body = `${index}\n  Y_st(${y}, ew_f(${args.join(', ')}));`;
  }
  const shared = bindOf.some((b, k) => b !== k) ? `|b${bindOf.join(',')}` : '';
  const key = `ew|${fn.key}|${so}|${st.join(',')}|${modes.join(',')}|${vec ? 'v4' : vecs}${ov ? '|ov' : ''}${acc ? '|acc' : ''}${shared}`;
  const args: KernelArg[] = [...bindKeys.map((_, b) => ({ input: ins[bindOf.indexOf(b)]!.index })), { output: 0 }];
  return {
    kernels: [declaredKernel({
      name, key, args,
      sig: signature({ params: fields, buffers }), params: values,
      workgroups: dispatch1d(vec ? n / 4 : n, WG, caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG), ewHelpers],
        body: `${fn.code}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
${body}
}`,
      }),
    })],
  };
}
