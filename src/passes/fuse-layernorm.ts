/**
 * LayerNorm from its decomposition. Below opset 17 exporters (torch's TorchScript exporter, Keras,
 * HuggingFace's TF-style BERT LayerNorm) write LayerNorm as eight to ten elementwise and reduction
 * nodes; this pass folds each exact match back into one LayerNormalization node (one kernel):
 *
 *   m = ReduceMean(x, axes = last k dims)      d = Sub(x, m)
 *   v = ReduceMean(Pow(d, 2) | Mul(d, d))      s = Sqrt(Add(v, eps))
 *   n = Div(d, s) | Mul(d, Reciprocal(s))      [Mul(n, scale)] [Add(·, bias)]
 *
 * Only exact matches: the same reduced axes (the last ones, keepdims) twice, a constant scalar eps and
 * exponent, every intermediate read only inside the pattern and no graph output; scale and bias fold in
 * when they are constants that broadcast over the normalized dims only. Anything else stays as it was.
 * The fused node is LayerNormalization in the ONNX domain, which wgml also implements below opset 17
 * (ORT's contrib form of the op, which ORT-optimized models carry).
 */
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';
import { consumers, graphOutputNames } from './graph-util.js';
import { derivedConstant } from '../ir/derived.js';

const isOp = (n: Node | undefined, t: string): n is Node => !!n && n.opType === t && (n.domain === '' || n.domain === 'ai.onnx');

/** The positive reduced axes of a ReduceMean with keepdims, or null. */
function meanAxes(n: Node, rank: number, constants: Map<string, HostTensor>): number[] | null {
  if ((n.attrs.keepdims?.value ?? 1) !== 1) return null;
  let axes: number[] | undefined;
  if (n.attrs.axes) axes = n.attrs.axes.value as number[];
  else if (n.inputs[1]) { const t = constants.get(n.inputs[1]); if (!t) return null; axes = Array.from(t.data); }
  if (!axes || !axes.length) return null;
  const pos = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  // the last k dims, each once
  return pos.every((a, i) => a === rank - pos.length + i) ? pos : null;
}

const scalarConst = (v: string | undefined, constants: Map<string, HostTensor>): number | null => {
  const t = v ? constants.get(v) : undefined;
  return t && shapeSize(t.shape) === 1 ? t.data[0]! : null;
};

/** `t` broadcast (numpy, right-aligned) to `norm` when it varies only along the normalized dims, else null. */
function overNorm(t: HostTensor, norm: number[], rank: number): Float32Array | null {
  if (t.shape.length > rank) return null;
  const lead = t.shape.length - norm.length;
  if (t.shape.slice(0, Math.max(0, lead)).some((d) => d !== 1)) return null;
  const s = t.shape.slice(Math.max(0, lead));
  const sAligned = [...new Array<number>(norm.length - s.length).fill(1), ...s];
  if (sAligned.some((d, i) => d !== 1 && d !== norm[i])) return null;
  const out = new Float32Array(shapeSize(norm));
  const idx = new Array<number>(norm.length).fill(0);
  for (let e = 0; e < out.length; e++) {
    let src = 0;
    for (let k = 0; k < norm.length; k++) src = src * sAligned[k]! + (sAligned[k] === 1 ? 0 : idx[k]!);
    out[e] = t.data[src]!;
    for (let k = norm.length - 1; k >= 0; k--) { if (++idx[k]! < norm[k]!) break; idx[k] = 0; }
  }
  return out;
}

