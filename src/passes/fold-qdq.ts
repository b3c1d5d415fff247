/**
 * QDQ pairs to one elementwise op: a QuantizeLinear whose every reader is a DequantizeLinear with the same per-tensor
 * scale and zero point (constants) becomes wgml.QuantDequant at each reader (ops/quant/quant-dequant.ts), and the
 * integer value between them disappears. A QDQ-format model (onnxruntime's quantize_static default) holds such a pair
 * on every activation that feeds a quantized op, with float ops between the pairs once the weights' DequantizeLinear
 * has folded; as elementwise ops the pairs fuse into the chains around them, or into a convolution as its epilogue
 * activation (a Relu before a pair with the zero point at the range's low end is dropped: the pair subsumes it).
 * Outputs are bit-identical to the pairs' (NaN aside: WGSL's max(NaN, 0) may give either).
 * A Quantize or DequantizeLinear outside such a pair (the integer value is read by a QLinear op, or is one's output)
 * becomes wgml.Quantize / wgml.Dequantize, fusable likewise: a QOperator model's QLinearAdd, rewritten at import as
 * Dequantize → Add → Quantize (onnx/qoperator.ts), runs as one elementwise kernel.
 * Left alone: per-axis scales, non-constant scales or zero points, float16 scales, and 16/32-bit quantization.
 */
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { consumers, graphOutputNames } from './graph-util.js';

const RANGE: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

/** The scale and zero point of a Q or DQ node when both are scalar constants (a missing zero point is 0, uint8). */
function params(n: Node, constants: Map<string, HostTensor>, types: Map<string, ValueType>): { scale: number; zero: number; dtype: string } | null {
  const s = constants.get(n.inputs[1] ?? ''), z = n.inputs[2] ? constants.get(n.inputs[2]) : undefined;
  if (!s || s.dtype !== 'float32' || s.data.length !== 1 || (n.inputs[2] && !z) || (z && z.data.length !== 1)) return null;
  if (n.opType === 'QuantizeLinear' && n.attrs.output_dtype && !z) return null;
  const dtype = z ? z.dtype : n.opType === 'DequantizeLinear' ? types.get(n.inputs[0] ?? '')?.dtype ?? '' : 'uint8';
  return { scale: s.data[0]!, zero: z ? z.data[0]! : 0, dtype };
}

/** The attributes of wgml.QuantDequant / Quantize / Dequantize (ops/quant/quant-dequant.ts). */
const qAttrs = (p: { scale: number; zero: number }, lo: number, hi: number): Record<string, AttrValue> => ({
  scale: { kind: 'float', value: p.scale }, zero_point: { kind: 'int', value: p.zero }, lo: { kind: 'int', value: lo }, hi: { kind: 'int', value: hi },
});

export function foldQdq(g: Graph, constants: Map<string, HostTensor>, types: Map<string, ValueType>): Graph {
  const uses = consumers(g), outs = graphOutputNames(g);
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const replace = new Map<Node, Node>(), drop = new Set<Node>();
  for (const q of g.nodes) {
    if (q.opType !== 'QuantizeLinear' || q.domain !== '' || types.get(q.inputs[0] ?? '')?.dtype !== 'float32') continue;
    const v = q.outputs[0]!, qp = params(q, constants, types);
    if (!qp || !RANGE[qp.dtype] || outs.has(v)) continue;
    const readers = uses.get(v) ?? [];
    const same = (d: Node) => {
      if (d.opType !== 'DequantizeLinear' || d.domain !== '' || d.inputs[0] !== v || d.inputs.slice(1).includes(v)) return false;
      const dp = params(d, constants, types);
      return !!dp && dp.scale === qp.scale && dp.zero === qp.zero && dp.dtype === qp.dtype;
    };
    if (!readers.length || !readers.every(same)) continue;
    const [lo, hi] = RANGE[qp.dtype]!;
    drop.add(q);
    // A Relu before a pair whose zero point is the range's low end changes nothing the pair lets through (a negative x
    // and 0 both quantize to the zero point, which dequantizes to 0), so the pair reads the Relu's input: a convolution
    // then takes the pair as its one epilogue activation (passes/fuse-epilogue.ts).
    const p = producer.get(q.inputs[0]!);
    let x = q.inputs[0]!;
    if (p && p.opType === 'Relu' && p.domain === '' && qp.zero === lo && !outs.has(x) && (uses.get(x) ?? []).length === 1) { drop.add(p); x = p.inputs[0]!; }
    for (const d of readers) {
      replace.set(d, {
        name: d.name, opType: 'QuantDequant', domain: 'wgml', inputs: [x], outputs: [d.outputs[0]!],
        attrs: qAttrs(qp, lo, hi),
      });
    }
  }
  // the lone ones (a value read as integers by a QLinear op, or a QLinear op's output read as float) as fusable ops
  for (const n of g.nodes) {
    if (drop.has(n) || replace.has(n) || n.domain !== '' || (n.opType !== 'QuantizeLinear' && n.opType !== 'DequantizeLinear')) continue;
    const p = params(n, constants, types), range = p && RANGE[p.dtype];
    const float = types.get(n.opType === 'QuantizeLinear' ? n.inputs[0]! : n.outputs[0]!)?.dtype === 'float32';
    if (!p || !range || !float) continue;
    replace.set(n, {
      name: n.name, opType: n.opType === 'QuantizeLinear' ? 'Quantize' : 'Dequantize', domain: 'wgml', inputs: [n.inputs[0]!], outputs: [n.outputs[0]!],
      attrs: { ...qAttrs(p, range[0], range[1]), int_type: { kind: 'string', value: p.dtype } },
    });
  }
  if (!drop.size && !replace.size) return g;
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
  const gone = new Set([...drop].map((n) => n.outputs[0]!));
  const valueInfo = new Map([...g.valueInfo].filter(([k]) => !gone.has(k)));
  return { ...g, nodes, valueInfo, opsets: { ...g.opsets, wgml: g.opsets['wgml'] ?? 1 } };
}
