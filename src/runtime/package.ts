/**
 * The `.wgml` package: one file holding a manifest (format version, graph, checksums) and the
 * weights as a safetensors section.
 *
 *   bytes 0..3   "WGML"
 *   bytes 4..7   format version (u32 LE)
 *   bytes 8..11  manifest length M (u32 LE)
 *   12..12+M     manifest JSON (UTF-8)
 *   then, 8-aligned, the sections the manifest lists (offset/length from the file start, FNV-1a-64 checksum)
 *
 * Graph attributes of kind tensor and graph are stored inline in the manifest (tensors as base64).
 */
import type { AttrValue, ElemType, Graph, HostTensor, Node } from '../ir/types.js';
import { hostArrayFor, shapeSize, storageType } from '../ir/types.js';
import { ModelFormatError, WgmlError } from '../errors.js';
import { crc32 } from '../ir/checksum.js';
import { validateGraph, SUPPORTED_OPSETS } from '../onnx/validate.js';
import { checkElemType, checkGraphJson, checkStaticShape } from './package-check.js';
import { readSafetensors, tensorAsF32, writeSafetensors, type SafeDType, type SafeInput } from '../tensor/safetensors.js';
import { f16BitsToF32Array, f32ArrayToF16Bits } from '../tensor/dtype.js';
import { allHalf } from './half-weights.js';

/** 2: initializers may travel at their own width (F16, I8, U8); version 1 packages (32-bit words only) still load. */
export const PACKAGE_VERSION = 2;
const MAGIC = [0x57, 0x47, 0x4d, 0x4c]; // WGML

export function isPackage(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

/** CRC-32 of a section, hex: detects corruption (not tampering) without async crypto. */
export function checksum(bytes: Uint8Array): string {
  return crc32(bytes).toString(16).padStart(8, '0');
}

interface Manifest {
  format: 'wgml';
  version: number;
  producer: string;
  graph: unknown;
  sections: { name: string; offset: number; length: number; checksum: string }[];
  tensors: Record<string, { dtype: HostTensor['dtype']; shape: number[] }>;
}

function b64(a: ArrayBufferView): string {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
}
function unb64(s: string): Uint8Array {
  const bin = atob(s);
  const u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return u;
}

/** A tensor attribute inline, at its own width where that loses nothing (`enc`, as safeDTypeOf decides; none: 32-bit words). */
function encodeTensorInline(t: HostTensor): unknown {
  const enc = safeDTypeOf(t);
  if (enc === 'F16') return { dtype: t.dtype, shape: t.shape, enc, data: b64(f32ArrayToF16Bits(t.data)) };
  if (enc === 'I8' || enc === 'U8') return { dtype: t.dtype, shape: t.shape, enc, data: b64(enc === 'I8' ? Int8Array.from(t.data) : Uint8Array.from(t.data)) };
  return { dtype: t.dtype, shape: t.shape, data: b64(t.data) };
}
function decodeTensorInline(j: { dtype: HostTensor['dtype']; shape: number[]; data: string; enc?: SafeDType }): HostTensor {
  const raw = unb64(j.data), n = shapeSize(j.shape);
  const width = j.enc === undefined ? 4 : j.enc === safeNarrow(j.dtype) ? (j.enc === 'F16' ? 2 : 1) : 0;
  // Compare sizes before allocating: a corrupt shape must not trigger a multi-gigabyte allocation.
  if (!width || raw.byteLength !== n * width) throw new ModelFormatError(`inline tensor ${j.dtype} [${j.shape}]${j.enc ? ` (${j.enc})` : ''} has ${raw.byteLength} bytes`, 'the package is corrupt');
  const data = hostArrayFor(j.dtype, n);
  if (width === 4) new Uint8Array(data.buffer).set(raw);
  else if (j.enc === 'F16') data.set(f16BitsToF32Array(new Uint16Array(raw.buffer, raw.byteOffset, n)));
  else data.set(j.enc === 'I8' ? new Int8Array(raw.buffer, raw.byteOffset, n) : raw);
  return { dtype: j.dtype, shape: j.shape, data };
}

function encodeGraph(g: Graph): unknown {
  const attr = (a: AttrValue): unknown => a.kind === 'tensor' ? { kind: 'tensor', value: encodeTensorInline(a.value) }
    : a.kind === 'graph' ? { kind: 'graph', value: encodeGraph(a.value) } : a;
  return {
    name: g.name, inputs: g.inputs, outputs: g.outputs, opsets: g.opsets,
    valueInfo: [...g.valueInfo.values()],
    nodes: g.nodes.map((n) => ({ ...n, attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, attr(v)])) })),
  };
}

