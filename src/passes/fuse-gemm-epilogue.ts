/**
 * GEMM epilogue absorption (after fuseElementwise): a MatMul or Gemm whose output is read by exactly
 * one elementwise node — a single fusable op or a wgml.FusedElementwise: bias Add, the Erf-GELU chain,
 * Gelu, residual Add, layer-scale Mul, activations — swallows it. The node's program becomes the GEMM's
 * `wgml_epilogue` (input 0 = the product, the other inputs appended to the GEMM's after its own; the
 * format is wgml.FusedElementwise's), so the product is written once, already finished, instead of
 * being stored, read and stored again. Repeats while possible (bias, then GELU). The extra inputs
 * must broadcast to the GEMM output's shape and the node must keep its dtype and shape; views on
 * them travel along (the GEMM reads them through strides), as does the consumer's output view. A GEMM
 * that already writes through an output view (a Reshape/Transpose chain after it) still takes a
 * consumer whose other inputs have the consumer's shape (read through that same view: the residual
 * after an attention out-projection) or are single values.
 *
 * Also `relayoutGemmWeights`: a constant B read transposed by Gemm (transB = 1, PyTorch Linear) is
 * stored transposed once at load time so the kernels read it row-major (coalesced along n).
 * Works on op type names (passes never import ops/).
 */
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { isFloat } from '../ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, viewFromAttr } from '../ir/view.js';
import { FUSABLE_OPS } from './fuse-elementwise.js';
import { derivedConstant } from '../ir/derived.js';

/** The program format of wgml.FusedElementwise (ops/elementwise/fused.ts documents it). */
interface FusedStep { op: string; args: number[]; attrs?: Record<string, AttrValue> }
interface FusedProgram { opset: number; inputs: number; steps: FusedStep[] }

export interface FuseGemmOptions {
  /** Most inputs an epilogue may add (storage buffers per kernel: A, B, C, these, Y). */
  maxExtras?: number;
}

const OWN_INPUTS: Record<string, number> = { MatMul: 2, Gemm: 3 };

const isGemm = (n: Node) => n.domain === '' && n.opType in OWN_INPUTS;

function program(n: Node, opset: number): FusedProgram | null {
  if (n.domain === 'wgml' && n.opType === 'FusedElementwise') {
    const a = n.attrs.wgml_program;
    return a?.kind === 'string' ? JSON.parse(a.value as string) as FusedProgram : null;
  }
  if ((n.domain !== '' && n.domain !== 'ai.onnx') || !FUSABLE_OPS.has(n.opType) || n.outputs.length !== 1) return null;
  const attrs = Object.fromEntries(Object.entries(n.attrs).filter(([k]) => !k.startsWith('wgml_')));
  const step: FusedStep = { op: n.opType, args: n.inputs.map((v, k) => (v ? k : -1)), ...(Object.keys(attrs).length ? { attrs } : {}) };
  return { opset, inputs: n.inputs.length, steps: [step] };
}

function broadcastsTo(s: readonly number[], out: readonly number[]): boolean {
  if (s.length > out.length) return false;
  return s.every((d, k) => d === 1 || d === out[out.length - s.length + k]);
}

const sameAttr = (a?: AttrValue, b?: AttrValue) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Returns a new graph; `g` is not modified. `types` holds every value's static type. */
export function fuseGemmEpilogues(g: Graph, types: Map<string, ValueType>, opts: FuseGemmOptions = {}): Graph {
  const maxExtras = opts.maxExtras ?? 4;
  const opset = g.opsets[''] ?? 17;
  const outs = new Set(g.outputs.map((o) => o.name));
  let nodes = [...g.nodes];
  for (;;) {
    const readers = new Map<string, Node[]>();
    for (const n of nodes) for (const v of n.inputs) if (v) { const l = readers.get(v) ?? []; if (!l.includes(n)) l.push(n); readers.set(v, l); }
    let done = true;
    for (const p of nodes) {
      if (!isGemm(p)) continue;
      const out = p.outputs[0]!;
      const tp = types.get(out);
      const r = readers.get(out);
      if (!tp || !isFloat(tp.dtype) || outs.has(out) || !r || r.length !== 1) continue;
      const c = r[0]!;
      const fused = absorb(p, c, tp, types, opset, maxExtras);
      if (!fused) continue;
      nodes = nodes.flatMap((n) => (n === p ? [] : n === c ? [fused] : [n]));
      done = false;
      break;
    }
    if (done) break;
  }
  return nodes.length === g.nodes.length ? g : { ...g, nodes };
}

