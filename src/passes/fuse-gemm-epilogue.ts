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
 * after an attention out-projection) or are single values. A chain of reshapes (dense re-views: Reshape,
 * Flatten, Squeeze, Unsqueeze) between the GEMM and its consumer is the same case: the GEMM writes the
 * consumer's value through a dense view in its own shape (torch's out-projection Gemm → Reshape →
 * residual Add).
 *
 * Then a LayerNormalization over the last dim that reads a GEMM's (finished) output folds in as the
 * GEMM's second output (`wgml_layernorm` = epsilon, Scale and B appended to its inputs): the split-K
 * reduce normalizes each row while it holds it (ops/linalg/gemm-reduce.ts), so a post-norm layer's
 * out-projection + residual + LayerNorm and FFN-down + residual + LayerNorm, and a pre-norm layer's
 * residual + next LayerNorm, take two dispatches each. Output 0 stays the product (the residual stream).
 *
 * MatMulInteger takes an epilogue too, when it begins by casting the i32 product to float (the dequantizing
 * Cast · A_scale·B_scale of onnxruntime's dynamic quantization, and what follows it); no views, no LayerNorm.
 *
 * Also `relayoutGemmWeights`: a constant B read transposed by Gemm (transB = 1, PyTorch Linear) is
 * stored transposed once at load time so the kernels read it row-major (coalesced along n).
 * Which consumers are elementwise comes from the op definitions through OpFacts (passes never import ops/).
 */
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { isFloat } from '../ir/types.js';
import { denseStridesOf, denseView, hasViews, inputViewAttr, OUTPUT_VIEW_ATTR, viewAttr, viewFromAttr } from '../ir/view.js';
import { fusableDomain, stepName, type OpFacts } from './op-facts.js';
import { derivedConstant } from '../ir/derived.js';

/** The program format of wgml.FusedElementwise (ops/elementwise/fused.ts documents it). */
interface FusedStep { op: string; args: number[]; attrs?: Record<string, AttrValue> }
interface FusedProgram { opset: number; inputs: number; steps: FusedStep[] }

export interface FuseGemmOptions {
  /** Most inputs an epilogue may add (storage buffers per kernel: A, B, C, these, Y). */
  maxExtras?: number;
  /** Storage buffers a kernel may bind (the LayerNorm's reduce binds partials, the epilogue inputs, Scale, B, Y and Z). */
  maxStorageBuffers?: number;
  /** Fold LayerNormalizations into the GEMM before them (default true). */
  layerNorm?: boolean;
}

/** Ops that only reshape (their output is input 0's memory, same element order). */
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);
const isReshape = (n: Node) => (n.domain === '' || n.domain === 'ai.onnx') && RESHAPES.has(n.opType) && n.outputs.length === 1 && !hasViews(n);

const OWN_INPUTS: Record<string, number> = { MatMul: 2, Gemm: 3, MatMulInteger: 4 };

const isGemm = (n: Node) => n.domain === '' && n.opType in OWN_INPUTS;
/**
 * MatMulInteger's i32 product takes an epilogue that starts by casting it to float (the Cast → Mul by
 * A_scale·B_scale (→ Add bias → GELU) that onnxruntime's dynamic quantization writes after it), as long
 * as no view is involved (its kernels read and write dense tensors) and its buffers stay within the limit.
 */
const isIntGemm = (n: Node) => n.opType === 'MatMulInteger';

function program(n: Node, opset: number, facts: OpFacts): FusedProgram | null {
  if (n.domain === 'wgml' && n.opType === 'FusedElementwise') {
    const a = n.attrs.wgml_program;
    return a?.kind === 'string' ? JSON.parse(a.value as string) as FusedProgram : null;
  }
  if (!fusableDomain(n.domain) || !facts.isFusable(n) || n.outputs.length !== 1) return null;
  const attrs = Object.fromEntries(Object.entries(n.attrs).filter(([k]) => !k.startsWith('wgml_')));
  const step: FusedStep = { op: stepName(n), args: n.inputs.map((v, k) => (v ? k : -1)), ...(Object.keys(attrs).length ? { attrs } : {}) };
  return { opset, inputs: n.inputs.length, steps: [step] };
}