function decodeGraph(j: Record<string, unknown>, initializers: Map<string, HostTensor>): Graph {
  // JSON writes NaN and ±Infinity as null: float attributes read null back as NaN.
  const attr = (a: { kind: string; value: unknown }): AttrValue => a.kind === 'tensor' ? { kind: 'tensor', value: decodeTensorInline(a.value as never) }
    : a.kind === 'graph' ? { kind: 'graph', value: decodeGraph(a.value as Record<string, unknown>, new Map()) }
    : a.kind === 'float' && a.value === null ? { kind: 'float', value: NaN }
    : a.kind === 'floats' ? { kind: 'floats', value: (a.value as (number | null)[]).map((x) => x ?? NaN) } : a as AttrValue;
  const nodes = (j.nodes as Node[]).map((n) => ({ ...n, attrs: Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, attr(v as never)])) }));
  const vi = (j.valueInfo as Graph['inputs']) ?? [];
  return { name: String(j.name ?? ''), inputs: j.inputs as Graph['inputs'], outputs: j.outputs as Graph['outputs'], opsets: j.opsets as Graph['opsets'], nodes, initializers, valueInfo: new Map(vi.map((v) => [v.name, v])) };
}

/**
 * How an initializer travels in the package: at its own width where that loses nothing (float16 values as F16,
 * int8/uint8 as I8/U8, so a float16 or quantized model's package is the size of its ONNX file, not 2–4× it),
 * else as a 32-bit word (u32 as its i32 bit pattern); the manifest keeps the element type.
 */
function safeDTypeOf(t: HostTensor): SafeDType {
  if (t.dtype === 'int8' || t.dtype === 'uint8') return t.dtype === 'int8' ? 'I8' : 'U8';
  if (t.data instanceof Float32Array) return t.data.length && allHalf(t.data) ? 'F16' : 'F32';
  return 'I32';
}

/** Write a graph (already optimized by the caller) into a `.wgml` package. */
export function writePackage(g: Graph, producer = 'wgml'): Uint8Array {
  const tensors: Record<string, SafeInput> = {};
  const meta: Manifest['tensors'] = {};
  for (const [name, t] of g.initializers) {
    // u32 words travel as their i32 bit pattern; the manifest keeps the real element type
    const data = storageType(t.dtype) === 'u32' ? new Int32Array(t.data.buffer, t.data.byteOffset, t.data.length) : t.data;
    tensors[name] = { dtype: safeDTypeOf(t), shape: t.shape, data };
    meta[name] = { dtype: t.dtype, shape: t.shape };
  }
  const weights = writeSafetensors(tensors, { producer });
  const manifest: Manifest = { format: 'wgml', version: PACKAGE_VERSION, producer, graph: encodeGraph(g), sections: [], tensors: meta };
  // the section offset depends on the manifest length, which depends on the offset: iterate to a fixed point
  let offset = 0;
  let json = '';
  for (let k = 0; k < 4; k++) {
    manifest.sections = [{ name: 'weights', offset, length: weights.length, checksum: checksum(weights) }];
    json = JSON.stringify(manifest);
    const next = Math.ceil((12 + new TextEncoder().encode(json).length) / 8) * 8;
    if (next === offset) break;
    offset = next;
  }
  const mj = new TextEncoder().encode(json);
  const out = new Uint8Array(offset + weights.length);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, PACKAGE_VERSION, true);
  dv.setUint32(8, mj.length, true);
  out.set(mj, 12);
  out.set(weights, offset);
  return out;
}

/** The narrow safetensors dtype an element type may travel as (safeDTypeOf), if any. */
const safeNarrow = (d: ElemType): SafeDType | null => (d === 'int8' ? 'I8' : d === 'uint8' ? 'U8' : storageType(d) === 'f32' ? 'F16' : null);

