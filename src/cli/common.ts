/** Shared CLI plumbing: devices, input parsing, errors printed with their hints. */
import { readFile } from 'node:fs/promises';
import { WgmlError } from '../errors.js';
import { readNpy } from '../ir/npy.js';
import type { HostTensor } from '../ir/types.js';
import { requestDevice } from '../gpu/device.js';

export async function cliDevice(): Promise<GPUDevice> {
  return requestDevice();
}

/** `--input NAME=FILE.npy` (repeatable) → host tensors. */
export async function readInputs(specs: string[] = []): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new WgmlError('E_CLI', `--input '${s}' is not NAME=FILE.npy`, 'write --input input=path/to/array.npy');
    const name = s.slice(0, eq), file = s.slice(eq + 1);
    out[name] = readNpy(new Uint8Array(await readFile(file)), file);
  }
  return out;
}

/** `--dims NAME=1x3x224x224` (repeatable) → inputDimensions. */
export function parseDims(specs: string[] = []): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of specs) {
    const m = /^([^=]+)=([0-9]+(?:x[0-9]+)*)$/.exec(s);
    if (!m) throw new WgmlError('E_CLI', `--dims '${s}' is not NAME=AxBxC`, 'write --dims input=1x3x224x224');
    out[m[1]!] = m[2]!.split('x').map(Number);
  }
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Run a command body, printing WgmlErrors (message + hint) without a stack, exit code 1. */
export function action<A extends unknown[]>(fn: (...a: A) => Promise<void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      if (e instanceof WgmlError) { console.error(`wgml: ${e.name}: ${e.message}`); process.exitCode = 1; return; }
      throw e;
    }
  };
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(2)} MiB`;
}
