/**
 * Reference comparison: run the same ONNX model in onnxruntime-node (CPU EP) with every node output
 * exposed as a graph output, then compare wgml's captured intermediates node by node.
 * onnxruntime-node is a dev dependency: it is imported only when a reference is asked for.
 */
import type { ElemType, HostTensor, ValueType } from '../ir/types.js';
import { hostArrayFor } from '../ir/types.js';
import { WgmlError } from '../errors.js';
import { f16BitsToF32, f32ToF16Bits } from '../tensor/dtype.js';
import { onnxRoot, protoType } from '../onnx/proto.js';
import type { BadNode, DebugCapture } from './capture.js';

/** onnxruntime could not be loaded or refused the model. */
export class ReferenceUnavailableError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_REFERENCE', message, hint, details);
  }
}

const ELEM_CODE: Partial<Record<ElemType, number>> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13 };
const ORT_TYPE: Partial<Record<ElemType, string>> = { float32: 'float32', float16: 'float16', uint8: 'uint8', int8: 'int8', uint16: 'uint16', int16: 'int16', int32: 'int32', int64: 'int64', bool: 'bool', float64: 'float64', uint32: 'uint32', uint64: 'uint64' };

interface MutableGraph { node: { output: string[] }[]; output: { name: string }[]; initializer: { name: string }[] }

/**
 * The model with every node output of the main graph added to graph.output (original outputs first).
 * ORT takes outputs with only a name; where wgml knows a value's dtype it is given too.
 */
export function exposeIntermediates(model: Uint8Array, types?: Map<string, ValueType>): Uint8Array {
  const T = protoType('ModelProto');
  const m = T.decode(model) as unknown as { graph: MutableGraph };
  const VI = onnxRoot().lookupType('onnx.ValueInfoProto');
  const have = new Set(m.graph.output.map((o) => o.name));
  const inits = new Set(m.graph.initializer.map((i) => i.name));
  for (const n of m.graph.node) for (const o of n.output) {
    if (!o || have.has(o) || inits.has(o)) continue;
    have.add(o);
    const t = types?.get(o);
    const code = t ? ELEM_CODE[t.dtype] : undefined;
    m.graph.output.push(VI.create(code ? { name: o, type: { tensor_type: { elem_type: code } } } : { name: o }) as unknown as { name: string });
  }
  return T.encode(m as never).finish();
}

type Ort = typeof import('onnxruntime-node');

async function ort(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    throw new ReferenceUnavailableError(`onnxruntime-node could not be loaded: ${(e as Error).message}`, 'install it (npm i -D onnxruntime-node) to use --reference');
  }
}

function toOrt(o: Ort, t: HostTensor): InstanceType<Ort['Tensor']> {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new ReferenceUnavailableError(`input dtype ${t.dtype} cannot be given to onnxruntime`, 'use a float or integer input');
  const d = t.data;
  let data: Float32Array | Float64Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
  switch (type) {
    case 'float32': data = Float32Array.from(d); break;
    case 'float64': data = Float64Array.from(d); break;
    // onnxruntime-node takes float16 as its bits (host data holds the values as f32)
    case 'float16': data = Uint16Array.from(d, f32ToF16Bits); break;
    case 'int64': data = BigInt64Array.from(d, (v) => BigInt(Math.trunc(v))); break;
    case 'uint64': data = BigUint64Array.from(d, (v) => BigInt(Math.trunc(v))); break;
    case 'int32': data = Int32Array.from(d); break;
    case 'uint32': data = Uint32Array.from(d); break;
    case 'int16': data = Int16Array.from(d); break;
    case 'uint16': data = Uint16Array.from(d); break;
    case 'int8': data = Int8Array.from(d); break;
    default: data = Uint8Array.from(d);
  }
  return new o.Tensor(type as 'float32', data as Float32Array, t.shape);
}