function broadcastsTo(s: readonly number[], out: readonly number[]): boolean {
  if (s.length > out.length) return false;
  return s.every((d, k) => d === 1 || d === out[out.length - s.length + k]);
}

const sameAttr = (a?: AttrValue, b?: AttrValue) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Returns a new graph; `g` is not modified. `types` holds every value's static type. */
export function fuseGemmEpilogues(g: Graph, types: Map<string, ValueType>, facts: OpFacts, opts: FuseGemmOptions = {}): Graph {
  const maxExtras = opts.maxExtras ?? 4;
  const opset = g.opsets[''] ?? 17;
  const outs = new Set(g.outputs.map((o) => o.name));
  // One sweep in node order, the fused node taking its consumer's slot so that it is reached again and
  // can absorb the next consumer; readers are kept up to date as nodes are replaced. (Restarting from the
  // first node after every fusion made this pass quadratic: up to a quarter of planning a 12-layer BERT.)
  const slots: (Node | null)[] = [...g.nodes];
  const at = new Map<Node, number>(slots.map((n, i) => [n!, i]));
  const readers = new Map<string, Node[]>();
  const read = (n: Node) => { for (const v of n.inputs) if (v) { const l = readers.get(v) ?? []; if (!l.includes(n)) l.push(n); readers.set(v, l); } };
  const unread = (n: Node) => { for (const v of n.inputs) if (v) { const l = readers.get(v); const k = l ? l.indexOf(n) : -1; if (k >= 0) l!.splice(k, 1); } };
  for (const n of g.nodes) read(n);
  const only = (v: string) => { const r = readers.get(v); return !outs.has(v) && r && r.length === 1 ? r[0]! : null; };
  for (let i = 0; i < slots.length; i++) {
    const p = slots[i];
    if (!p || !isGemm(p)) continue;
    const out = p.outputs[0]!;
    const tp = types.get(out);
    let c = only(out);
    if (!tp || !c || !(isFloat(tp.dtype) || (isIntGemm(p) && tp.dtype === 'int32'))) continue;
    // Reshapes between the GEMM and its consumer: the GEMM writes the chain's end through a dense view.
    const chain: Node[] = [];
    while (isReshape(c) && !p.attrs[OUTPUT_VIEW_ATTR] && c.inputs[0] === (chain.length ? chain[chain.length - 1]!.outputs[0] : out)) {
      chain.push(c);
      const next = only(c.outputs[0]!);
      if (!next) break;
      c = next;
    }
    if (chain.length && (chain.includes(c) || isReshape(c))) continue;
    const end = chain.length ? chain[chain.length - 1]!.outputs[0]! : out;
    const te = types.get(end);
    if (!te) continue;
    const via: Node = chain.length ? { ...p, outputs: [end], attrs: { ...p.attrs, [OUTPUT_VIEW_ATTR]: viewAttr(denseView(tp.shape)) } } : p;
    const budget = isIntGemm(p) ? Math.min(maxExtras, (opts.maxStorageBuffers ?? 8) - 1 - p.inputs.slice(0, 4).filter(Boolean).length) : maxExtras;
    if (isIntGemm(p) && (chain.length || hasViews(c))) continue;
    const fused = absorb(via, c, te, types, opset, budget, facts);
    if (!fused) continue;
    for (const n of [p, ...chain, c]) { unread(n); slots[at.get(n)!] = null; }
    const k = at.get(c)!;
    slots[k] = fused;
    at.set(fused, k);
    read(fused);
  }
  let nodes = slots.filter((n): n is Node => n !== null);
  if (opts.layerNorm !== false) nodes = fuseLayerNorms(nodes, types, opts.maxStorageBuffers ?? 8);
  return nodes.length === g.nodes.length && nodes.every((n, k) => n === g.nodes[k]) ? g : { ...g, nodes };
}