/** Read a `.wgml` package, verifying version, bounds and checksums. */
export function readPackage(bytes: Uint8Array): Graph {
  if (!isPackage(bytes)) throw new ModelFormatError('not a .wgml package (bad magic)', 'pass a file written by `wgml convert`', { offset: 0 });
  if (bytes.length < 12) throw new ModelFormatError(`the package is truncated (${bytes.length} bytes)`, 'the file is incomplete', { offset: bytes.length });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version < 1 || version > PACKAGE_VERSION) throw new ModelFormatError(`package format version ${version}; this wgml reads versions 1–${PACKAGE_VERSION}`, 'convert the model again with this wgml', { offset: 4, version });
  const mlen = dv.getUint32(8, true);
  if (12 + mlen > bytes.length) throw new ModelFormatError(`the manifest (${mlen} bytes at offset 12) runs past the end of the file (${bytes.length} bytes)`, 'the file is truncated', { offset: 8 });
  let manifest: Manifest;
  try { manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + mlen))) as Manifest; } catch (e) {
    throw new ModelFormatError(`the manifest is not valid JSON: ${(e as Error).message}`, 'the file is corrupt', { offset: 12 });
  }
  if (manifest.format !== 'wgml' || !Array.isArray(manifest.sections) || typeof manifest.graph !== 'object' || !manifest.graph)
    throw new ModelFormatError('the manifest lacks format/sections/graph', 'the file is corrupt', { offset: 12 });
  const w = manifest.sections.find((s) => typeof s === 'object' && s !== null && s.name === 'weights');
  if (!w || !Number.isInteger(w.offset) || !Number.isInteger(w.length) || w.offset < 0 || w.length < 0 || w.offset + w.length > bytes.length)
    throw new ModelFormatError(`the weights section (${JSON.stringify(w)}) does not fit in the file (${bytes.length} bytes)`, 'the file is truncated or corrupt', { offset: w?.offset });
  const section = bytes.subarray(w.offset, w.offset + w.length);
  const sum = checksum(section);
  if (sum !== w.checksum) throw new ModelFormatError(`the weights section checksum is ${sum}, the manifest says ${w.checksum}`, 'the file is corrupt', { offset: w.offset });
  checkGraphJson(manifest.graph);
  let st: ReturnType<typeof readSafetensors>;
  try { st = readSafetensors(section); } catch (e) {
    if (e instanceof WgmlError) throw e;
    throw new ModelFormatError(`the weights section is malformed: ${(e as Error).message}`, 'the file is corrupt', { offset: w.offset });
  }
  const inits = new Map<string, HostTensor>();
  for (const [name, t] of st.tensors) {
    const m = Object.prototype.hasOwnProperty.call(manifest.tensors ?? {}, name) ? manifest.tensors[name] : undefined;
    if (!m) throw new ModelFormatError(`weight '${name}' is not described in the manifest`, 'the file is corrupt', { tensor: name });
    checkElemType(m.dtype, `tensors.${name}.dtype`);
    checkStaticShape(m.shape, `tensors.${name}.shape`);
    const n = shapeSize(m.shape), wide = t.dtype === 'F32' || t.dtype === 'I32';
    if (t.data.length !== n || (!wide && t.dtype !== safeNarrow(m.dtype)))
      throw new ModelFormatError(`weight '${name}' holds ${t.data.length} ${t.dtype} values for ${m.dtype} [${m.shape}]`, 'the file is corrupt', { tensor: name });
    const data = hostArrayFor(m.dtype, n);
    if (wide) new Uint8Array(data.buffer).set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    else data.set(t.dtype === 'F16' ? tensorAsF32(t) : t.data);
    inits.set(name, { dtype: m.dtype, shape: m.shape, data });
  }
  let graph: Graph;
  try {
    graph = decodeGraph(manifest.graph as Record<string, unknown>, inits);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`the graph in the manifest is malformed: ${(e as Error).message}`, 'the file is corrupt', { offset: 12 });
  }
  const v = graph.opsets[''];
  if (v !== undefined && (v < SUPPORTED_OPSETS[0] || v > SUPPORTED_OPSETS[1]))
    throw new ModelFormatError(`the package's graph imports ONNX opset ${v}; wgml supports opsets ${SUPPORTED_OPSETS[0]}..${SUPPORTED_OPSETS[1]}`, 'convert the model again with `wgml convert`', { opset: v });
  // Same structural checks as ONNX import: SSA, no dangling reads, no cycles. Fused ops of wgml's own
  // domain need no import (opsetOf defaults it), so validation sees it as imported.
  const importWgml = (g: Graph): void => {
    if (g.nodes.some((n) => n.domain === 'wgml')) g.opsets = { wgml: 1, ...g.opsets };
    for (const n of g.nodes) for (const a of Object.values(n.attrs)) if (a.kind === 'graph') importWgml(a.value);
  };
  importWgml(graph);
  return validateGraph(graph);
}
