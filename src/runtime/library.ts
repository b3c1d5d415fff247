/**
 * Libraries: a `.wgml` package or an `.onnx` file, loaded and checked (every op must run on the
 * GPU) before any pipeline is made. `lib.function('main')` is the network.
 */
import { assertDeviceAlive } from '../gpu/device.js';
import type { Graph } from '../ir/types.js';
import { loadOnnx, type LoadOnnxOptions } from '../onnx/load.js';
import { checkSupported } from '../onnx/check.js';
import { lookupOp, lookupFailure } from '../ops/registry.js';
import { ModelFormatError, ResourceStateError, fileError } from '../errors.js';
import { isPackage, readPackage } from './package.js';

export interface NetworkFunction {
  readonly name: string;
  readonly graph: Graph;
}

export class Library {
  readonly device: GPUDevice;
  readonly functions: ReadonlyMap<string, NetworkFunction>;
  /** 'onnx' or 'wgml'. */
  readonly format: 'onnx' | 'wgml';
  #destroyed = false;
  constructor(device: GPUDevice, functions: Map<string, NetworkFunction>, format: 'onnx' | 'wgml') {
    this.device = device; this.functions = functions; this.format = format;
  }
  /** The network of that name ('main' for an ONNX model). */
  function(name = 'main'): NetworkFunction {
    if (this.#destroyed) throw new ResourceStateError('the library was used after destroy()', 'load it again');
    const f = this.functions.get(name);
    if (!f) throw new ModelFormatError(`the library has no function '${name}'`, `functions: ${[...this.functions.keys()].join(', ')}`, { name });
    return f;
  }
  /** Libraries hold no GPU memory (weights are uploaded per pipeline); destroy() makes later use an error. */
  destroy(): void { this.#destroyed = true; }
}

export const opLookup = { lookup: lookupOp, why: lookupFailure };

async function readSource(src: Uint8Array | ArrayBuffer | string | URL): Promise<{ bytes: Uint8Array; baseDir?: string }> {
  if (src instanceof Uint8Array) return { bytes: src };
  if (src instanceof ArrayBuffer) return { bytes: new Uint8Array(src) };
  const s = String(src);
  if (/^(https?|blob|data):/.test(s) || typeof (globalThis as { process?: unknown }).process === 'undefined') {
    const res = await fetch(s);
    if (!res.ok) throw new ModelFormatError(`could not fetch '${s}': HTTP ${res.status}`, 'check the URL');
    return { bytes: new Uint8Array(await res.arrayBuffer()) };
  }
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const p = s.startsWith('file:') ? new URL(s).pathname : s;
  try {
    return { bytes: new Uint8Array(await fs.readFile(p)), baseDir: path.dirname(p) };
  } catch (e) {
    throw fileError(e, p, 'read', 'model');
  }
}

/**
 * Load a `.wgml` package or an `.onnx` model (bytes, a path in Node, or a URL).
 * @example
 * const lib = await wgml.loadLibrary(device, 'models/ao.wgml');
 * const fn = lib.function('main');
 */
export async function loadLibrary(device: GPUDevice, src: Uint8Array | ArrayBuffer | string | URL, opts: LoadOnnxOptions = {}): Promise<Library> {
  assertDeviceAlive(device);
  const { bytes, baseDir } = await readSource(src);
  notAPackage(src, bytes);
  if (isPackage(bytes)) {
    const graph = readPackage(bytes);
    checkSupported(graph, opLookup);
    return new Library(device, new Map([['main', { name: 'main', graph }]]), 'wgml');
  }
  const graph = await loadOnnx(bytes, { baseDir, ...opts });
  checkSupported(graph, opLookup);
  return new Library(device, new Map([['main', { name: 'main', graph }]]), 'onnx');
}

/** A file named .wgml that is not a package would otherwise be reported as a broken ONNX model. */
function notAPackage(src: unknown, bytes: Uint8Array): void {
  if (typeof src === 'string' && /\.wgml$/i.test(src) && !isPackage(bytes))
    throw new ModelFormatError(`'${src}' is not a .wgml package (it does not start with the package magic; ${bytes.length} bytes)`, 'make packages with `wgml convert model.onnx -o model.wgml`; the file may be truncated', { path: src, offset: 0 });
}

/** Load without a device (CLI inspect/convert). */
export async function loadGraph(src: Uint8Array | string, opts: LoadOnnxOptions = {}): Promise<{ graph: Graph; format: 'onnx' | 'wgml' }> {
  const { bytes, baseDir } = await readSource(src);
  notAPackage(src, bytes);
  if (isPackage(bytes)) return { graph: readPackage(bytes), format: 'wgml' };
  const graph = await loadOnnx(bytes, { baseDir, ...opts });
  checkSupported(graph, opLookup);
  return { graph, format: 'onnx' };
}