/** Returns a new graph; `g` is not modified. New scale/bias constants go into `constants`. */
export function fuseLayerNorm(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>): Graph {
  const uses = consumers(g);
  const outs = graphOutputNames(g);
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) prod.set(o, n);
  /** The only reader of v inside the pattern (and nowhere else), or undefined. */
  const only = (v: string | undefined): Node | undefined => {
    if (!v || outs.has(v)) return undefined;
    const u = uses.get(v);
    return u && u.length === 1 ? u[0] : undefined;
  };
  const drop = new Set<Node>();
  const replace = new Map<Node, Node>();
  let count = 0;
  for (const mean of g.nodes) {
    if (!isOp(mean, 'ReduceMean') || drop.has(mean)) continue;
    const x = mean.inputs[0]!, xt = types.get(x);
    if (!xt || xt.dtype !== 'float32') continue;
    const rank = xt.shape.length;
    const axes = meanAxes(mean, rank, constants);
    const sub = only(mean.outputs[0]);
    if (!axes || !isOp(sub, 'Sub') || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) continue;
    const d = sub.outputs[0]!;
    if (outs.has(d)) continue;
    const du = uses.get(d) ?? [];
    if (du.length !== 2) continue;
    const sq = du.find((n) => (isOp(n, 'Pow') && n.inputs[0] === d && scalarConst(n.inputs[1], constants) === 2) || (isOp(n, 'Mul') && n.inputs[0] === d && n.inputs[1] === d));
    const div = du.find((n) => n !== sq);
    const mean2 = only(sq?.outputs[0]);
    if (!sq || !isOp(mean2, 'ReduceMean') || (meanAxes(mean2, rank, constants) ?? []).join() !== axes.join()) continue;
    const addEps = only(mean2.outputs[0]);
    if (!isOp(addEps, 'Add')) continue;
    const vIdx = addEps.inputs.indexOf(mean2.outputs[0]!);
    const eps = scalarConst(addEps.inputs[1 - vIdx], constants);
    const sqrt = only(addEps.outputs[0]);
    if (eps === null || !(eps >= 0) || !isOp(sqrt, 'Sqrt')) continue;
    // d / s, or d · (1 / s)
    let normNodes: Node[];
    const sr = only(sqrt.outputs[0]);
    if (isOp(div, 'Div') && div.inputs[0] === d && div.inputs[1] === sqrt.outputs[0] && sr === div) normNodes = [div];
    else if (isOp(sr, 'Reciprocal') && isOp(div, 'Mul') && div.inputs.includes(d) && div.inputs.includes(sr.outputs[0]!) && only(sr.outputs[0]) === div) normNodes = [sr, div];
    else continue;
    let last = div;
    const norm = xt.shape.slice(rank - axes.length);
    // Optional affine part: Mul by a constant scale, then Add a constant bias (either operand order).
    const affine = (n: Node | undefined, op: string): HostTensor | null => {
      if (!isOp(n, op)) return null;
      const other = n.inputs[0] === last.outputs[0] ? n.inputs[1] : n.inputs[0];
      const t = other ? constants.get(other) : undefined;
      const ot = types.get(n.outputs[0]!);
      if (!t || !ot || ot.shape.join() !== xt.shape.join() || !overNorm(t, norm, rank)) return null;
      // the same source tensor gives the same object on every planning (shared weights buffers)
      return derivedConstant([t], `layernorm ${norm.join('x')} ${rank}`, () => ({ dtype: 'float32', shape: norm, data: overNorm(t, norm, rank)! }));
    };
    const extra: Node[] = [];
    const scale = affine(only(last.outputs[0]), 'Mul');
    if (scale) { last = only(last.outputs[0])!; extra.push(last); }
    const bias = affine(only(last.outputs[0]), 'Add');
    if (bias) { last = only(last.outputs[0])!; extra.push(last); }
    const base = `${mean.name || mean.outputs[0]}::layernorm`;
    constants.set(`${base}_scale`, scale ?? { dtype: 'float32', shape: norm, data: new Float32Array(shapeSize(norm)).fill(1) });
    const ins = [x, `${base}_scale`];
    if (bias) { constants.set(`${base}_bias`, bias); ins.push(`${base}_bias`); }
    const ln: Node = {
      name: base, opType: 'LayerNormalization', domain: '', inputs: ins, outputs: [last.outputs[0]!],
      attrs: { axis: { kind: 'int', value: rank - axes.length }, epsilon: { kind: 'float', value: eps } },
    };
    for (const n of [mean, sub, sq, mean2, addEps, sqrt, ...normNodes, ...extra]) drop.add(n);
    drop.delete(last);
    replace.set(last, ln);
    count++;
  }
  if (!count) return g;
  return { ...g, nodes: g.nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n) };
}
