/**
 * Mutations of ONNX bytes (raw and structure-aware through the protobufjs schema) and of `.wgml`
 * packages (raw, manifest JSON, safetensors header with the checksum fixed up so the corruption
 * gets past the integrity check and reaches the decoders behind it).
 */
import { protoType } from '../onnx/proto.js';
import { checksum } from '../runtime/package.js';
import { chance, int, INTERESTING, pick, type Rng } from './rng.js';
import type { Obj } from './seeds.js';

// ---- raw bytes ----

export function mutateBytes(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  // A copy, never a view: Node Buffers' slice() shares memory, and seeds must stay intact.
  let b = new Uint8Array(src);
  const kind = int(r, 7);
  const at = () => int(r, Math.max(1, b.length));
  switch (kind) {
    case 0: { const n = 1 + int(r, 8); for (let k = 0; k < n; k++) { const i = at(); b[i]! ^= 1 << int(r, 8); } return { bytes: b, what: `raw: ${n} bit flip(s)` }; }
    case 1: { const i = at(); b[i] = pick(r, [0, 0xff, 0x7f, 0x80, 0x01, int(r, 256)]); return { bytes: b, what: `raw: byte ${i} set` }; }
    case 2: { const n = at(); return { bytes: b.subarray(0, n), what: `raw: truncated to ${n}` }; }
    case 3: { const i = at(), n = 1 + int(r, 16); const ins = new Uint8Array(n).map(() => int(r, 256)); const out = new Uint8Array(b.length + n); out.set(b.subarray(0, i)); out.set(ins, i); out.set(b.subarray(i), i + n); return { bytes: out, what: `raw: ${n} bytes inserted at ${i}` }; }
    case 4: { const i = at(), n = 1 + int(r, 32); const out = new Uint8Array([...b.subarray(0, i), ...b.subarray(i + n)]); return { bytes: out, what: `raw: ${n} bytes deleted at ${i}` }; }
    case 5: { const i = at(), n = 1 + int(r, 64); const chunk = b.slice(i, i + n); const j = at(); const out = new Uint8Array(b.length + chunk.length); out.set(b.subarray(0, j)); out.set(chunk, j); out.set(b.subarray(j), j + chunk.length); return { bytes: out, what: `raw: duplicated ${chunk.length} bytes ${i}→${j}` }; }
    default: { // varint-ish: overwrite with a 10-byte maximal varint
      const i = at(); const n = Math.min(10, b.length - i); for (let k = 0; k < n - 1; k++) b[i + k] = 0xff; if (n > 0) b[i + n - 1] = 0x01;
      b = b.slice(); return { bytes: b, what: `raw: max varint at ${i}` };
    }
  }
}

// ---- structure-aware ONNX ----

const OPS = ['Conv', 'Relu', 'MaxPool', 'AveragePool', 'Gemm', 'MatMul', 'Add', 'Reshape', 'Transpose', 'Concat', 'Slice', 'Gather', 'Expand',
  'Tile', 'Pad', 'Resize', 'Softmax', 'ReduceMean', 'Split', 'Squeeze', 'Unsqueeze', 'ConvTranspose', 'Cast', 'ConstantOfShape', 'Range',
  'Where', 'Sum', 'Identity', 'Flatten', 'LSTM', 'Loop', 'If', 'NonZero', 'TopK', 'Einsum', 'NoSuchOp', '', 'DepthToSpace', 'Trilu', 'CumSum'];
const ATTRS = ['kernel_shape', 'pads', 'strides', 'dilations', 'axis', 'axes', 'group', 'perm', 'to', 'epsilon', 'alpha', 'auto_pad', 'mode',
  'output_padding', 'output_shape', 'keepdims', 'transA', 'transB', 'blocksize', 'split', 'value', 'ceil_mode', 'coordinate_transformation_mode'];

const interesting = (r: Rng): number => (chance(r, 0.8) ? pick(r, INTERESTING) : int(r, 20) - 5);
const absurdFloat = (r: Rng): number => pick(r, [NaN, Infinity, -Infinity, 1e30, -1, 0, 3.4e38, 1e-45]);