function fromOrt(t: { type: string; dims: readonly number[]; data: unknown }): HostTensor | null {
  const dtype = (Object.entries(ORT_TYPE).find(([, v]) => v === t.type)?.[0] ?? null) as ElemType | null;
  if (!dtype) return null;
  const src = t.data as ArrayLike<number | bigint>;
  const data = hostArrayFor(dtype, src.length);
  // float16 comes back as bits in a Uint16Array (or as values where the runtime has Float16Array)
  const bits = dtype === 'float16' && src instanceof Uint16Array;
  for (let i = 0; i < src.length; i++) data[i] = bits ? f16BitsToF32(src[i] as number) : Number(src[i]!);
  return { dtype, shape: [...t.dims], data };
}

/** Every node output of the model computed by onnxruntime (CPU EP), by value name. */
export async function referenceValues(model: Uint8Array, inputs: Record<string, HostTensor>, types?: Map<string, ValueType>): Promise<Map<string, HostTensor>> {
  const o = await ort();
  let session;
  try {
    session = await o.InferenceSession.create(exposeIntermediates(model, types), { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  } catch (e) {
    throw new ReferenceUnavailableError(`onnxruntime refused the model with its intermediates exposed: ${(e as Error).message}`, 'check that onnxruntime supports every op and opset of the model');
  }
  try {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const name of session.inputNames) {
      const h = inputs[name];
      if (!h) throw new ReferenceUnavailableError(`onnxruntime needs input '${name}'`, 'give every model input');
      feeds[name] = toOrt(o, h);
    }
    const res = await session.run(feeds);
    const out = new Map<string, HostTensor>();
    for (const [k, v] of Object.entries(res)) { const h = fromOrt(v as never); if (h) out.set(k, h); }
    return out;
  } finally {
    await session.release();
  }
}

/** max |a − r| over max |r| (floored at `atol`); Infinity where NaN/Inf appear on one side only or sizes differ. */
export function relativeError(a: ArrayLike<number>, r: ArrayLike<number>, atol = 1e-6): number {
  if (a.length !== r.length) return Infinity;
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = r[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) { if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity; continue; }
    if (!Number.isFinite(x) || !Number.isFinite(y)) { if (x !== y) return Infinity; continue; }
    err = Math.max(err, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(y));
  }
  return err / Math.max(scale, atol);
}

export interface NodeComparison {
  index: number;
  name: string;
  op: string;
  /** Per compared output: relative error against onnxruntime. */
  outputs: { name: string; relErr: number }[];
  /** Worst over the outputs; null when none could be compared. */
  relErr: number | null;
}

/**
 * onnxruntime rounds every float16 value to float16 where wgml keeps f32 words: float16 outputs are
 * compared at float16's precision (a few ulps of 2^-10) rather than at `rtol`.
 */
export const FLOAT16_RTOL = 1e-2;

/** Compare a capture with reference values node by node; the first node over `rtol` is named. */
export function compareWithReference(cap: DebugCapture, ref: Map<string, HostTensor>, rtol = 1e-3): { nodes: NodeComparison[]; firstBad: BadNode | null } {
  let firstBad: BadNode | null = null;
  const tol = (o: string) => (ref.get(o)!.dtype === 'float16' ? Math.max(rtol, FLOAT16_RTOL) : rtol);
  const nodes = cap.nodes.map((n): NodeComparison => {
    const outputs = n.outputs.filter((o) => ref.has(o.name) && cap.values.has(o.name))
      .map((o) => ({ name: o.name, relErr: relativeError(cap.values.get(o.name)!.data, ref.get(o.name)!.data) }));
    const relErr = outputs.length ? Math.max(...outputs.map((o) => o.relErr)) : null;
    const over = outputs.filter((o) => !(o.relErr <= tol(o.name)));
    if (over.length && !firstBad) {
      const worst = over.reduce((a, b) => (b.relErr > a.relErr ? b : a));
      firstBad = { name: n.name, op: n.domain ? `${n.domain}.${n.op}` : n.op, index: n.index, reason: `output '${worst.name}' differs from onnxruntime: relative error ${worst.relErr.toExponential(2)} > rtol ${tol(worst.name)}${tol(worst.name) !== rtol ? ' (float16)' : ''}` };
    }
    return { index: n.index, name: n.name, op: n.op, outputs, relErr };
  });
  return { nodes, firstBad };
}
