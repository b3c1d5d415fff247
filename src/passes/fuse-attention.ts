/**
 * Attention fusion: the chain exporters emit for scaled dot-product attention,
 *   MatMul(Q', K'ᵀ) → [Mul|Div by a scalar]* → [causal / mask: Add(M) | Where(C, ·, fill) | Where(C, fill, ·)]
 *   → Softmax(last axis) → [Dropout|Identity] → MatMul(·, V'),
 * becomes one wgml.Attention node (ops/linalg/attention.ts). Scalar Mul/Div on the scores or on Q'/K'
 * fold into `scale`; a constant lower-triangular condition (or 0/−inf additive triangle) becomes
 * `causal`; one other mask stays an input, read through a broadcast view. Q', K' and V' are followed
 * back through re-viewing nodes (Slice/Split/Reshape/Transpose/Gather/Squeeze of a packed projection)
 * to the values they view, and a permuting chain after the output (Transpose → Reshape to [B, S, H·D])
 * is absorbed into an output view, so those nodes disappear. Anything that does not match exactly —
 * other ops in the chain, a scale after a mask, two masks, masks in an order the kernel would compute
 * differently, intermediates read elsewhere (attention weights returned) — stays unfused.
 * Runs after specialize (shape arithmetic folded) and before elementwise fusion, which would swallow
 * the scale and mask ops. Passes never import ops/: what re-views what comes in as ViewRules.
 */
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { isFloat, shapeSize } from '../ir/types.js';
import { OUTPUT_VIEW_ATTR, denseView, inputViewAttr, isDenseView, permuteView, viewAttr, type View } from '../ir/view.js';
import { consumers, graphOutputNames, singleUse } from './graph-util.js';
import { producers, resolveInputView, resolveOutputView, type Producers, type ViewOf, type ViewRules } from './view-chains.js';
import { elementSources, elementTargets, factorOrders, fitView } from './view-refine.js';

/** The problem sizes of a would-be attention node: the caller says whether its kernel can run it. */
export interface AttentionShape { batch: number[]; Sq: number; Sk: number; D: number; Dv: number }

interface Ctx {
  g: Graph; types: Map<string, ValueType>; constants: Map<string, HostTensor>; rules: ViewRules;
  accept: (s: AttentionShape) => boolean;
  uses: Map<string, Node[]>; outs: Set<string>; prod: Producers;
}

/** A score op between the first MatMul and the Softmax, in compute order. */
type Step =
  | { kind: 'scale'; factor: number; node: Node }
  | { kind: 'causal'; offset: number; fill: number; node: Node }
  | { kind: 'mask'; mode: 'add' | 'keep' | 'drop'; value: string; fill: number; node: Node };

interface Match {
  remove: Node[];
  /** Re-viewing nodes the new node reads through: they must survive the other matches. */
  reads: Node[];
  at: Node;
  node: Node;
}

const sameShape = (a?: readonly number[], b?: readonly number[]) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

/** The value of a constant whose elements are all equal (a scalar in any shape), else null. */
function uniformConst(c: Ctx, v: string): number | null {
  const t = c.constants.get(v);
  if (!t || !isFloat(t.dtype) || t.data.length === 0) return null;
  const x = t.data[0]!;
  for (let i = 1; i < t.data.length; i++) if (!Object.is(t.data[i], x)) return null;
  return x;
}

/** Dims of a value that are not leading 1s: a mask constant [1, 1, S, S] is the [S, S] triangle. */
function tail2(shape: readonly number[]): [number, number] | null {
  const lead = shape.slice(0, -2);
  if (shape.length < 2 || lead.some((d) => d !== 1)) return null;
  return [shape[shape.length - 2]!, shape[shape.length - 1]!];
}

/**
 * If `keep(i, j)` over [Sq, Sk] is exactly j ≤ i + offset for one integer offset, that offset. Rows
 * that keep nothing or everything do not pin the offset down; one row in between must.
 */
