/**
 * Split GEMM weights too large for one storage binding. A kernel binds each weight as one range of at
 * most maxStorageBufferBindingSize bytes (128 MiB on many devices, lavapipe's included), and the first
 * Linear of torchvision's AlexNet (9216×4096) and VGG (25088×4096) is larger. A Gemm or MatMul whose
 * constant B is over the limit becomes one node per column block of B (each within the limit, a
 * constant C sliced the same way) and a Concat of their outputs along the last axis; the Concat is
 * usually elided (each block writes its slice of the output). Runs whatever the fuse option says:
 * without it the network cannot run at all.
 */
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { derivedConstant } from '../ir/derived.js';

/** Columns [c0, c1) of a row-major [R, N] matrix (or of a length-N vector when R = 1). */
function columns(t: HostTensor, rows: number, n: number, c0: number, c1: number, shape: number[]): HostTensor {
  const w = c1 - c0;
  const data = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * n + c0, r * n + c1), r * w);
  return { dtype: t.dtype, shape, data };
}

/** Rows [r0, r1) of a row-major [N, K] matrix: a contiguous range. */
function rowRange(t: HostTensor, k: number, r0: number, r1: number): HostTensor {
  return { dtype: t.dtype, shape: [r1 - r0, k], data: Float32Array.from(t.data.subarray(r0 * k, r1 * k)) };
}

/**
 * Column blocks of N for a K-deep weight: as few as the limit allows, of equal width rounded up to a
 * multiple of 64 (aligned slices of the output, so the Concat can be elided) when that still fits.
 */
function blocks(n: number, k: number, maxBytes: number): [number, number][] {
  const fit = Math.floor(maxBytes / (4 * k));
  if (fit < 1) return [];
  const count = Math.ceil(n / fit);
  let width = Math.ceil(n / count);
  if (Math.ceil(width / 64) * 64 <= fit) width = Math.ceil(width / 64) * 64;
  const out: [number, number][] = [];
  for (let c = 0; c < n; c += width) out.push([c, Math.min(n, c + width)]);
  return out;
}

export function splitWideWeights(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>, maxBindBytes: number): Graph {
  let changed = false;
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const split = n.domain === '' && (n.opType === 'Gemm' || n.opType === 'MatMul') ? splitNode(n, types, constants, maxBindBytes) : null;
    if (split) { nodes.push(...split); changed = true; } else nodes.push(n);
  }
  return changed ? { ...g, nodes } : g;
}

function splitNode(n: Node, types: Map<string, ValueType>, constants: Map<string, HostTensor>, maxBytes: number): Node[] | null {
  const w = constants.get(n.inputs[1] ?? '');
  const y = types.get(n.outputs[0] ?? '');
  if (!w || !y || w.shape.length !== 2 || !(w.data instanceof Float32Array) || w.data.length * 4 <= maxBytes) return null;
  const transB = n.opType === 'Gemm' && n.attrs.transB?.value === 1;
  const [k, N] = transB ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
  // C: absent, or a constant that is one value per output column (or broadcast along them)
  const cName = n.opType === 'Gemm' ? n.inputs[2] ?? '' : '';
  const c = cName ? constants.get(cName) : undefined;
  if (cName && (!c || !(c.data instanceof Float32Array) || c.shape.length > 2)) return null;
  const cCols = c && c.shape.length && c.shape[c.shape.length - 1] === N && N > 1;
  const parts = blocks(N, k, maxBytes);
  if (parts.length < 2) return null;
  const out: Node[] = [];
  const outs: string[] = [];
  for (const [c0, c1] of parts) {
    const wName = `${n.inputs[1]}::cols${c0}-${c1}`;
    if (!constants.has(wName)) {
      const t = derivedConstant([w], `split columns ${c0}-${c1}`, () => (transB ? rowRange(w, k, c0, c1) : columns(w, k, N, c0, c1, [k, c1 - c0])));
      constants.set(wName, t);
      types.set(wName, { dtype: t.dtype, shape: t.shape });
    }
    const inputs = [n.inputs[0]!, wName];
    if (cName) {
      let cPart = cName;
      if (cCols) {
        cPart = `${cName}::cols${c0}-${c1}`;
        if (!constants.has(cPart)) {
          const rows = c!.shape.length === 2 ? c!.shape[0]! : 1;
          const t = derivedConstant([c!], `split columns ${c0}-${c1}`, () => columns(c!, rows, N, c0, c1, [...c!.shape.slice(0, -1), c1 - c0]));
          constants.set(cPart, t);
          types.set(cPart, { dtype: t.dtype, shape: t.shape });
        }
      }
      inputs.push(cPart);
    }
    const o = `${n.outputs[0]}::cols${c0}-${c1}`;
    types.set(o, { dtype: y.dtype, shape: [...y.shape.slice(0, -1), c1 - c0] });
    outs.push(o);
    out.push({ ...n, name: `${n.name}/cols${c0}-${c1}`, inputs, outputs: [o] });
  }
  out.push({ name: `${n.name}/concat`, opType: 'Concat', domain: '', inputs: outs, outputs: [n.outputs[0]!], attrs: { axis: { kind: 'int', value: y.shape.length - 1 } } });
  return out;
}
