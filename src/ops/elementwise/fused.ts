/**
 * wgml.FusedElementwise: a tree of elementwise ops evaluated in one kernel, made by
 * passes/fuse-elementwise.ts. Attribute `wgml_program` is JSON:
 *   { "opset": 17, "inputs": 3, "steps": [{ "op": "Add", "args": [0, 1], "attrs": {…} }, …] }
 * An arg k < 0 is an omitted optional input, k < inputs is the node's input k, otherwise the result
 * of step k - inputs. The last step is the output. Each step uses its op's own formula (ops marked `fusable`),
 * so the GPU and CPU results equal the unfused chain's, intermediate rounding included.
 */
import { Attrs } from '../../ir/attrs.js';
import type { AttrValue, ElemType, HostTensor, ValueType } from '../../ir/types.js';
import { hostArrayFor, shapeSize, storageType } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { broadcastInputs, broadcastShapes } from './broadcast.js';
import { OPS as ELEMENTWISE } from '../tables/elementwise.js';
import { store, type EwDef, type Fail, type Formula } from './formula.js';
import { elementwisePlan } from './kernel.js';
import { EW_VIEW_INPUTS, type EwOp } from './op.js';

/**
 * The ops a program's steps may name: those of the elementwise table that declare themselves fusable,
 * by type, or 'domain.type' outside the ONNX domain (com.microsoft's Gelu is not ONNX's).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const STEP_OPS = new Map(ELEMENTWISE.filter((o): o is EwOp<any> => !!o.fusable && 'ew' in o).map((o) => [o.domain ? `${o.domain}.${o.type}` : o.type, o]));

export interface FusedStep { op: string; args: number[]; attrs?: Record<string, AttrValue> }
export interface FusedProgram { opset: number; inputs: number; steps: FusedStep[] }

interface Step { def: EwDef<unknown>; p: unknown; args: number[] }
/** A parsed program: each step's formula parameters resolved. */
export interface FusedParams { program: FusedProgram; steps: Step[] }

/**
 * Parse the program in attribute `attr` (also used by GEMM epilogues, `wgml_epilogue`, so a fused
 * epilogue evaluates with exactly these formulas).
 */
export function parseFusedProgram(a: Attrs, attr = 'wgml_program'): FusedParams {
  let program: FusedProgram;
  try {
    program = JSON.parse(a.string(attr)) as FusedProgram;
  } catch (e) {
    throw a.error(`${attr} is not valid JSON: ${(e as Error).message}`, 'this attribute is written by a wgml fusion pass; do not edit it by hand');
  }
  if (!program || !Array.isArray(program.steps) || program.steps.length === 0 || !Number.isInteger(program.inputs)) {
    throw a.error(`${attr} needs integer \`inputs\` and a non-empty \`steps\` list`, 'this attribute is written by a wgml fusion pass');
  }
  const steps = program.steps.map((s, k): Step => {
    const op = STEP_OPS.get(s.op);
    if (!op) throw a.error(`step ${k}: '${s.op}' is not an elementwise op`, 'only elementwise ops marked `fusable` (src/ops/tables/elementwise.ts) can be fused');
    if (s.args.some((x) => !Number.isInteger(x) || x >= program.inputs + k)) {
      throw a.error(`step ${k} (${s.op}) reads a value that is not computed yet: ${JSON.stringify(s.args)}`, 'steps must come after the steps they read');
    }
    const sub = new Attrs({ ...a.node, name: `${a.node.name}/${k}:${s.op}`, opType: s.op, attrs: s.attrs ?? {} });
    return { def: op.ew, p: op.ew.params(sub, program.opset), args: s.args };
  });
  return { program, steps };
}

export interface Built { formulas: Formula[]; dtypes: ElemType[]; shape: number[] }

