/**
 * QDQ pairs to one elementwise op: a QuantizeLinear whose every reader is a DequantizeLinear with the same per-tensor
 * scale and zero point (constants) becomes wgml.QuantDequant at each reader (ops/quant/quant-dequant.ts), and the
 * integer value between them disappears. A QDQ-format model (onnxruntime's quantize_static default) holds such a pair
 * on every activation that feeds a quantized op, with float ops between the pairs once the weights' DequantizeLinear
 * has folded; as elementwise ops the pairs fuse into the chains around them. Outputs are bit-identical to the pairs'.
 * Left alone: per-axis scales, non-constant scales or zero points, a quantized value that something else reads
 * (a QLinear op, a graph output), float16 scales, and 16/32-bit quantization.
 */
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
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

export function foldQdq(g: Graph, constants: Map<string, HostTensor>, types: Map<string, ValueType>): Graph {
  const uses = consumers(g), outs = graphOutputNames(g);
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
    for (const d of readers) {
      replace.set(d, {
        name: d.name, opType: 'QuantDequant', domain: 'wgml', inputs: [q.inputs[0]!], outputs: [d.outputs[0]!],
        attrs: { scale: { kind: 'float', value: qp.scale }, zero_point: { kind: 'int', value: qp.zero }, lo: { kind: 'int', value: lo }, hi: { kind: 'int', value: hi } },
      });
    }
  }
  if (!drop.size) return g;
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
  const gone = new Set([...drop].map((q) => q.outputs[0]!));
  const valueInfo = new Map([...g.valueInfo].filter(([k]) => !gone.has(k)));
  return { ...g, nodes, valueInfo, opsets: { ...g.opsets, wgml: g.opsets['wgml'] ?? 1 } };
}
