/**
 * DFT — https://onnx.ai/onnx/operators/onnx__DFT.html
 * Opsets 17–19: `axis` attribute (default 1); 20+: axis is constant input 2 (default -2; the last dim,
 * which holds real or real/imaginary parts, is not a signal axis). Input [..., n, ..., 1 | 2] (real, or
 * complex as pairs); `dft_length` (constant input 1) zero-pads or truncates the signal axis to L;
 * `onesided` keeps bins 0..⌊L/2⌋; `inverse` conjugates the twiddles and scales by 1/L. Output [..., L
 * or ⌊L/2⌋+1, ..., 2]. A direct O(n·L) sum per output bin, one invocation each: signal lengths in
 * networks (audio frames, small 2-D spectra) are hundreds to a few thousand, which a GPU sums directly
 * faster than a multi-pass FFT records its dispatches. The twiddle index advances by k modulo L, so
 * the angle stays exact for any L (k·n would overflow 32 bits past L = 65536).
 */
import { signature } from '../../gpu/signature.js';
import type { WgslModule } from '../../gpu/wgsl.js';
import { shapeSize, type HostTensor, isFloat } from '../../ir/types.js';
import { normAxis } from '../../ir/axis.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain, sincosPoly } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike, grid, optConstInts, WG } from '../shape/common.js';

interface A { axis: number; inverse: boolean; onesided: boolean }

/** Signal geometry around the transformed axis, output bins and the transform length. */
export interface DftGeom { outer: number; n: number; inner: number; complex: boolean; L: number; bins: number; shape: number[] }

function geometry(ctx: InferContext, shape: readonly number[], a: A, length: number[] | undefined, axisIn: number[] | undefined): DftGeom {
  const r = shape.length;
  const c = shape[r - 1];
  if (r < 2 || (c !== 1 && c !== 2)) throw ctx.error(`input [${shape.join(', ')}] must end in a dim of 1 (real) or 2 (real, imaginary)`, 'add a trailing dim of 1 to a real signal', { shape });
  const raw = ctx.opset >= 20 ? (axisIn?.[0] ?? -2) : a.axis;
  const axis = normAxis(ctx, raw, r, 'DFT axis');
  if (axis === r - 1) throw ctx.error(`axis ${raw} is the real/imaginary dim`, 'choose a signal axis, before the last dim', { axis: raw });
  const L = length?.[0] ?? shape[axis]!;
  if (!Number.isInteger(L) || L < 1) throw ctx.error(`dft_length ${L} must be a positive integer`, 'give the transform length in samples', { dftLength: L });
  if (a.onesided && c === 2) throw ctx.error('onesided output needs a real input (last dim 1)', 'set onesided=0 for complex signals');
  const bins = a.onesided ? Math.floor(L / 2) + 1 : L;
  const out = [...shape];
  out[axis] = bins;
  out[r - 1] = 2;
  return { outer: shapeSize(shape.slice(0, axis)), n: shape[axis]!, inner: shapeSize(shape.slice(axis + 1, r - 1)), complex: c === 2, L, bins, shape: out };
}

/** out[(o·bins + k)·inner + i] = Σ_{m < min(n, L)} x[(o·n + m)·inner + i]·e^{∓2πi·k·m/L} (·1/L inverse), in f64. */
export function dftRef(x: HostTensor, g: DftGeom, inverse: boolean, sampleAt?: (o: number, m: number, i: number) => [number, number] | null): HostTensor {
  const y = emptyLike(x.dtype, g.shape);
  const sign = inverse ? 1 : -1, scale = inverse ? 1 / g.L : 1;
  const at = sampleAt ?? ((o: number, m: number, i: number): [number, number] | null => {
    const p = ((o * g.n + m) * g.inner + i) * (g.complex ? 2 : 1);
    return [x.data[p]!, g.complex ? x.data[p + 1]! : 0];
  });
  const terms = sampleAt ? g.L : Math.min(g.n, g.L);
  for (let o = 0; o < g.outer; o++) for (let k = 0; k < g.bins; k++) for (let i = 0; i < g.inner; i++) {
    let re = 0, im = 0;
    for (let m = 0; m < terms; m++) {
      const v = at(o, m, i);
      if (!v) continue;
      const t = (sign * 2 * Math.PI * ((k * m) % g.L)) / g.L;
      re += v[0] * Math.cos(t) - v[1] * Math.sin(t);
      im += v[0] * Math.sin(t) + v[1] * Math.cos(t);
    }
    const q = ((o * g.bins + k) * g.inner + i) * 2;
    y.data[q] = re * scale;
    y.data[q + 1] = im * scale;
  }
  return y;
}

