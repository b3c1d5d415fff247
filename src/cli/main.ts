#!/usr/bin/env node
/** The `wgml` command line. Each subcommand lives in its own module with a `register(program)`. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as info } from './info.js';
import { register as models } from './models.js';
import { register as bench } from './bench.js';
import { register as debug } from './debug.js';
import { register as tensor } from './tensor.js';
import { register as profile } from './profile.js';
import { register as compress } from './compress.js';
import { register as demo } from './demo.js';
import { register as renderMaterial } from './render-material.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('wgml').version(pkg.version).description('machine learning on the GPU timeline, for WebGPU');
for (const r of [info, models, bench, debug, tensor, profile, compress, renderMaterial, demo]) r(program);

await program.parseAsync(process.argv);
// Dawn keeps native handles alive; leave once the command is done.
process.exit(process.exitCode ?? 0);