function causalOffset(Sq: number, Sk: number, keep: (i: number, j: number) => boolean): number | null {
  let off: number | null = null;
  for (let i = 0; i < Sq && off === null; i++) {
    let n = 0;
    while (n < Sk && keep(i, n)) n++;
    if (n > 0 && n < Sk) off = n - 1 - i;
  }
  if (off === null) return null;
  for (let i = 0; i < Sq; i++) for (let j = 0; j < Sk; j++) if (keep(i, j) !== (j <= i + off)) return null;
  return off;
}

/** A constant mask that is a causal triangle over the scores' last two dims: its offset. */
function constCausal(c: Ctx, v: string, Sq: number, Sk: number, keep: (x: number) => boolean): number | null {
  const t = c.constants.get(v);
  if (t && t.data.length > 1 << 22) return null;
  const d = t ? tail2(t.shape) : null;
  if (!t || !d) return null;
  const [mq, mk] = d;
  if ((mq !== Sq && mq !== 1) || (mk !== Sk && mk !== 1)) return null;
  return causalOffset(Sq, Sk, (i, j) => keep(t.data[(mq === 1 ? 0 : i) * mk + (mk === 1 ? 0 : j)]!));
}

/** The readings of one node between the MatMul and the Softmax: which input continues the chain, and what the node does to it. */
function readings(c: Ctx, n: Node, Sq: number, Sk: number): { chainIn: string; step: Step }[] {
  if (n.domain !== '') return [];
  const out: { chainIn: string; step: Step }[] = [];
  const [a = '', b = '', x = ''] = n.inputs;
  const maskStep = (value: string, mode: 'add' | 'keep' | 'drop', fill: number): Step => {
    if (mode === 'add') {
      const t = c.constants.get(value);
      if (t && isFloat(t.dtype) && t.data.every((e) => e === 0 || e === -Infinity)) {
        const off = constCausal(c, value, Sq, Sk, (e) => e === 0);
        if (off !== null) return { kind: 'causal', offset: off, fill: -Infinity, node: n };
      }
    } else {
      const off = constCausal(c, value, Sq, Sk, (e) => (e !== 0) === (mode === 'keep'));
      if (off !== null) return { kind: 'causal', offset: off, fill, node: n };
    }
    if (mode === 'add') return { ...boolMask(c, value), node: n };
    return { kind: 'mask', mode, value, fill, node: n };
  };
  switch (n.opType) {
    case 'Mul':
      for (const [v, k] of [[a, b], [b, a]] as const) { const f = uniformConst(c, k); if (f !== null) out.push({ chainIn: v, step: { kind: 'scale', factor: f, node: n } }); }
      break;
    case 'Div': { const f = uniformConst(c, b); if (f !== null) out.push({ chainIn: a, step: { kind: 'scale', factor: 1 / f, node: n } }); break; }
    case 'Add':
      if (n.inputs.length === 2 && a !== b) for (const [v, m] of [[a, b], [b, a]] as const) out.push({ chainIn: v, step: maskStep(m, 'add', -Infinity) });
      break;
    case 'Where':
      if (b !== x) for (const [v, f, mode] of [[b, x, 'keep'], [x, b, 'drop']] as const) {
        const fill = uniformConst(c, f);
        if (fill !== null && v !== a) out.push({ chainIn: v, step: maskStep(a, mode, fill) });
      }
      break;
  }
  return out;
}

/** Follow a value back through ×1, ÷1, same-type Casts and Identities (torch's baddbmm beta, bool→bool casts). */
function peelNoOps(c: Ctx, v: string): string {
  for (let guard = 0; guard < 8; guard++) {
    const p = c.prod.get(v)?.node;
    if (!p || p.domain !== '') break;
    const t = c.types.get(v);
    if ((p.opType === 'Cast' || p.opType === 'Identity') && c.types.get(p.inputs[0]!)?.dtype === t?.dtype && sameShape(c.types.get(p.inputs[0]!)?.shape, t?.shape)) { v = p.inputs[0]!; continue; }
    const [a = '', b = ''] = p.inputs;
    const x = p.opType === 'Mul' ? (uniformConst(c, b) === 1 ? a : uniformConst(c, a) === 1 ? b : '') : p.opType === 'Div' && uniformConst(c, b) === 1 ? a : '';
    if (!x || !sameShape(c.types.get(x)?.shape, t?.shape)) break;
    v = x;
  }
  return v;
}

