/**
 * Turns an elementwise formula ({@link EwDef}) into an OpDef, and small builders so that each op
 * file is a few lines: its spec link, its type constraints and its formula in WGSL and in JS.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { ElemType, HostTensor, ValueType } from '../../ir/types.js';
import { hostArrayFor, shapeSize, storageType } from '../../ir/types.js';
import type { KernelSpec, OpDef } from '../types.js';
import { broadcastInputs, broadcastShapes } from './broadcast.js';
import { requireKind, requireSame, store, type EwDef, type Fail, type Formula, type Kind, type Stor } from './formula.js';
import { elementwisePlan, type EwInput } from './kernel.js';

export type EwOp<P = unknown> = OpDef<P> & { readonly ew: EwDef<P> };

/** What passes read about an op (see OpDef): given to the builders below, copied onto the OpDef. */
export type EwFacts = Pick<OpDef, 'fusable' | 'epilogueActivation'>;
const factsOf = (o: EwFacts): EwFacts => ({
  ...(o.fusable ? { fusable: true } : {}),
  ...(o.epilogueActivation ? { epilogueActivation: o.epilogueActivation } : {}),
});

/** Every input of an elementwise kernel may be read through a strided view (kernel.ts). */
export const EW_VIEW_INPUTS: readonly number[] = [...Array(64).keys()];

export const spec = (op: string): string => `https://onnx.ai/onnx/operators/onnx__${op}.html`;

function outShape<P>(def: EwDef<P>, shapes: (number[] | null)[], fail: Fail): number[] {
  return def.shape ? def.shape(shapes, fail) : broadcastShapes(shapes, fail);
}

function checkArity<P>(def: EwDef<P>, n: number, fail: Fail): void {
  if (n < def.arity[0] || n > def.arity[1]) {
    throw fail(`expects ${def.arity[0]}–${def.arity[1]} inputs, got ${n}`, `see ${def.spec}`);
  }
}

/** CPU evaluation of a formula over broadcast inputs: a plain loop, results rounded to the output word. */
export function evalFormula(f: Formula, inputs: (HostTensor | null)[], shape: number[]): HostTensor {
  const vals = broadcastInputs(inputs, shape);
  const n = shapeSize(shape);
  const data = hostArrayFor(f.out, n);
  const s = storageType(f.out);
  const args: (number | null)[] = vals.map(() => null);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < vals.length; k++) args[k] = vals[k] ? vals[k]![i]! : null;
    data[i] = store(s, f.cpu(args));
  }
  return { dtype: f.out, shape, data };
}

/** The OpDef of an elementwise formula. */
export function elementwiseOp<P>(def: EwDef<P>, facts: EwFacts = {}): EwOp<P> {
  return {
    type: def.type,
    ...(def.opsets ? { opsets: def.opsets } : {}),
    ...factsOf(facts),
    ew: def,
    viewInputs: EW_VIEW_INPUTS.slice(0, def.arity[1]),
    viewOutput: true,
    sharedInputs: true,
    attrs: (a, opset) => def.params(a, opset),
    infer(ctx, p) {
      checkArity(def, ctx.node.inputs.length, ctx.error);
      const f = def.formula(p, ctx.inputs.map((t) => t?.dtype ?? null), ctx.error);
      return [{ dtype: f.out, shape: outShape(def, ctx.inputs.map((t) => t?.shape ?? null), ctx.error) }];
    },
    reference(inputs, p, ctx) {
      const f = def.formula(p, inputs.map((t) => t?.dtype ?? null), ctx.error);
      return [evalFormula(f, inputs, outShape(def, inputs.map((t) => t?.shape ?? null), ctx.error))];
    },
    gpu(ctx, p) {
      const f = def.formula(p, ctx.inputs.map((t) => t?.dtype ?? null), ctx.error);
      const present = ctx.inputs.map((t, index) => ({ index, type: t, view: ctx.views?.[index] ?? null, name: ctx.node.inputs[index] as string | undefined })).filter((x): x is EwInput => x.type !== null);
      const names = ctx.inputs.map((t, i) => (t ? `x${i}` : null));
      const code = `fn ew_f(${present.map(({ index, type }) => `x${index}: ${storageType(type.dtype)}`).join(', ')}) -> ${storageType(f.out)} { return ${f.wgsl(names)}; }`;
      return elementwisePlan(def.type.toLowerCase(), { key: code, code }, present, ctx.outputs[0]!, ctx.caps, { outView: ctx.outView });
    },
  };
}

type NoParams = Record<string, never>;
const noParams = (): NoParams => ({});

