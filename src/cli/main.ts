#!/usr/bin/env node
/** The `wgml` command line. Each subcommand lives in its own module with a `register(program)`. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { hideDawnStartupWarnings } from '../gpu/device.js';
import { reportError } from './common.js';
import { register as info } from './info.js';
import { register as models } from './models.js';
import { register as bench } from './bench.js';
import { register as debug } from './debug.js';
import { register as tensor } from './tensor.js';
import { register as profile } from './profile.js';
import { register as compress } from './compress.js';
import { register as demo } from './demo.js';
import { register as renderMaterial } from './render-material.js';
import { usageError } from './usage.js';

hideDawnStartupWarnings();
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('wgml').version(pkg.version).description('machine learning on the GPU timeline, for WebGPU')
  // Commander's own complaints (unknown option, missing argument) come back as CommanderErrors and
  // are printed like every other error; subcommands inherit both settings.
  .exitOverride()
  .configureOutput({ outputError: () => {} });
for (const r of [info, models, bench, debug, tensor, profile, compress, renderMaterial, demo]) r(program);

process.on('uncaughtException', (e) => { reportError(e); void exit(); });
process.on('unhandledRejection', (e) => { reportError(e); void exit(); });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (e.exitCode !== 0) { reportError(usageError(e, program, process.argv.slice(2))); process.exitCode = e.exitCode || 1; }
  } else reportError(e);
}
await exit();

/**
 * Dawn keeps native handles alive, so the process is ended explicitly, but only once stdout and
 * stderr have drained: process.exit() drops whatever a pipe has not taken yet (a 130 KB
 * `inspect --json | jq` arrived cut at 64 KiB).
 */
async function exit(): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => {
    if (!s.writable || s.destroyed) { resolve(); return; }
    s.write('', () => resolve());
  })));
  process.exit(process.exitCode ?? 0);
}
