/**
 * Options of the demo's scripts (dataset.ts, evaluate.ts), parsed strictly with node:util parseArgs:
 * an unknown or misspelt option is an error with the usage, not ignored (a `--help` once started a
 * default 256² dataset); `--help` prints the usage.
 */
import { parseArgs } from 'node:util';
import { WgmlError } from '../errors.js';
import { DemoError } from './network.js';

/** Every option takes a value (given as its default string); `flags` are booleans. */
export function scriptArgs<D extends Record<string, string>, F extends string>(argv: string[], usage: string, defaults: D, flags: readonly F[] = []):
  (D & Record<F, boolean>) | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const k of Object.keys(defaults)) options[k] = { type: 'string' };
  for (const k of flags) options[k] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new DemoError(`${(e as Error).message}`, `usage: ${usage}`, { argv });
  }
  if (values.help) { console.log(`usage: ${usage}`); return null; }
  const out: Record<string, string | boolean> = { ...defaults };
  for (const [k, v] of Object.entries(values)) if (v !== undefined && k !== 'help') out[k] = v;
  for (const k of flags) out[k] = values[k] === true;
  return out as D & Record<F, boolean>;
}

/** A numeric option: a clear error naming it when it is not a number. */
export function num(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new DemoError(`--${name} must be a number, not '${v}'`, `e.g. --${name} 4`, { option: name, value: v });
  return n;
}

/** Run a script's main: a WgmlError (bad option, missing file) prints one line and its hint; anything else its stack. */
export function runScript(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    if (e instanceof WgmlError) console.error(`${e.name}: ${e.what}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    else console.error(e);
    process.exit(e instanceof WgmlError ? 2 : 1);
  });
}