/** A unary op: same dtype out (unless `out` says otherwise), kinds it accepts, formula in WGSL and JS. */
export function unary<P = NoParams>(o: EwFacts & {
  type: string; kinds: readonly Kind[]; opsets?: readonly [number, number];
  params?: (a: Attrs, opset: number) => P;
  out?: ElemType;
  wgsl: (x: string, s: Stor, p: P) => string;
  cpu: (x: number, s: Stor, p: P) => number;
}): EwOp<P> {
  return elementwiseOp<P>({
    type: o.type, spec: spec(o.type), arity: [1, 1], ...(o.opsets ? { opsets: o.opsets } : {}),
    params: o.params ?? (noParams as unknown as (a: Attrs, opset: number) => P),
    formula(p, ins, fail) {
      const t = requireKind(o.type, ins[0] ?? null, o.kinds, fail);
      const s = storageType(t);
      return { out: o.out ?? t, wgsl: ([x]) => o.wgsl(x!, s, p), cpu: ([x]) => o.cpu(x!, s, p) };
    },
  }, o);
}

/** A binary op over two inputs of one dtype (ONNX's `T`); `out: 'bool'` for comparisons. */
export function binary(o: EwFacts & {
  type: string; kinds: readonly Kind[]; opsets?: readonly [number, number]; out?: 'bool';
  wgsl: (a: string, b: string, s: Stor) => string;
  cpu: (a: number, b: number, s: Stor) => number;
}): EwOp<NoParams> {
  return elementwiseOp<NoParams>({
    type: o.type, spec: spec(o.type), arity: [2, 2], ...(o.opsets ? { opsets: o.opsets } : {}),
    params: noParams,
    formula(_p, ins, fail) {
      const t = requireKind(o.type, ins[0] ?? null, o.kinds, fail, 'input A');
      requireKind(o.type, ins[1] ?? null, o.kinds, fail, 'input B');
      requireSame(o.type, ins, fail);
      const s = storageType(t);
      return { out: o.out ?? t, wgsl: ([a, b]) => o.wgsl(a!, b!, s), cpu: ([a, b]) => o.cpu(a!, b!, s) };
    },
  }, o);
}

/** A variadic op (Max, Min, Sum, Mean): a left fold of `step`, then `finish` over the count. */
export function variadic(o: EwFacts & {
  type: string; kinds: readonly Kind[];
  wgsl: (acc: string, x: string, s: Stor) => string;
  cpu: (acc: number, x: number, s: Stor) => number;
  finish?: { wgsl: (acc: string, n: number, s: Stor) => string; cpu: (acc: number, n: number) => number };
}): EwOp<NoParams> {
  const op = elementwiseOp<NoParams>({
    type: o.type, spec: spec(o.type), arity: [1, 64],
    params: noParams,
    formula(_p, ins, fail) {
      ins.forEach((t, i) => requireKind(o.type, t, o.kinds, fail, `input ${i}`));
      requireSame(o.type, ins, fail);
      const t = ins[0]!;
      const s = storageType(t);
      return {
        out: t,
        wgsl: (xs) => { const e = xs.slice(1).reduce<string>((acc, x) => o.wgsl(acc, x!, s), xs[0]!); return o.finish ? o.finish.wgsl(e, xs.length, s) : e; },
        cpu: (xs) => {
          // Each step rounds to the word type, as the GPU's f32 arithmetic does.
          const e = xs.slice(1).reduce<number>((acc, x) => store(s, o.cpu(acc, x!, s)), xs[0]!);
          return o.finish ? o.finish.cpu(e, xs.length) : e;
        },
      };
    },
  }, o);
  return {
    ...op,
    gpu(ctx, p) {
      const per = ctx.caps.maxStorageBuffersPerShaderStage - 1;
      if (ctx.inputs.length <= per) return op.gpu!(ctx, p);
      if (per < 1) return `maxStorageBuffersPerShaderStage ${per + 1} leaves no binding for an input`;
      const t = op.ew.formula(p, ctx.inputs.map((x) => x?.dtype ?? null), ctx.error).out;
      const s = storageType(t);
      const present = ctx.inputs.map((type, index) => ({ index, type: type!, view: ctx.views?.[index] ?? null, name: ctx.node.inputs[index] }));
      // Left fold in chunks: the first dispatch folds inputs 0..per-1 into Y, each next one folds Y
      // with the next `per` inputs (the same order of operations as one dispatch); Mean divides last.
      const kernels: KernelSpec[] = [];
      for (let start = 0; start < present.length; start += per) {
        const chunk = present.slice(start, start + per);
        const first = start === 0, last = start + per >= present.length;
        // Parameters named by position, so every middle chunk of one size shares a pipeline.
        const terms = [...(first ? [] : ['y']), ...chunk.map((_, k) => `a${k}`)];
        const params = terms.map((x) => `${x}: ${s}`);
        const folded = terms.slice(1).reduce<string>((acc, x) => o.wgsl(acc, x, s), terms[0]!);
        const e = last && o.finish ? o.finish.wgsl(folded, present.length, s) : folded;
        const code = `fn ew_f(${params.join(', ')}) -> ${s} { return ${e}; }`;
        const plan = elementwisePlan(`${o.type.toLowerCase()}_chunk`, { key: code, code }, chunk, ctx.outputs[0]!, ctx.caps, { accumulate: !first, outView: ctx.outView });
        if (typeof plan === 'string') return plan;
        kernels.push(...plan.kernels);
      }
      return { kernels };
    },
  };
}