function allGraphs(g: Obj, out: Obj[] = []): Obj[] {
  out.push(g);
  for (const n of g.node ?? []) for (const a of n.attribute ?? []) { if (a.g) allGraphs(a.g, out); for (const sg of a.graphs ?? []) allGraphs(sg, out); }
  return out;
}
function valueInfos(g: Obj): Obj[] { return [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]; }

function randomAttr(r: Rng, name: string): Obj {
  switch (int(r, 5)) {
    case 0: return { name, type: 7, ints: Array.from({ length: int(r, 9) }, () => interesting(r)) };
    case 1: return { name, type: 2, i: interesting(r) };
    case 2: return { name, type: 1, f: absurdFloat(r) };
    case 3: return { name, type: 3, s: new TextEncoder().encode(pick(r, ['', 'NOTSET', 'SAME_UPPER', 'VALID', 'linear', 'xyz', 'nearest'])) };
    default: return { name, type: int(r, 16), ...(chance(r, 0.5) ? { i: 1 } : {}) };
  }
}

/** Structure-aware mutations on a decoded ModelProto (plain object). Returns what it did. */
function mutateModel(r: Rng, m: Obj): string {
  const g: Obj = pick(r, allGraphs(m.graph));
  const nodes: Obj[] = g.node ?? (g.node = []);
  const inits: Obj[] = g.initializer ?? (g.initializer = []);
  const node = nodes.length ? pick(r, nodes) : null;
  const kind = int(r, 20);
  switch (kind) {
    case 0: { // dims of a declared value
      const vis = valueInfos(g).filter((v) => v.type?.tensor_type?.shape?.dim?.length);
      if (!vis.length) break;
      const v = pick(r, vis); const dims = v.type.tensor_type.shape.dim; const d = int(r, dims.length);
      const x = int(r, 4);
      if (x === 0) dims[d] = { dim_value: interesting(r) };
      else if (x === 1) dims.push({ dim_value: interesting(r) });
      else if (x === 2) dims.splice(d, 1);
      else dims[d] = { dim_param: pick(r, ['', 'N', 'H', '?']) };
      return `dims of '${v.name}'`;
    }
    case 1: { // initializer dims disagree with its data
      if (!inits.length) break;
      const t = pick(r, inits); t.dims = [...(t.dims ?? [])];
      if (chance(r, 0.5) && t.dims.length) t.dims[int(r, t.dims.length)] = interesting(r); else t.dims.push(interesting(r));
      return `dims of initializer '${t.name}'`;
    }
    case 2: { // element types
      if (chance(r, 0.5) && inits.length) { const t = pick(r, inits); t.data_type = int(r, 26); return `data_type of '${t.name}' = ${t.data_type}`; }
      const vis = valueInfos(g).filter((v) => v.type?.tensor_type); if (!vis.length) break;
      const v = pick(r, vis); v.type.tensor_type.elem_type = int(r, 26);
      if (chance(r, 0.2)) v.type = { sequence_type: { elem_type: { tensor_type: { elem_type: 1 } } } };
      return `elem_type of '${v.name}'`;
    }
    case 3: { if (!node?.input?.length) break; node.input[int(r, node.input.length)] = `dangling_${int(r, 100)}`; return `dangling input of '${node.name}'`; }
    case 4: { // cycle: an early node reads a later node's output
      if (nodes.length < 1) break;
      const i = int(r, nodes.length), j = i + int(r, nodes.length - i);
      if (!nodes[i].input?.length || !nodes[j].output?.length) break;
      nodes[i].input[0] = nodes[j].output[0]; return `cycle ${i}←${j}`;
    }
    case 5: { // duplicated outputs
      if (chance(r, 0.5) && g.output?.length) { g.output.push({ ...pick(r, g.output) }); return 'graph output listed twice'; }
      if (nodes.length < 2) break;
      const a = pick(r, nodes), b = pick(r, nodes); if (!a.output?.length || !b.output?.length) break;
      b.output[0] = a.output[0]; return 'two nodes write one value';
    }
    case 6: { // external data past the end
      if (!inits.length) break;
      const t = pick(r, inits); delete t.raw_data; t.data_location = 1;
      t.external_data = [{ key: 'location', value: pick(r, ['w.bin', 'w.bin', '../etc/passwd', '/abs.bin', '']) },
        ...(chance(r, 0.8) ? [{ key: 'offset', value: String(pick(r, [0, 4, 60, 64, 65, 1e9, -4, 2 ** 53, 1.5])) }] : []),
        ...(chance(r, 0.6) ? [{ key: 'length', value: pick(r, ['0', '4', '64', '1000000000', '-1', 'x']) }] : [])];
      return `external data for '${t.name}'`;
    }
    case 7: case 8: { // absurd attribute values
      if (!node) break;
      const attrs: Obj[] = node.attribute ?? (node.attribute = []);
      if (attrs.length && chance(r, 0.6)) {
        const a = pick(r, attrs);
        if (a.ints?.length) a.ints = a.ints.map((x: number) => (chance(r, 0.5) ? interesting(r) : x));
        else if (a.i !== undefined) a.i = interesting(r);
        else if (a.f !== undefined) a.f = absurdFloat(r);
        else Object.assign(a, randomAttr(r, a.name));
        return `attribute '${a.name}' of '${node.name}'`;
      }
      const name = pick(r, ATTRS);
      node.attribute = attrs.filter((a) => a.name !== name);
      node.attribute.push(randomAttr(r, name));
      return `attribute '${name}' set on '${node.name}'`;
    }
    case 9: { // int initializers (Reshape targets, axes, pads, slice bounds) get huge/negative values
      const its = inits.filter((t) => t.data_type === 7 || t.data_type === 6);
      if (!its.length) break;
      const t = pick(r, its); const n = Math.max(1, (t.int64_data ?? t.int32_data ?? []).length || 1);
      const vals = Array.from({ length: chance(r, 0.8) ? n : int(r, 6) }, () => interesting(r));
      delete t.raw_data; t.int64_data = t.data_type === 7 ? vals : []; t.int32_data = t.data_type === 6 ? vals.map((v) => v | 0) : [];
      t.dims = [vals.length];
      return `int initializer '${t.name}' = [${vals.join(', ')}]`;
    }
    case 10: { // opset out of range, unknown domains
      const o = (m.opset_import ??= []);
      if (chance(r, 0.2)) { m.opset_import = []; return 'no opset_import'; }
      if (chance(r, 0.3) && node) { node.domain = pick(r, ['com.microsoft', 'ai.onnx', 'unknown.x', 'ai.onnx.ml']); return `node domain ${node.domain}`; }
      if (o.length) o[0].version = interesting(r); else o.push({ domain: '', version: interesting(r) });
      return `opset ${o[0]?.version}`;
    }
    case 11: { if (!node) break; node.op_type = pick(r, OPS); return `op_type of '${node.name}' = ${node.op_type}`; }
    case 12: { // delete / duplicate / swap nodes
      if (!nodes.length) break;
      const i = int(r, nodes.length), x = int(r, 3);
      if (x === 0) { nodes.splice(i, 1); return `deleted node ${i}`; }
      if (x === 1) { nodes.splice(i, 0, { ...nodes[i] }); return `duplicated node ${i}`; }
      const j = int(r, nodes.length); [nodes[i], nodes[j]] = [nodes[j], nodes[i]]; return `swapped nodes ${i}, ${j}`;
    }
    case 13: { // drop a graph input, output or initializer
      const lists = [g.input, g.output, g.initializer].filter((l) => l?.length);
      if (!lists.length) break;
      const l = pick(r, lists); l.splice(int(r, l.length), 1); return 'dropped a declaration';
    }
    case 14: { // raw data truncated / typed data resized
      if (!inits.length) break;
      const t = pick(r, inits);
      if (t.raw_data?.length) { t.raw_data = t.raw_data.subarray(0, int(r, t.raw_data.length)); return `raw_data of '${t.name}' truncated`; }
      t.float_data = Array.from({ length: int(r, 5) }, () => absurdFloat(r)); return `float_data of '${t.name}'`;
    }
    case 15: { // a model-local function that calls itself
      if (!node) break;
      m.functions = [{ name: 'F', domain: 'local', input: ['a'], output: ['b'], opset_import: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
        node: [{ op_type: chance(r, 0.7) ? 'F' : 'Relu', domain: chance(r, 0.7) ? 'local' : '', input: ['a'], output: ['b'] }] }];
      node.op_type = 'F'; node.domain = 'local'; (m.opset_import ??= []).push({ domain: 'local', version: 1 });
      return `node '${node.name}' calls a (recursive) function`;
    }
    case 16: { // many inputs (variadic ops over the storage-buffer limit)
      if (!node?.input?.length) break;
      const n = 8 + int(r, 40); const src = node.input[0]; node.input = Array.from({ length: n }, () => src);
      if (chance(r, 0.5)) node.op_type = pick(r, ['Concat', 'Sum', 'Max', 'Mean', 'Add']);
      return `node '${node.name}' given ${n} inputs`;
    }
    case 17: { // int64 values outside int32
      if (!inits.length) break;
      const t = pick(r, inits); delete t.raw_data; t.data_type = 7; t.dims = [2]; t.int64_data = [pick(r, ['9223372036854775807', '4294967296', '-4294967297', 5]), 1];
      return `int64 data of '${t.name}'`;
    }
    case 18: { // an If with a broken branch
      if (!node) break;
      const sub = { name: 'b', node: [{ op_type: 'Relu', input: [pick(r, ['nowhere', node.input?.[0] ?? 'x'])], output: ['z'] }], output: [{ name: chance(r, 0.5) ? 'z' : 'q' }] };
      node.attribute = [...(node.attribute ?? []), { name: 'then_branch', type: 5, g: sub }, { name: 'else_branch', type: 5, g: chance(r, 0.5) ? sub : {} }];
      if (chance(r, 0.5)) node.op_type = 'If';
      return `subgraph attributes on '${node.name}'`;
    }
    default: { // sparse initializer with out-of-range indices
      g.sparse_initializer = [{ dims: [interesting(r) & 0xffff, 4], values: { name: 'sp', data_type: 1, dims: [2], float_data: [1, 2] },
        indices: { name: 'spi', data_type: 7, dims: [2], int64_data: [interesting(r), 3] } }];
      return 'sparse initializer';
    }
  }
  return 'no-op (mutation did not apply)';
}

