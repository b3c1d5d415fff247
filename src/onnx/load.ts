/**
 * ONNX import: ModelProto bytes → wgml's IR {@link Graph}. Decoding is strict: anything wgml cannot
 * represent faithfully is refused with a typed error naming the tensor, value or node.
 *
 * @example
 * ```ts
 * const graph = await loadOnnx(await fs.readFile('model.onnx'), { baseDir: 'models/' });
 * checkSupported(graph, { lookup: lookupOp });
 * ```
 */
import { ModelFormatError } from '../errors.js';
import type { Graph } from '../ir/types.js';
import { int64, protoType, type ModelProto } from './proto.js';
import { decodeAt } from './decode-error.js';
import { inlineFunctions } from './functions.js';
import { convertGraph, externalLocations } from './graph.js';
import { validateGraph, SUPPORTED_OPSETS } from './validate.js';

export interface LoadOnnxOptions {
  /** Returns the bytes of an external data file, by the `location` the model names. */
  externalData?: (location: string) => Uint8Array | Promise<Uint8Array>;
  /** Directory external data files are read from (Node.js only) when `externalData` is not given. */
  baseDir?: string;
}

/** Decode the protobuf (with the byte offset of any failure) and inline model-local functions. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError('loadOnnx expects the model file as a Uint8Array', 'read the file with fs.readFile or fetch(...).arrayBuffer() first');
  // A Node Buffer view makes protobufjs slice bytes fields without copying (large raw_data weights).
  const B = (globalThis as { Buffer?: { from(a: ArrayBufferLike, o: number, n: number): Uint8Array } }).Buffer;
  const buf = B ? B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  const m = decodeAt<ModelProto>(protoType('ModelProto'), buf, 'ONNX model');
  if (!m.graph) {
    throw new ModelFormatError(`the ONNX model (${bytes.byteLength} bytes) has no graph`, 'the file is not an ONNX model, or it is empty or truncated', { size: bytes.byteLength });
  }
  inlineFunctions(m);
  return m;
}

/** Opset per domain ('' for ai.onnx), checking the default domain's range. */
export function modelOpsets(m: ModelProto): Record<string, number> {
  const opsets: Record<string, number> = {};
  for (const o of m.opset_import ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    opsets[d] = int64(o.version);
  }
  // IR version 1–2 models carry no opset_import: their default domain is opset 1.
  if (!m.opset_import?.length) opsets[''] = 1;
  const v = opsets[''];
  if (v !== undefined && (v < SUPPORTED_OPSETS[0] || v > SUPPORTED_OPSETS[1])) {
    throw new ModelFormatError(`the model imports ONNX opset ${v}; wgml supports opsets ${SUPPORTED_OPSETS[0]}..${SUPPORTED_OPSETS[1]}`,
      v < SUPPORTED_OPSETS[0] ? 'opset versions start at 1; the file is corrupt' : 'convert the model down to opset 21 or lower with onnx.version_converter',
      { opset: v, supported: SUPPORTED_OPSETS });
  }
  return opsets;
}

function build(m: ModelProto, files: Map<string, Uint8Array>): Graph {
  const opsets = modelOpsets(m);
  const graph = convertGraph(m.graph!, { opsets, external: (loc) => files.get(loc)! }, 'main graph');
  const props = m.metadata_props ?? [];
  if (props.length) graph.metadata = Object.fromEntries(props.map((p) => [p.key ?? '', p.value ?? '']));
  return validateGraph(graph);
}

function checkLocation(loc: string): void {
  // The spec makes locations relative to the model's directory; never let one escape it.
  if (loc.startsWith('/') || loc.startsWith('\\') || /^[a-zA-Z]:/.test(loc) || loc.split(/[\\/]/).includes('..')) {
    throw new ModelFormatError(`external data location '${loc}' points outside the model's directory`, 'external data must be a relative path under the model directory', { location: loc });
  }
}

type FsSync = { readFileSync(p: string): Uint8Array };
function nodeFs(): FsSync {
  const get = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule;
  if (!get) throw new ModelFormatError('baseDir needs Node.js file access', 'in browsers pass { externalData: (location) => bytes } instead');
  return get('node:fs') as FsSync;
}

function readBase(baseDir: string, loc: string): Uint8Array {
  checkLocation(loc);
  const path = baseDir.replace(/[\\/]+$/, '') + '/' + loc;
  try {
    return nodeFs().readFileSync(path);
  } catch (e) {
    throw new ModelFormatError(`cannot read external data file '${path}': ${(e as Error).message}`, 'keep the external data file next to the model, under the name the model gives', { location: loc, path });
  }
}

function missing(loc: string): never {
  throw new ModelFormatError(`the model stores weights in external file '${loc}', but no external data was provided`, 'pass { baseDir } (Node.js) or { externalData: (location) => bytes } to loadOnnx', { location: loc });
}

/** Load an ONNX model into wgml's IR, reading external data through `opts`. */
export async function loadOnnx(bytes: Uint8Array, opts: LoadOnnxOptions = {}): Promise<Graph> {
  const m = decodeModel(bytes);
  const files = new Map<string, Uint8Array>();
  for (const loc of externalLocations(m.graph!)) {
    if (opts.externalData) files.set(loc, await opts.externalData(loc));
    else if (opts.baseDir !== undefined) files.set(loc, readBase(opts.baseDir, loc));
    else missing(loc);
  }
  return build(m, files);
}

/** {@link loadOnnx} without awaiting: `externalData` must return bytes, not a promise. */
export function loadOnnxSync(bytes: Uint8Array, opts: LoadOnnxOptions = {}): Graph {
  const m = decodeModel(bytes);
  const files = new Map<string, Uint8Array>();
  for (const loc of externalLocations(m.graph!)) {
    if (opts.externalData) {
      const b = opts.externalData(loc);
      if (!(b instanceof Uint8Array)) throw new ModelFormatError(`externalData('${loc}') returned a promise`, 'use loadOnnx (async) with asynchronous external data');
      files.set(loc, b);
    } else if (opts.baseDir !== undefined) files.set(loc, readBase(opts.baseDir, loc));
    else missing(loc);
  }
  return build(m, files);
}
