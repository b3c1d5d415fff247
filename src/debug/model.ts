/**
 * The debugger on a model file: load, fill missing inputs with seeded random data, capture, find the
 * first bad node (by NaN/Inf/explosion, or against onnxruntime with `reference`). `wgml debug` prints this.
 */
import { readFile } from 'node:fs/promises';
import type { Graph, HostTensor } from '../ir/types.js';
import { hostArrayFor, isFloat, shapeSize } from '../ir/types.js';
import { loadGraph } from '../runtime/library.js';
import { checkInputDtypes, checkInputNames } from '../runtime/inputs.js';
import type { ProgressCallback } from '../runtime/pipeline.js';
import { fileError } from '../errors.js';
import { debugRun, type BadNode, type DebugCapture, type NodeReport } from './capture.js';
import { compareWithReference, referenceValues, ReferenceUnavailableError } from './reference.js';

export interface DebugModelOptions {
  inputs?: Record<string, HostTensor>;
  /** Concrete sizes for symbolic input dims. */
  inputDimensions?: Record<string, number[]>;
  /** Compare with onnxruntime-node instead of looking for NaN/Inf/explosions. */
  reference?: boolean;
  rtol?: number;
  /** Explosion factor (default 1e3). */
  factor?: number;
  /** Run the graph passes (fusion): captured values then follow the fused nodes. Default false. */
  fuse?: boolean;
  /** Seed of generated inputs. */
  seed?: number;
  /** Convert given inputs whose dtype differs from the model's (default: refuse them). */
  castInputs?: boolean;
  /** Progress of compiling and of the first run (see runModel). */
  onProgress?: ProgressCallback;
}

export interface DebugReport {
  firstBadNode: (BadNode & { node: NodeReport }) | null;
  mode: 'health' | 'reference';
  /** Inputs the caller did not give, filled with seeded random data. */
  generatedInputs: { name: string; shape: number[]; seed: number }[];
  nodes: (NodeReport & { relErr?: number | null })[];
}

function seeded(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

/** Standard normal floats, or integers in [0, 4), for every input not given. Symbolic dims default to 1. */
export function generateInputs(g: Graph, given: Record<string, HostTensor>, dims: Record<string, number[]> = {}, seed = 1): { inputs: Record<string, HostTensor>; generated: DebugReport['generatedInputs'] } {
  const inputs = { ...given };
  const generated: DebugReport['generatedInputs'] = [];
  for (const i of g.inputs) {
    if (g.initializers.has(i.name) || inputs[i.name]) continue;
    const shape = dims[i.name] ?? i.shape.map((d) => (typeof d === 'number' ? d : 1));
    const r = seeded(seed + generated.length * 7919);
    const n = shapeSize(shape);
    const data = hostArrayFor(i.dtype, n);
    for (let k = 0; k < n; k++) data[k] = isFloat(i.dtype) ? Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r()) : Math.floor(r() * 4);
    inputs[i.name] = { dtype: i.dtype, shape, data };
    generated.push({ name: i.name, shape, seed });
  }
  return { inputs, generated };
}

/** Debug a model (path or ONNX bytes). */
export async function debugModel(device: GPUDevice, model: string | Uint8Array, opts: DebugModelOptions = {}): Promise<{ report: DebugReport; capture: DebugCapture }> {
  let bytes: Uint8Array;
  try { bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model; } catch (e) { throw fileError(e, model as string, 'read', 'model'); }
  const { graph, format } = await loadGraph(bytes);
  if (opts.reference && format !== 'onnx') throw new ReferenceUnavailableError('--reference needs an .onnx model', 'run it on the ONNX file the package was converted from');
  const declared = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  checkInputNames(declared, opts.inputs ?? {});
  const given = checkInputDtypes(declared, opts.inputs ?? {}, { castInputs: opts.castInputs });
  const { inputs, generated } = generateInputs(graph, given, opts.inputDimensions, opts.seed ?? 1);
  const capture = await debugRun(device, graph, inputs, { fuse: opts.fuse ?? false, factor: opts.factor, inputDimensions: opts.inputDimensions, onProgress: opts.onProgress });
  let firstBad = capture.firstBad;
  let nodes: DebugReport['nodes'] = capture.nodes;
  if (opts.reference) {
    const types = new Map([...capture.program.values].map(([k, v]) => [k, v.type]));
    const ref = await referenceValues(bytes, inputs, types);
    const cmp = compareWithReference(capture, ref, opts.rtol ?? 1e-3);
    firstBad = cmp.firstBad;
    nodes = capture.nodes.map((n, i) => ({ ...n, relErr: cmp.nodes[i]!.relErr }));
  }
  const node = firstBad ? capture.nodes[firstBad.index]! : null;
  return { report: { firstBadNode: firstBad && node ? { ...firstBad, node } : null, mode: opts.reference ? 'reference' : 'health', generatedInputs: generated, nodes }, capture };
}