/** Decode, apply 1–3 structural mutations, re-encode. Falls back to raw mutation if the seed does not decode. */
export function mutateOnnx(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  const T = protoType('ModelProto');
  const m = T.toObject(T.decode(src), { longs: Number, defaults: false, arrays: true }) as Obj;
  const whats: string[] = [];
  const n = 1 + int(r, 3);
  for (let k = 0; k < n; k++) whats.push(mutateModel(r, m));
  let bytes: Uint8Array;
  try {
    bytes = T.encode(T.fromObject(m)).finish();
  } catch (e) {
    // The schema refused the mutated object (e.g. a value protobufjs cannot encode): not a wgml case.
    return { bytes: src, what: `unencodable mutation (${whats.join('; ')}): ${(e as Error).message}` };
  }
  if (chance(r, 0.15)) { const raw = mutateBytes(r, bytes); return { bytes: raw.bytes, what: `${whats.join('; ')}; ${raw.what}` }; }
  return { bytes, what: whats.join('; ') };
}

// ---- .wgml packages ----

const MAGIC = [0x57, 0x47, 0x4d, 0x4c];

function jsonPaths(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 4000) return out;
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...path, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) jsonPaths(x, [...path, k], out);
  return out;
}

function jsonValue(r: Rng, old: unknown): unknown {
  switch (int(r, 9)) {
    case 0: return interesting(r);
    case 1: return null;
    case 2: return pick(r, ['', 'x', 'float32', 'bogus', 'ints', 'graph', 'tensor', '__proto__']);
    case 3: return [];
    case 4: return {};
    case 5: return typeof old === 'number' ? -old : chance(r, 0.5);
    case 6: return Array.isArray(old) ? [...old, ...old] : [old];
    case 7: return Array.isArray(old) ? old.map(() => interesting(r)) : interesting(r);
    default: return undefined; // delete
  }
}

