/**
 * Shared CLI plumbing: devices, files, input parsing, number options, and errors printed as one
 * `wgml: <ErrorType>: <what>` line plus a hint in command-line terms, never a stack trace
 * (WGML_DEBUG=1 adds it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { FileError, WgmlError, UsageError, fileError } from '../errors.js';
import { readNpy } from '../ir/npy.js';
import type { Graph, HostTensor } from '../ir/types.js';
import { requestDevice } from '../gpu/device.js';
import { checkInputDtypes, checkInputNames } from '../runtime/inputs.js';
import { loadGraph } from '../runtime/library.js';

/** `--weights` of run, inspect and bench: createPipeline's `weights` (runtime/half-weights.ts). */
export const WEIGHTS_OPTION = ['--weights <mode>', "how weights are stored: auto (float16 models' as float16), f16 (float32 ones rounded to float16 too: half the memory), f32", 'auto'] as const;

/**
 * The device the commands run on. WGML_DISABLE_FEATURES (comma-separated) leaves features out, to compare a
 * path with its fallback on one machine (e.g. `chromium-experimental-subgroup-matrix`: the integer GEMMs' dot4
 * tiles instead of their subgroup-matrix ones).
 */
export function cliDevice(opts: { quiet?: boolean } = {}): Promise<GPUDevice> {
  const off = (typeof process !== 'undefined' && process.env.WGML_DISABLE_FEATURES) || '';
  return requestDevice({ quiet: opts.quiet, disableFeatures: off.split(',').map((f) => f.trim()).filter(Boolean) });
}

/** Read a whole file; a failure is a FileError naming it (`what`: 'model', "input 'x'"…). */
export async function readBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw fileError(e, path, 'read', what);
  }
}

/** Write a whole file; a failure is a FileError naming it. */
export async function writeBytes(path: string, bytes: Uint8Array | string, what = 'file'): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (e) {
    const { dirname } = await import('node:path');
    const { existsSync } = await import('node:fs');
    // ENOENT with the folder present: a file system that makes no new files there (/proc).
    if ((e as { code?: string }).code === 'ENOENT' && existsSync(dirname(path)))
      throw new FileError(`cannot write ${what} '${path}': '${dirname(path)}' does not take new files`, 'choose a folder you can write to', { path, code: 'ENOENT' });
    throw fileError(e, path, 'write', what);
  }
}

/**
 * Fail now, before minutes of GPU work, if `path` cannot be written later: its folder missing or
 * read-only, or the path a folder. (A race with other processes is still possible; the write checks again.)
 */
export async function assertWritable(path: string, what = 'file'): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const st = await fs.stat(path).catch(() => null);
  if (st?.isDirectory()) throw fileError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path, 'write', what);
  try {
    await fs.access(st ? path : dirname(path), fs.constants.W_OK);
  } catch (e) {
    const dst = await fs.stat(dirname(path)).catch(() => null);
    throw fileError(dst && !dst.isDirectory() ? Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' }) : e, path, 'write', what);
  }
}

/** Create a folder (and its parents); a file in the way is a FileError. */
export async function makeDir(path: string, what = 'folder'): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (e) {
    throw fileError(e, path, 'create', what);
  }
}

/** `--input NAME=FILE.npy` (repeatable) → host tensors, and the file each came from. */
export async function readInputs(specs: string[] = []): Promise<{ inputs: Record<string, HostTensor>; sources: Record<string, string> }> {
  const inputs: Record<string, HostTensor> = {}, sources: Record<string, string> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new UsageError(`--input '${s}' is not NAME=FILE.npy`, 'write --input input=path/to/array.npy (see `wgml inspect MODEL` for the input names)');
    const name = s.slice(0, eq), file = s.slice(eq + 1);
    if (inputs[name]) throw new UsageError(`--input '${name}' is given twice (${sources[name]} and ${file})`, 'give each input once');
    inputs[name] = readNpy(await readBytes(file, `input '${name}' (--input)`), file);
    sources[name] = file;
  }
  return { inputs, sources };
}

/**
 * Check `--input` arrays against the model before any GPU work: names it lacks are refused with
 * its input list, dtypes that differ are refused naming both (unless `cast`, which converts).
 */
export function checkCliInputs(graph: Graph, r: { inputs: Record<string, HostTensor>; sources: Record<string, string> }, cast = false): Record<string, HostTensor> {
  const declared = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  checkInputNames(declared, r.inputs);
  const sources = Object.fromEntries(Object.entries(r.sources).map(([k, f]) => [k, `from ${f}`]));
  return checkInputDtypes(declared, r.inputs, { castInputs: cast, sources });
}

