/**
 * Clip — https://onnx.ai/onnx/operators/onnx__Clip.html
 * Opset < 11: min/max are attributes (floats). Opset 11+: optional scalar inputs (runtime tensors,
 * '' when omitted); opset 12 adds integer types. Computed as min(max(x, lo), hi), so lo > hi gives hi
 * as the spec says; NaN x stays NaN.
 */
import { fmtShape, storageType, type ElemType } from '../../ir/types.js';
import { lit, requireKind, requireSame, type Stor } from './formula.js';
import { rawAttr } from '../epilogue.js';
import { elementwiseOp, spec } from './op.js';

interface ClipParams { lo?: number; hi?: number }

function clipWgsl(s: Stor, x: string, lo: string | null, hi: string | null): string {
  let e = x;
  if (s === 'f32') {
    if (lo !== null) e = `max(${e}, ${lo})`;
    if (hi !== null) e = `min(${e}, ${hi})`;
    return e === x ? x : `select(${e}, ${x}, ew_isnan(${x}))`;
  }
  if (lo !== null) e = `max(${e}, ${lo})`;
  if (hi !== null) e = `min(${e}, ${hi})`;
  return e;
}

function clipCpu(x: number, lo: number | null, hi: number | null): number {
  if (Number.isNaN(x)) return x;
  let v = x;
  if (lo !== null && v < lo) v = lo;
  if (hi !== null && v > hi) v = hi;
  return v;
}

export const Clip = elementwiseOp<ClipParams>({
  type: 'Clip', spec: spec('Clip'), arity: [1, 3],
  params: (a, opset) => (opset < 11
    ? { lo: Math.fround(a.float('min', -3.4028234663852886e38)), hi: Math.fround(a.float('max', 3.4028234663852886e38)) }
    : {}),
  formula(p, ins, fail) {
    const t: ElemType = requireKind('Clip', ins[0] ?? null, ['float', 'int', 'uint'], fail, 'input');
    requireSame('Clip', ins, fail);
    const s = storageType(t);
    if (p.lo !== undefined) {
      return { out: t, wgsl: ([x]) => clipWgsl(s, x!, lit(p.lo!, s), lit(p.hi!, s)), cpu: ([x]) => clipCpu(x!, p.lo!, p.hi!) };
    }
    return { out: t, wgsl: ([x, lo, hi]) => clipWgsl(s, x!, lo ?? null, hi ?? null), cpu: ([x, lo, hi]) => clipCpu(x!, lo ?? null, hi ?? null) };
  },
  shape([x, lo, hi], fail) {
    for (const [name, sh] of [['min', lo], ['max', hi]] as const) {
      if (sh && sh.reduce((a, b) => a * b, 1) !== 1) throw fail(`${name} must be a scalar, got shape ${fmtShape(sh)}`, 'Clip takes scalar bounds; use Max/Min for elementwise bounds');
    }
    return [...x!];
  },
}, {
  fusable: true,
  // Bounds from attributes (opset < 11) or constant inputs; bounds computed at run time cannot be fused.
  epilogueActivation(n, constants) {
    if ('min' in n.attrs || 'max' in n.attrs) return { act: 'clip', params: [rawAttr(n, 'min', -Infinity), rawAttr(n, 'max', Infinity)] };
    const lo = n.inputs[1] ? constants.get(n.inputs[1]) : null;
    const hi = n.inputs[2] ? constants.get(n.inputs[2]) : null;
    if ((n.inputs[1] && !lo) || (n.inputs[2] && !hi)) return null;
    return { act: 'clip', params: [lo ? lo.data[0]! : -Infinity, hi ? hi.data[0]! : Infinity] };
  },
});