/** Replace one random node of a JSON tree (path chosen uniformly). */
export function mutateJson(r: Rng, root: unknown): string {
  const paths = jsonPaths(root).filter((p) => p.length > 0);
  if (!paths.length) return 'no-op';
  const p = pick(r, paths);
  let parent = root as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = p[p.length - 1]!;
  const v = jsonValue(r, parent[key]);
  if (v === undefined) { if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key]; } else parent[key] = v;
  return `json ${p.join('.')}`;
}

interface Pkg { version: number; manifest: Obj; weights: Uint8Array }

function parsePkg(b: Uint8Array): Pkg {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const mlen = dv.getUint32(8, true);
  const manifest = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + mlen))) as Obj;
  const w = manifest.sections[0];
  return { version: dv.getUint32(4, true), manifest, weights: b.slice(w.offset, w.offset + w.length) };
}

/** Re-serialize, recomputing the section offset and (unless `keepSum`) the checksum. */
function buildPkg(p: Pkg, fixSections: boolean, fixSum: boolean): Uint8Array {
  const enc = new TextEncoder();
  let json = JSON.stringify(p.manifest) ?? 'null';
  const sec = p.manifest?.sections?.[0];
  if (fixSections && sec && typeof sec === 'object') {
    for (let k = 0; k < 4; k++) {
      sec.offset = Math.ceil((12 + enc.encode(json).length) / 8) * 8; sec.length = p.weights.length;
      if (fixSum) sec.checksum = checksum(p.weights);
      json = JSON.stringify(p.manifest);
    }
  }
  const mj = enc.encode(json);
  const off = Math.ceil((12 + mj.length) / 8) * 8;
  const out = new Uint8Array(off + p.weights.length);
  out.set(MAGIC); const dv = new DataView(out.buffer);
  dv.setUint32(4, p.version, true); dv.setUint32(8, mj.length, true); out.set(mj, 12); out.set(p.weights, off);
  return out;
}