/**
 * An additive mask that is Where(C, 0, −inf) (torch's bool attn_mask and key_padding_mask exports) is
 * exactly a boolean mask on C: s + 0 = s and s + (−inf) = −inf. Reading C saves the float mask's
 * kernel and memory; the nodes that made it go when nothing else reads them (dead-node removal).
 */
function boolMask(c: Ctx, value: string): Omit<Extract<Step, { kind: 'mask' }>, 'node'> {
  const v = peelNoOps(c, value);
  const w = c.prod.get(v)?.node;
  if (w && w.opType === 'Where' && w.domain === '') {
    const [cond = '', a = '', b = ''] = w.inputs;
    const x = uniformConst(c, a), y = uniformConst(c, b);
    const mode = x === 0 && y === -Infinity ? 'keep' : x === -Infinity && y === 0 ? 'drop' : null;
    const ct = c.types.get(cond);
    if (mode && ct && ct.dtype === 'bool') {
      return { kind: 'mask', mode, value: peelNoOps(c, cond), fill: -Infinity };
    }
  }
  return { kind: 'mask', mode: 'add', value, fill: -Infinity };
}

/** From the Softmax's input back to the first MatMul: the score steps in compute order. */
function walk(c: Ctx, v: string, reader: Node, shape: number[], depth: number): { steps: Step[]; mm1: Node; passThrough: Node[] } | null {
  if (depth > 8 || singleUse(v, c.uses, c.outs) !== reader || !sameShape(c.types.get(v)?.shape, shape)) return null;
  const pr = c.prod.get(v)?.node;
  if (!pr || pr.domain !== '') return null;
  if (pr.opType === 'MatMul') return { steps: [], mm1: pr, passThrough: [] };
  // a Cast to the type it already has (GPT-2's `w.to(w.dtype)`) or an Identity changes nothing
  if ((pr.opType === 'Identity' || pr.opType === 'Cast') && c.types.get(pr.inputs[0]!)?.dtype === c.types.get(v)?.dtype) {
    const w = walk(c, pr.inputs[0]!, pr, shape, depth + 1);
    w?.passThrough.push(pr);
    return w;
  }
  for (const r of readings(c, pr, shape[shape.length - 2]!, shape[shape.length - 1]!)) {
    const w = walk(c, r.chainIn, pr, shape, depth + 1);
    if (w) { w.steps.push(r.step); return w; }
  }
  return null;
}

/** Strip scalar Mul/Div nodes that only feed `v` into the MatMul: the value under them and their factor. */
function peelScale(c: Ctx, v: string, into: Node): { value: string; factor: number; nodes: Node[] } {
  let factor = 1;
  const nodes: Node[] = [];
  for (;;) {
    const p = c.prod.get(v)?.node;
    if (!p || singleUse(v, c.uses, c.outs) !== (nodes[nodes.length - 1] ?? into)) break;
    if (p.domain !== '' || (p.opType !== 'Mul' && p.opType !== 'Div')) break;
    const x = p.opType === 'Div' ? p.inputs[0]! : (uniformConst(c, p.inputs[1]!) !== null ? p.inputs[0]! : p.inputs[1]!);
    const k = uniformConst(c, p.inputs[0] === x ? p.inputs[1]! : p.inputs[0]!);
    if (k === null || x === v || !sameShape(c.types.get(x)?.shape, c.types.get(v)?.shape)) break;
    factor *= p.opType === 'Mul' ? k : 1 / k;
    nodes.push(p);
    v = x;
  }
  return { value: v, factor, nodes };
}

/** Numpy broadcast of batch shapes, or null. */
function broadcast(...shapes: number[][]): number[] | null {
  const r = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    let d = 1;
    for (const s of shapes) { const x = s[k - r + s.length] ?? 1; if (x === 1) continue; if (d !== 1 && d !== x) return null; d = x; }
    out.push(d);
  }
  return out;
}