/**
 * The model bytes, checked `--input` arrays and `--dims` of `debug`, `tensor dump` and `profile`,
 * all before a device is requested: a typo fails in a second, not after compiling.
 */
export async function loadForDebug(model: string, opts: { input: string[]; dims: string[]; castInputs?: boolean }): Promise<{ bytes: Uint8Array; graph: Graph; inputs: Record<string, HostTensor>; dims: Record<string, number[]> }> {
  const dims = parseDims(opts.dims);
  const given = await readInputs(opts.input);
  const bytes = await readBytes(model, 'model');
  const { graph } = await loadGraph(bytes);
  checkDimsNames(graph, dims);
  return { bytes, graph, inputs: checkCliInputs(graph, given, opts.castInputs), dims };
}

/** `--dims NAME=1x3x224x224` (repeatable) → inputDimensions. */
export function parseDims(specs: string[] = []): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of specs) {
    const m = /^([^=]+)=([0-9]+(?:x[0-9]+)*)$/.exec(s);
    if (!m) throw new UsageError(`--dims '${s}' is not NAME=AxBxC`, 'write --dims input=1x3x224x224 (see `wgml inspect MODEL` for the input names and ranks)');
    if (out[m[1]!]) throw new UsageError(`--dims gives '${m[1]}' twice (${out[m[1]!]!.join('x')} and ${m[2]})`, 'give each input\'s dimensions once');
    out[m[1]!] = m[2]!.split('x').map(Number);
  }
  return out;
}

/** Refuse `--dims` names the model lacks (the library's message speaks of inputDimensions). */
export function checkDimsNames(graph: Graph, dims: Record<string, number[]>): void {
  const declared = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  try {
    checkInputNames(declared, dims);
  } catch (e) {
    if (e instanceof WgmlError) {
      const near = /did you mean '([^']+)'/.exec(e.what)?.[1];
      throw new UsageError(`--dims names '${e.details.input}', which is not an input of the model${near ? ` (did you mean '${near}'?)` : ''}`, e.hint, e.details);
    }
    throw e;
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A numeric option: integer unless `real`, within [min, max]. */
export function numberOption(flag: string, value: string, o: { min?: number; max?: number; real?: boolean; example?: string } = {}): number {
  // Number() also reads 0x20, 0b1, 0o7 and 'Infinity': a typo in a flag should not become a value by accident.
  const n = DECIMAL.test(value.trim()) ? Number(value) : NaN;
  const ok = Number.isFinite(n) && (o.real || Number.isInteger(n)) && (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max);
  if (!ok) {
    const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` ≥ ${o.min}` : o.max !== undefined ? ` ≤ ${o.max}` : '';
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not ${o.real ? 'a number' : 'an integer'}${range}`, `e.g. ${flag} ${o.example ?? o.min ?? 1}`, { flag, value });
  }
  return n;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

const debug = () => process.env.WGML_DEBUG === '1';

/** What the wgml command prints for an error: one line naming it, a hint line; the stack only with WGML_DEBUG=1. */
export function formatError(e: unknown): string {
  let err = e;
  // Node's file-system errors that escaped a wrapper still name their path.
  const sys = e as { code?: unknown; syscall?: unknown; path?: unknown };
  if (!(e instanceof WgmlError) && typeof sys?.code === 'string' && typeof sys.syscall === 'string')
    err = fileError(e, typeof sys.path === 'string' ? sys.path : '(unknown path)', sys.syscall === 'mkdir' ? 'create' : sys.syscall === 'write' ? 'write' : 'read');
  const lines: string[] = [];
  if (err instanceof WgmlError) {
    lines.push(`wgml: ${err.name}: ${err.what}`);
    const hint = err.cliHint ?? err.hint;
    if (hint) lines.push(`  hint: ${hint}`);
  } else {
    const m = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    lines.push(`wgml: InternalError: ${m.split('\n')[0]}`);
    lines.push('  hint: this is a wgml bug; run again with WGML_DEBUG=1 for the stack trace and report it');
  }
  if (debug() && e instanceof Error && e.stack) lines.push(e.stack);
  return lines.join('\n');
}

/** Print an error as {@link formatError} does and set a failing exit code. */
export function reportError(e: unknown): void {
  console.error(formatError(e));
  process.exitCode = 1;
}

/** Run a command body, printing any error as {@link formatError} does, exit code 1. */
export function action<A extends unknown[]>(fn: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      reportError(e);
    }
  };
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(2)} MiB`;
}