export function mutatePackage(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = int(r, 5);
  if (kind === 0) return mutateBytes(r, src);
  const p = parsePkg(src);
  if (kind === 1 || kind === 2) { // the graph (most of the manifest)
    const n = 1 + int(r, 3); const whats: string[] = [];
    for (let k = 0; k < n; k++) whats.push(mutateJson(r, chance(r, 0.85) ? p.manifest.graph : p.manifest));
    return { bytes: buildPkg(p, true, true), what: `manifest: ${whats.join('; ')}` };
  }
  if (kind === 3) { // safetensors header inside the weights, checksum fixed so the reader sees it
    const dv = new DataView(p.weights.buffer, p.weights.byteOffset, p.weights.byteLength);
    const hl = Number(dv.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(p.weights.subarray(8, 8 + hl))) as Obj;
    const what = mutateJson(r, header);
    const hj = new TextEncoder().encode(JSON.stringify(header) ?? 'null');
    const body = p.weights.subarray(8 + hl);
    const w = new Uint8Array(8 + hj.length + body.length);
    new DataView(w.buffer).setBigUint64(0, BigInt(hj.length), true); w.set(hj, 8); w.set(body, 8 + hj.length);
    p.weights = w;
    return { bytes: buildPkg(p, true, true), what: `safetensors header: ${what}` };
  }
  // version, or weights bytes with a fixed-up checksum
  if (chance(r, 0.3)) { p.version = interesting(r) >>> 0; return { bytes: buildPkg(p, true, true), what: `version ${p.version}` }; }
  const m = mutateBytes(r, p.weights); p.weights = m.bytes;
  return { bytes: buildPkg(p, true, true), what: `weights (checksum fixed): ${m.what}` };
}