/**
 * `twiddle(t, L)`: (cos, sin) of 2π·t/L for t < L, to about 1e-7 on any device. WGSL's sin and cos may be
 * off by 2^-11 absolute (SwiftShader's are), which 200 summed terms turn into 5e-3: here the octant of t/L
 * is found in integers, and the angle left (below π/4) goes through `sincos_poly`.
 */
export const twiddleModule: WgslModule = {
  name: 'twiddle',
  requires: [sincosPoly],
  code: `fn twiddle(t: u32, L: u32) -> vec2<f32> {
  // t/L = (o + r)/8 turns: octant o, and r in [0, 1) within it, from exact integer arithmetic (8t < 2^32)
  let e = 8u * t;
  let o = e / L;
  let r = f32(e - o * L) / f32(L);
  let sc = sincos_poly(0.7853981633974483 * select(r, 1.0 - r, (o & 1u) == 1u));
  let s = sc.x; let c = sc.y;
  // octants 1, 2, 5, 6 swap the roles of sine and cosine; the half-turn and quarter-turn set the signs
  let sw = ((o + 1u) & 2u) == 2u;
  var cs = select(vec2<f32>(c, s), vec2<f32>(s, c), sw);
  if (o >= 2u && o < 6u) { cs.x = -cs.x; }
  if (o >= 4u) { cs.y = -cs.y; }
  return cs;
}`,
};

/**
 * WGSL that sums bin k into `acc` over samples m = 0..terms-1: `load` declares the complex sample `v`
 * (windowed, zero past the signal) from m and the caller's indices. Needs twiddleModule.
 */
export function dftLoop(load: string): string {
  return `var acc = vec2<f32>(0.0);
  var t = 0u;
  for (var m = 0u; m < terms; m++) {
    ${load}
    let cs = twiddle(t, P.L);
    let tw = vec2<f32>(cs.x, sgn * cs.y);
    acc += vec2<f32>(v.x * tw.x - v.y * tw.y, v.x * tw.y + v.y * tw.x);
    t = (t + k) % P.L;
  }`;
}

const sig = signature({
  params: { total: 'u32', bins: 'u32', inner: 'u32', n: 'u32', L: 'u32', complex: 'u32', inverse: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

export const DFT: OpDef<A> = {
  type: 'DFT', opsets: [17, 99], constInputs: [1, 2],
  attrs: (a, opset) => ({ axis: opset < 20 ? a.int('axis', 1) : -2, inverse: a.int('inverse', 0) === 1, onesided: a.int('onesided', 0) === 1 }),
  infer(ctx, a) {
    expectInputs(ctx, 1, ctx.opset >= 20 ? 3 : 2);
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) throw ctx.error(`input is ${x.dtype}`, 'DFT takes float signals');
    return [{ dtype: x.dtype, shape: geometry(ctx, x.shape, a, optConstInts(ctx, 1, 'dft_length'), optConstInts(ctx, 2, 'axis')).shape }];
  },
  reference(inputs, a, ctx) {
    const x = inputs[0]!;
    const num = (i: number) => (inputs[i] ? Array.from(inputs[i]!.data, Number) : undefined);
    return [dftRef(x, geometry(ctx, x.shape, a, num(1), num(2)), a.inverse)];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const g = geometry(ctx, x.shape, a, optConstInts(ctx, 1, 'dft_length'), ctx.opset >= 20 && ctx.inputs[2] ? constInts(ctx, 2, 'axis') : undefined);
    const total = g.outer * g.bins * g.inner;
    if (total === 0) return { kernels: [] };
    if (g.L >= 2 ** 29) return `a DFT of length ${g.L}: the GPU kernel sums directly and finds twiddle octants in 32-bit integers, up to length 2^29`;
    return { kernels: [declaredKernel({
      name: 'dft', key: 'dft', sig, args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, total),
      params: { total, bins: g.bins, inner: g.inner, n: g.n, L: g.L, complex: g.complex ? 1 : 0, inverse: a.inverse ? 1 : 0 },
      source: () => ({
        requires: [linearIndex(WG), twiddleModule],
        body: perItemMain(WG, 'idx', 'P.total', `  let i = idx % P.inner; let k = (idx / P.inner) % P.bins; let o = idx / (P.inner * P.bins);
  let sgn = select(-1.0, 1.0, P.inverse == 1u);
  let terms = min(P.n, P.L);
  let cs = select(1u, 2u, P.complex == 1u);
  ${dftLoop(`let p = ((o * P.n + m) * P.inner + i) * cs;
    var v = vec2<f32>(X_ld(p), 0.0);
    if (P.complex == 1u) { v.y = X_ld(p + 1u); }`)}
  let scale = select(1.0, 1.0 / f32(P.L), P.inverse == 1u);
  Y_st(idx * 2u, acc.x * scale);
  Y_st(idx * 2u + 1u, acc.y * scale);`),
      }),
    })] };
  },
};
