/**
 * The one elementwise kernel template. Each input is read in one of three ways, chosen per input:
 * `full` (same element count as the output: index i), `scalar` (one element: index 0) or `bcast`
 * (offset from the output index through strides, 0 on broadcast dims). Shapes and strides live in the
 * uniform block, so the pipeline key holds only the formula, dtypes and modes. Without `bcast`
 * inputs and with n % 4 == 0 the kernel moves vec4s and does no index math at all.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import type { ValueType } from '../../ir/types.js';
import { shapeSize, storageType } from '../../ir/types.js';
import { dispatch1d, UniformWriter, type DeviceCaps, type GpuPlan, type KernelArg } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { ewHelpers } from './formula.js';

const WG = 64;
const MAX_RANK = 8;

/** `fn ew_f(x0: T0, …) -> TO`, one parameter per bound input, in order. */
export interface EwFunction { key: string; code: string }

type Mode = 'full' | 'scalar' | 'bcast';

/** Strides over `out` dims for an input (right-aligned), 0 where the input repeats. */
function stridesFor(shape: readonly number[], out: readonly number[]): number[] {
  const st = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const od = out.length - shape.length + d;
    if (shape[d] !== 1) st[od] = acc;
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
}

/**
 * Plan one elementwise kernel. `ins` are the bound inputs (op input index and type), in ew_f's
 * parameter order. Returns a refusal string when the device cannot run it.
 */
export function elementwisePlan(name: string, fn: EwFunction, ins: { index: number; type: ValueType }[], out: ValueType, caps: DeviceCaps, opts: EwPlanOptions = {}): GpuPlan | string {
  const acc = opts.accumulate === true;
  const n = shapeSize(out.shape);
  if (ins.length + 1 > caps.maxStorageBuffersPerShaderStage) {
    return `${ins.length} inputs need ${ins.length + 1} storage buffers, over the device limit of ${caps.maxStorageBuffersPerShaderStage}`;
  }
  if (n === 0) return { kernels: [] }; // zero-size output: nothing to dispatch
  const modes: Mode[] = ins.map(({ type }) => {
    const m = shapeSize(type.shape);
    return m === n ? 'full' : m === 1 ? 'scalar' : 'bcast';
  });
  const bc = ins.map((x, k) => ({ x, k })).filter(({ k }) => modes[k] === 'bcast');
  const vec = bc.length === 0 && n % 4 === 0;
  const so = storageType(out.dtype);
  const st = ins.map(({ type }) => storageType(type.dtype));
  const u = new UniformWriter();
  let params = 'n: u32,';
  let vecs = 0;
  if (bc.length) {
    const c = coalesce(out.shape, bc.map(({ x }) => stridesFor(x.type.shape, out.shape)));
    if (c.dims.length > MAX_RANK) return `broadcast over ${c.dims.length} non-mergeable dims; the elementwise kernel handles at most ${MAX_RANK}`;
    vecs = Math.max(1, Math.ceil(c.dims.length / 4));
    u.u32(n, c.dims.length).u32Array(c.dims, vecs);
    c.strides.forEach((s) => u.u32Array(s, vecs));
    params = `n: u32, rank: u32, shape: array<vec4<u32>, ${vecs}>, ${bc.map(({ k }) => `st${k}: array<vec4<u32>, ${vecs}>`).join(', ')}`;
  } else {
    u.u32(vec ? n / 4 : n);
  }
  const bindings: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }];
  ins.forEach((_, k) => bindings.push({ name: `X${k}`, kind: 'read', type: vec && modes[k] === 'full' ? `array<vec4<${st[k]}>>` : `array<${st[k]}>` }));
  bindings.push({ name: 'Y', kind: 'read_write', type: vec ? `array<vec4<${so}>>` : `array<${so}>` });
  let body: string;
  if (vec) {
    const loads = ins.map((_, k) => `  let a${k} = X${k}[${modes[k] === 'full' ? 'i' : '0'}];`).join('\n');
    const comp = (c: string) => `ew_f(${[...(acc ? [`acc.${c}`] : []), ...ins.map((_, k) => (modes[k] === 'full' ? `a${k}.${c}` : `a${k}`))].join(', ')})`;
    body = `${acc ? '  let acc = Y[i];\n' : ''}${loads}\n  Y[i] = vec4<${so}>(${['x', 'y', 'z', 'w'].map(comp).join(', ')});`;
  } else {
    const offs = bc.map(({ k }) => `o${k}`);
    const walk = bc.length ? `
  var rem = i;
  ${offs.map((o) => `var ${o} = 0u;`).join(' ')}
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let dim = P.shape[d / 4][d % 4];
    let c = rem % dim;
    rem = rem / dim;
    ${bc.map(({ k }) => `o${k} += c * P.st${k}[d / 4][d % 4];`).join(' ')}
  }` : '';
    const args = [...(acc ? ['Y[i]'] : []), ...ins.map((_, k) => `X${k}[${modes[k] === 'full' ? 'i' : modes[k] === 'scalar' ? '0' : `o${k}`}]`)];
    body = `${walk}\n  Y[i] = ew_f(${args.join(', ')});`;
  }
  const key = `ew|${fn.key}|${so}|${st.join(',')}|${modes.join(',')}|${vec ? 'v4' : vecs}${acc ? '|acc' : ''}`;
  const args: KernelArg[] = [...ins.map(({ index }) => ({ input: index })), { output: 0 }];
  return {
    kernels: [{
      name, key, args,
      uniforms: u.finish(),
      workgroups: dispatch1d(vec ? n / 4 : n, WG, caps.maxComputeWorkgroupsPerDimension),
      wgsl: () => resolveWgsl({
        bindings,
        requires: [linearIndex(WG), ewHelpers],
        body: `struct Params { ${params} }
${fn.code}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
${body}
}`,
      }),
    }],
  };
}