/** Formulas, value dtypes and the output shape for these input types. */
export function buildFusedProgram(fp: FusedParams, ins: (ValueType | null)[], fail: Fail): Built {
  if (ins.length !== fp.program.inputs || ins.some((t) => !t)) {
    throw fail(`expects ${fp.program.inputs} inputs, got ${ins.filter(Boolean).length}`, 'the node does not match its wgml_program');
  }
  const dtypes: ElemType[] = ins.map((t) => t!.dtype);
  const shapes: number[][] = ins.map((t) => t!.shape);
  const formulas = fp.steps.map((s, k) => {
    const at = (x: number) => (x < 0 ? null : x);
    const f = s.def.formula(s.p, s.args.map((x) => (at(x) === null ? null : dtypes[x]!)), (m, h, d) => fail(`step ${k} (${s.def.type}): ${m}`, h, d));
    const argShapes = s.args.map((x) => (x < 0 ? null : shapes[x]!));
    shapes.push(s.def.shape ? s.def.shape(argShapes, fail) : broadcastShapes(argShapes, fail));
    dtypes.push(f.out);
    return f;
  });
  return { formulas, dtypes, shape: shapes[shapes.length - 1]! };
}

/** CPU evaluation of a program over broadcast inputs (each step rounded to its storage type, as on the GPU). */
export function evalFusedProgram(fp: FusedParams, inputs: (HostTensor | null)[], fail: Fail): HostTensor {
  const b = buildFusedProgram(fp, inputs.map((t) => (t ? { dtype: t.dtype, shape: t.shape } : null)), fail);
  const n = shapeSize(b.shape);
  const vals = broadcastInputs(inputs, b.shape);
  const outT = b.dtypes[b.dtypes.length - 1]!;
  const data = hostArrayFor(outT, n);
  const v = new Float64Array(fp.program.inputs + fp.steps.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < fp.program.inputs; k++) v[k] = vals[k]![i]!;
    fp.steps.forEach((s, k) => {
      const j = fp.program.inputs + k;
      v[j] = store(storageType(b.dtypes[j]!), b.formulas[k]!.cpu(s.args.map((x) => (x < 0 ? null : v[x]!))));
    });
    data[i] = v[v.length - 1]!;
  }
  return { dtype: outT, shape: b.shape, data };
}

/** `fn <name>(x0: T0, …) -> TO` evaluating the program on one element of each input. */
export function fusedProgramWgsl(fp: FusedParams, ins: (ValueType | null)[], fail: Fail, fnName = 'ew_f'): { code: string; built: Built } {
  const b = buildFusedProgram(fp, ins, fail);
  const name = (x: number) => (x < 0 ? null : x < fp.program.inputs ? `x${x}` : `t${x - fp.program.inputs}`);
  const lets = fp.steps.map((s, k) => `  let t${k}: ${storageType(b.dtypes[fp.program.inputs + k]!)} = ${b.formulas[k]!.wgsl(s.args.map(name))};`);
  const params = ins.map((t, k) => `x${k}: ${storageType(t!.dtype)}`).join(', ');
  const code = `fn ${fnName}(${params}) -> ${storageType(b.dtypes[b.dtypes.length - 1]!)} {\n${lets.join('\n')}\n  return t${fp.steps.length - 1};\n}`;
  return { code, built: b };
}

export const FusedElementwise: OpDef<FusedParams> = {
  type: 'FusedElementwise', domain: 'wgml',
  viewInputs: EW_VIEW_INPUTS,
  viewOutput: true,
  sharedInputs: true,
  attrs: (a) => parseFusedProgram(a),
  infer(ctx, fp) {
    const b = buildFusedProgram(fp, ctx.inputs, ctx.error);
    return [{ dtype: b.dtypes[b.dtypes.length - 1]!, shape: b.shape }];
  },
  reference(inputs: (HostTensor | null)[], fp, ctx) {
    return [evalFusedProgram(fp, inputs, ctx.error)];
  },
  gpu(ctx, fp) {
    const { code } = fusedProgramWgsl(fp, ctx.inputs, ctx.error);
    const ins = ctx.inputs.map((t, index) => ({ index, type: t!, view: ctx.views?.[index] ?? null, name: ctx.node.inputs[index] }));
    return elementwisePlan(`fused_${fp.steps.map((s) => s.def.type.toLowerCase()).join('_')}`.slice(0, 60), { key: code, code }, ins, ctx.outputs[0]!, ctx.caps, { outView: ctx.outView });
  },
};