/** The GEMM node with consumer `c` folded in, or null when it cannot be. */
function absorb(p: Node, c: Node, tp: ValueType, types: Map<string, ValueType>, opset: number, maxExtras: number): Node | null {
  const out = p.outputs[0]!;
  const prog = program(c, opset);
  const tc = types.get(c.outputs[0] ?? '');
  if (!prog || !tc || tc.dtype !== tp.dtype || tc.shape.join() !== tp.shape.join()) return null;
  // A GEMM writing through an output view (a permuting chain after it, see passes/view-chains.ts) lays
  // its elements out as the consumer reads them: an input of the consumer's shape is read through the
  // same view (same positions), a single value through a scalar view; nothing else composes.
  const outView = p.attrs[OUTPUT_VIEW_ATTR];
  if (outView && c.attrs[OUTPUT_VIEW_ATTR]) return null;
  if (prog.inputs !== c.inputs.length) return null;
  // the GEMM result must reach the consumer as it is, not re-viewed
  if (c.inputs.some((v, k) => v === out && inputViewAttr(k) in c.attrs)) return null;
  const own = OWN_INPUTS[p.opType]!;
  const base = [...p.inputs.slice(0, own)];
  while (base.length < own) base.push('');
  const oldExtras = p.inputs.slice(own);
  const old = p.attrs.wgml_epilogue?.kind === 'string' ? JSON.parse(p.attrs.wgml_epilogue.value as string) as FusedProgram : null;
  if (old && old.opset !== prog.opset) return null;
  // New inputs of the GEMM: old extras, then the consumer's other inputs (deduplicated with their views).
  const extras = [...oldExtras];
  const viewOf = (n: Node, k: number) => n.attrs[inputViewAttr(k)];
  const extraViews: (AttrValue | undefined)[] = oldExtras.map((_, k) => viewOf(p, own + k));
  const cMap: number[] = []; // consumer input k → program input index (0 = GEMM result) or -1
  for (const [k, v] of c.inputs.entries()) {
    if (!v) { cMap.push(-1); continue; }
    if (v === out) { cMap.push(0); continue; }
    let view = viewOf(c, k);
    const t = types.get(v);
    const shape = view ? viewFromAttr(view)!.shape : t?.shape;
    if (!shape || !broadcastsTo(shape, tp.shape)) return null;
    if (outView) {
      if (view) return null;
      if (shape.every((d) => d === 1)) view = viewAttr({ shape: [], strides: [], offset: 0 });
      else if (shape.join() === tp.shape.join()) view = outView;
      else return null;
    }
    let at = extras.findIndex((e, j) => e === v && sameAttr(extraViews[j], view));
    if (at < 0) { at = extras.length; extras.push(v); extraViews.push(view); }
    cMap.push(1 + at);
  }
  if (extras.length > maxExtras) return null;
  const nIn = 1 + extras.length;
  // Old steps keep their inputs (their indices do not change); step references shift past the new inputs.
  const oldIn = old ? old.inputs : 1;
  const steps: FusedStep[] = (old?.steps ?? []).map((s) => ({ ...s, args: s.args.map((a) => (a >= oldIn ? a - oldIn + nIn : a)) }));
  const result = old ? nIn + steps.length - 1 : 0;
  const shift = nIn + steps.length;
  for (const s of prog.steps) {
    steps.push({ ...s, args: s.args.map((a) => (a < 0 ? -1 : a < prog.inputs ? (cMap[a]! === 0 ? result : cMap[a]!) : a - prog.inputs + shift)) });
  }
  const attrs: Record<string, AttrValue> = { ...p.attrs, wgml_epilogue: { kind: 'string', value: JSON.stringify({ opset: prog.opset, inputs: nIn, steps }) } };
  extraViews.forEach((v, j) => { if (v) attrs[inputViewAttr(own + j)] = v; });
  if (c.attrs[OUTPUT_VIEW_ATTR]) attrs[OUTPUT_VIEW_ATTR] = c.attrs[OUTPUT_VIEW_ATTR];
  return { ...p, name: p.name, inputs: [...base, ...extras], outputs: [c.outputs[0]!], attrs };
}

/**
 * Gemm with transB = 1 and a constant 2-D B read by no view: B is replaced by its transpose (a new
 * constant `<B>::kn`, made once even when several nodes share B) and transB cleared. `constants` and
 * `types` gain the new value.
 */
export function relayoutGemmWeights(g: Graph, constants: Map<string, HostTensor>, types: Map<string, ValueType>): Graph {
  let changed = false;
  const nodes = g.nodes.map((n) => {
    if (n.opType !== 'Gemm' || n.domain !== '' || n.attrs.transB?.value !== 1 || inputViewAttr(1) in n.attrs) return n;
    const name = n.inputs[1]!;
    const w = constants.get(name);
    if (!w || w.shape.length !== 2 || !(w.data instanceof Float32Array)) return n;
    const tName = `${name}::kn`;
    if (!constants.has(tName)) {
      // Derived once per source tensor: planning another input size reuses it (and its upload).
      constants.set(tName, derivedConstant([w], 'gemm transB', () => {
        const [N, K] = w.shape as [number, number];
        const t = new Float32Array(N * K);
        for (let nn = 0; nn < N; nn++) for (let k = 0; k < K; k++) t[k * N + nn] = w.data[nn * K + k]!;
        return { dtype: w.dtype, shape: [K, N], data: t };
      }));
      types.set(tName, { dtype: w.dtype, shape: [w.shape[1]!, w.shape[0]!] });
    }
    changed = true;
    const attrs = { ...n.attrs };
    delete attrs.transB;
    return { ...n, inputs: n.inputs.map((v, k) => (k === 1 ? tName : v)), attrs };
  });
  return changed ? { ...g, nodes } : g;
}