/**
 * LayerNormalization(axis = last) of a GEMM's output 0 → the GEMM's output 1. The GEMM must write
 * dense rows of the normalized size (no output view, or a dense one), the LayerNorm must read it as it
 * is and want no Mean/InvStdDev, and Scale/B must be rows of that size.
 */
function fuseLayerNorms(nodes: Node[], types: Map<string, ValueType>, maxBuffers: number): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const replaced = new Map<Node, Node | null>();
  for (const ln of nodes) {
    if (ln.opType !== 'LayerNormalization' || (ln.domain !== '' && ln.domain !== 'ai.onnx') || hasViews(ln)) continue;
    if (ln.outputs.slice(1).some((o) => o)) continue;
    const p0 = producer.get(ln.inputs[0] ?? '');
    if (!p0 || !isGemm(p0) || isIntGemm(p0) || p0.outputs[0] !== ln.inputs[0]) continue;
    const p = replaced.get(p0) ?? p0;
    if (p.attrs.wgml_layernorm || p.outputs.length !== 1) continue;
    const tx = types.get(ln.inputs[0]!), ty = types.get(ln.outputs[0]!);
    const rank = tx?.shape.length ?? 0;
    const axis = (ln.attrs.axis?.value as number | undefined) ?? -1;
    if (!tx || !ty || tx.dtype !== 'float32' || rank === 0 || (axis !== -1 && axis !== rank - 1)) continue;
    const N = tx.shape[rank - 1]!;
    if (N < 2) continue;
    // the rows the GEMM writes must be the LayerNorm's rows: dense, N wide
    const ov = viewFromAttr(p.attrs[OUTPUT_VIEW_ATTR]);
    if (ov && (ov.offset !== 0 || ov.shape[ov.shape.length - 1] !== N || ov.strides.join() !== denseStridesOf(ov.shape).join())) continue;
    if (!ov && types.get(p.outputs[0]!)?.shape[rank - 1] !== N) continue;
    // a 1-D B makes a MatMul's last output dim M, not N
    if (p.opType === 'MatMul' && (types.get(p.inputs[1]!)?.shape.length ?? 0) < 2) continue;
    const rowOk = (v: string | undefined) => { const t = v ? types.get(v) : undefined; return !!t && t.dtype === 'float32' && t.shape[t.shape.length - 1] === N && t.shape.reduce((a, b) => a * b, 1) === N; };
    const scale = ln.inputs[1], bias = ln.inputs[2] || '';
    if (!rowOk(scale) || (bias && !rowOk(bias))) continue;
    const own = OWN_INPUTS[p.opType]!;
    const nExtras = p.inputs.length - own;
    if (nExtras + 4 + (bias ? 1 : 0) > maxBuffers) continue;
    const eps = (ln.attrs.epsilon?.value as number | undefined) ?? 1e-5;
    const fused: Node = { ...p, inputs: [...p.inputs, scale!, bias], outputs: [p.outputs[0]!, ln.outputs[0]!], attrs: { ...p.attrs, wgml_layernorm: { kind: 'float', value: eps } } };
    replaced.set(p0, fused);
    replaced.set(ln, null);
  }
  if (!replaced.size) return nodes;
  return nodes.flatMap((n) => { const r = replaced.get(n); return r === undefined ? [n] : r === null ? [] : [r]; });
}

/** The GEMM node with consumer `c` folded in, or null when it cannot be. */
function absorb(p: Node, c: Node, tp: ValueType, types: Map<string, ValueType>, opset: number, maxExtras: number, facts: OpFacts): Node | null {
  const out = p.outputs[0]!;
  const prog = program(c, opset, facts);
  const tc = types.get(c.outputs[0] ?? '');
  // an integer product becomes float in its epilogue (the consumer casts it); any other keeps its dtype
  const castFromInt = isIntGemm(p) && tp.dtype === 'int32' && tc?.dtype === 'float32';
  if (!prog || !tc || (tc.dtype !== tp.dtype && !castFromInt) || tc.shape.join() !== tp.shape.join()) return null;
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