function matchAt(c: Ctx, sm: Node): Match | null {
  if (sm.opType !== 'Softmax' || sm.domain !== '') return null;
  const opset = c.g.opsets[''] ?? 17;
  const st = c.types.get(sm.inputs[0]!);
  if (!st || st.shape.length < 2 || !isFloat(st.dtype)) return null;
  const rank = st.shape.length;
  let axis = (sm.attrs.axis?.value as number | undefined) ?? (opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  // Opsets < 13 flatten from `axis`: the same as the last axis only when axis is the last one.
  if (axis !== rank - 1) return null;
  // Softmax → [Dropout | Identity]* → MatMul(P, V)
  const passThrough: Node[] = [];
  let p = sm.outputs[0]!;
  let mm2 = singleUse(p, c.uses, c.outs);
  while (mm2 && mm2.domain === '' && (mm2.opType === 'Dropout' || mm2.opType === 'Identity') && mm2.inputs[0] === p && mm2.outputs.filter(Boolean).length === 1) {
    passThrough.push(mm2); p = mm2.outputs[0]!; mm2 = singleUse(p, c.uses, c.outs);
  }
  if (!mm2 || mm2.opType !== 'MatMul' || mm2.domain !== '' || mm2.inputs[0] !== p || Object.keys(mm2.attrs).some((k) => k.startsWith('wgml_'))) return null;
  const Sq = st.shape[rank - 2]!, Sk = st.shape[rank - 1]!;
  const w = walk(c, sm.inputs[0]!, sm, st.shape, 0);
  if (!w || Object.keys(w.mm1.attrs).some((k) => k.startsWith('wgml_'))) return null;
  const { steps, mm1 } = w;
  // Fold the steps into the kernel's order: scale, then causal, then one mask.
  let scale = 1;
  let causal: Extract<Step, { kind: 'causal' }> | null = null;
  let mask: Extract<Step, { kind: 'mask' }> | null = null;
  for (const s of steps) {
    if (s.kind === 'scale') { if (causal || mask) return null; scale *= s.factor; continue; }
    if (s.kind === 'causal') {
      if (causal) return null;
      // After a mask, causal (a replacement) commutes only with an additive mask under a −inf fill,
      // or with a replacing mask of the same fill.
      if (mask && !(mask.mode === 'add' ? s.fill === -Infinity : Object.is(mask.fill, s.fill))) return null;
      causal = s; continue;
    }
    if (mask) return null;
    mask = s;
  }
  const qs = peelScale(c, mm1.inputs[0]!, mm1), ks = peelScale(c, mm1.inputs[1]!, mm1);
  scale *= qs.factor * ks.factor;
  const q = resolveInputView(qs.value, c.prod, c.types, c.rules);
  const kt = resolveInputView(ks.value, c.prod, c.types, c.rules);
  const vv = resolveInputView(mm2.inputs[1]!, c.prod, c.types, c.rules);
  if ([q, kt, vv].some((x) => x.view.shape.length < 2 || !isFloat(c.types.get(x.base)?.dtype ?? 'string'))) return null;
  const kr = kt.view.shape.length;
  const kView = permuteView(kt.view, [...Array(kr - 2).keys(), kr - 1, kr - 2]);
  const [, D] = q.view.shape.slice(-2) as [number, number];
  const [Skk, Dk] = kView.shape.slice(-2) as [number, number];
  const [Sv, Dv] = vv.view.shape.slice(-2) as [number, number];
  if (Dk !== D || Skk !== Sk || Sv !== Sk || q.view.shape[q.view.shape.length - 2] !== Sq) return null;
  const batch = broadcast(q.view.shape.slice(0, -2), kView.shape.slice(0, -2), vv.view.shape.slice(0, -2));
  const y = mm2.outputs[0]!;
  if (!batch || !sameShape([...batch, Sq, Dv], c.types.get(y)?.shape) || !sameShape(st.shape, [...batch, Sq, Sk])) return null;
  // a head size the device's kernel cannot hold stays unfused (never refused)
  if (batch.length > 8 || !c.accept({ batch, Sq, Sk, D, Dv })) return null;
  let m: { base: string; view: View; chain: Node[] } | null = null;
  if (mask) {
    const mv = resolveInputView(mask.value, c.prod, c.types, c.rules);
    const full = broadcast(mv.view.shape, st.shape);
    if (!full || !sameShape(full, st.shape)) return null;
    // a mask viewing the same buffer as q/k/v (never seen in exports) is read as its own value
    m = [q.base, kt.base, vv.base].includes(mv.base) ? { base: mask.value, view: denseView(c.types.get(mask.value)!.shape), chain: [] } : mv;
    if (mask.mode === 'add' && !isFloat(c.types.get(mask.value)!.dtype)) return null;
  }
  // The output: written straight into the layout a permuting chain after it wants.
  const outChain = resolveOutputView(y, c.uses, c.outs, c.types, c.rules);
  const remove = [mm1, ...w.passThrough, ...steps.map((s) => s.node), sm, ...passThrough, mm2, ...qs.nodes, ...ks.nodes];
  // A merged batch dim (torch's [B·H, S, D] at B > 1) stops the plain views: split it.
  const stuck = (r: ViewOf) => { const p = c.prod.get(r.base); const src = p?.node.inputs[0]; return !!p && !!src && !!c.rules.viewOf(p.node, p.k, denseView(c.types.get(src)!.shape)); };
  if (batch.length === 1 && batch[0]! > 1 && ([q, kt, vv].some(stuck) || (m && stuck(m)) || (!outChain && elementTargets(y, c.uses, c.outs, c.types, c.rules)))) {
    const r = splitBatch(c, batch[0]!, [Sq, Sk, D, Dv], qs.value, ks.value, mm2.inputs[1]!, mask?.value ?? null, y);
    if (r) return { node: attentionNode(mm2, r.ins.map((b) => memoryRoot(c, b)), r.views, r.out.target, r.out.view, scale, causal, mask), at: mm2, remove: [...remove, ...r.out.chain], reads: r.reads };
  }
  const ins = [q.base, kt.base, vv.base].map((b) => memoryRoot(c, b));
  const views: (View | null)[] = [q.view, kView, vv.view];
  if (m) { ins.push(memoryRoot(c, m.base)); views.push(m.chain.length || ins[3] !== m.base ? m.view : null); }
  const target = outChain ? outChain.target : y;
  return {
    node: attentionNode(mm2, ins, views, target, outChain?.view ?? null, scale, causal, mask, c), at: mm2,
    remove: [...remove, ...(outChain?.chain ?? [])],
    reads: [...q.chain, ...kt.chain, ...vv.chain, ...(m?.chain ?? [])],
  };
}

/**
 * The value whose memory `v` reinterprets, through reshapes (a view that is dense over its input): a
 * view over v is the same view over it. Operands sharing a buffer then share a name, which is how the
 * kernel knows to bind that buffer once (two overlapping writable bindings fail validation).
 */
function memoryRoot(c: Ctx, v: string): string {
  for (let guard = 0; guard < 64; guard++) {
    const p = c.prod.get(v);
    const src = p?.node.inputs[0];
    const st = src ? c.types.get(src) : undefined;
    const f = p && st ? c.rules.viewOf(p.node, p.k, denseView(st.shape)) : null;
    if (!f || !isDenseView(f) || shapeSize(f.shape) !== shapeSize(st!.shape)) return v;
    v = src!;
  }
  return v;
}

/** The wgml.Attention node; views that are their base's dense layout are left out. */
function attentionNode(mm2: Node, ins: string[], views: (View | null)[], target: string, outView: View | null, scale: number,
  causal: Extract<Step, { kind: 'causal' }> | null, mask: Extract<Step, { kind: 'mask' }> | null, c?: Ctx): Node {
  const attrs: Record<string, AttrValue> = { scale: { kind: 'float', value: scale } };
  if (causal) Object.assign(attrs, { causal: { kind: 'int', value: 1 }, causal_offset: { kind: 'int', value: causal.offset }, causal_fill: { kind: 'float', value: causal.fill } });
  if (mask) Object.assign(attrs, { mask_mode: { kind: 'string', value: mask.mode }, mask_fill: { kind: 'float', value: mask.fill } });
  const plain = (v: View, value: string) => !!c && isDenseView(v) && sameShape(v.shape, c.types.get(value)!.shape);
  views.forEach((w, i) => { if (w && !plain(w, ins[i]!)) attrs[inputViewAttr(i)] = viewAttr(w); });
  if (outView && !plain(outView, target)) attrs[OUTPUT_VIEW_ATTR] = viewAttr(outView);
  return { name: `${mm2.name}/attention`, opType: 'Attention', domain: 'wgml', inputs: ins, outputs: [target], attrs };
}

/**
 * q, kᵀ, v, the mask and the output mapped element by element (view-refine.ts) and the one batch dim N
 * split into factors whose strides fit all of them; null when no split does.
 */
function splitBatch(c: Ctx, N: number, [Sq, Sk, D, Dv]: number[], qv: string, ktv: string, vv: string, mv: string | null, y: string) {
  const src = [qv, ktv, vv, ...(mv ? [mv] : [])].map((v) => elementSources(v, c.prod, c.types, c.rules));
  if (src.some((x) => !x) || (mv && src.slice(0, 3).some((x) => x!.base === src[3]!.base))) return null;
  const out = elementTargets(y, c.uses, c.outs, c.types, c.rules) ?? { target: y, idx: Int32Array.from({ length: N * Sq * Dv }, (_, e) => e), chain: [] as Node[] };
  const ms = mv ? c.types.get(mv)!.shape : null;
  const mk = ms ? [...new Array<number>(Math.max(0, 3 - ms.length)).fill(1), ...ms] : null;
  if (mk && (mk.length !== 3 || (mk[0] !== 1 && mk[0] !== N))) return null;
  for (const f of factorOrders(N)) {
    const fit = [fitView(src[0]!.idx, [...f, Sq, D]), fitView(src[1]!.idx, [...f, D, Sk]), fitView(src[2]!.idx, [...f, Sk, Dv])];
    if (mk) fit.push(fitView(src[3]!.idx, [...(mk[0] === 1 ? f.map(() => 1) : f), mk[1]!, mk[2]!]));
    const ov = fitView(out.idx, [...f, Sq, Dv]);
    if (!ov || fit.some((x) => !x)) continue;
    const r = f.length;
    fit[1] = permuteView(fit[1]!, [...Array(r).keys(), r + 1, r]);
    return { ins: src.map((x) => x!.base), views: fit as (View | null)[], out: { target: out.target, view: ov, chain: out.chain }, reads: src.flatMap((x) => x!.chain) };
  }
  return null;
}

/**
 * Fuse every attention chain of the graph; returns a new graph (the input is not modified). `accept`
 * says whether the device's kernel runs a problem (runtime/pipeline.ts asks attentionConfig).
 */
export function fuseAttention(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>, rules: ViewRules, accept: (s: AttentionShape) => boolean = () => true): Graph {
  const c: Ctx = { g, types, constants, rules, accept, uses: consumers(g), outs: graphOutputNames(g), prod: producers(g) };
  const matches: Match[] = [];
  const taken = new Set<Node>(), kept = new Set<Node>();
  for (const n of g.nodes) {
    if (n.opType !== 'Softmax') continue;
    const m = matchAt(c, n);
    // e.g. one attention's output chain feeding the next one's q through views: the first match wins
    if (!m || m.remove.some((x) => taken.has(x) || kept.has(x)) || m.reads.some((x) => taken.has(x))) continue;
    m.remove.forEach((x) => taken.add(x));
    m.reads.forEach((x) => kept.add(x));
    matches.push(m);
  }
  if (!matches.length) return g;
  const replace = new Map(matches.map((m) => [m.at, m.node]));
  let nodes = g.nodes.filter((n) => replace.has(n) || !taken.has(n)).map((n) => replace.get(n) ?? n);
  // The re-viewing nodes in front (and anything else) that nothing reads any more: nodes have no side
  // effects, and exporters leave dead branches (torch 1.13's MultiheadAttention has an unused kᵀ).
  const outs = graphOutputNames(g);
  for (let changed = true; changed;) {
    const read = new Set(nodes.flatMap((n) => n.inputs));
    const before = nodes.length;
    nodes = nodes.filter((n) => n.outputs.some((o) => o && (read.has(o) || outs.has(o))));
    changed = nodes.length !== before;
  }
  return { ...g, nodes, opsets: { ...g.opsets, wgml: g.opsets['wgml'] ?? 1 } };
}
