import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../src/cli/debug.js';
import { writeNpy } from '../src/ir/npy.js';
import { hostTensor } from '../src/ir/types.js';
import { debugModel } from '../src/debug/model.js';
import { exposeIntermediates, relativeError } from '../src/debug/reference.js';
import { runCli } from './helpers/cli.js';
import { withBrokenKernel } from './helpers/broken-kernel.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, testSeed } from './helpers/random.js';
import { chainModel, explodeModel, nanModel } from './fixtures/debug/models.js';

const seed = testSeed();
const dir = mkdtempSync(join(tmpdir(), 'wgml-debug-'));
const files: Record<string, string> = {};
beforeAll(() => {
  for (const [k, f] of Object.entries({ nan: nanModel, explode: explodeModel, chain: chainModel })) { files[k] = join(dir, `${k}.onnx`); writeFileSync(files[k]!, f()); }
});

/** Run `wgml <args>` in-process; returns what it printed on stdout and stderr. */
const cli = (...args: string[]) => runCli(register, args);

afterEach(() => { process.exitCode = undefined; });

describe('wgml debug', () => {
  it('names the planted Pow (NaN) and the planted Mul (explosion), with generated inputs announced', async () => {
    const nan = await cli('debug', files.nan!, '--seed', String(seed));
    expect(nan.out).toMatch(/first bad node: 'sqrt_planted' \(Pow\)/);
    expect(nan.out).toMatch(/NaN/);
    expect(nan.err).toMatch(/input 'x' not given: using seeded random data \[2, 8\]/);
    const j = JSON.parse((await cli('debug', files.explode!, '--json', '--seed', String(seed))).out);
    expect(j.firstBadNode).toMatchObject({ name: 'combine_planted', op: 'Mul' });
    expect(j.firstBadNode.reason).toMatch(/explodes/);
    expect(j.nodes).toHaveLength(5);
    const mul = j.nodes.find((n: { name: string }) => n.name === 'combine_planted');
    expect(mul.outputs[0].stats.absMax).toBeGreaterThan(1e3 * Math.max(...mul.inputs.map((i: { stats: { absMax: number } }) => i.stats.absMax)));
    const html = join(dir, 'explode.html');
    await cli('debug', files.explode!, '--html', html);
    expect(readFileSync(html, 'utf8')).toMatch(/combine_planted[^]*explodes/);
    const healthy = JSON.parse((await cli('debug', files.chain!, '--json')).out);
    expect(healthy.firstBadNode).toBeNull();
  });

  it('reads --input files and refuses bad options with a typed message', async () => {
    const x = hostTensor('float32', [2, 8], randn(rng(seed), 16).map(Math.abs));
    const f = join(dir, 'x.npy');
    writeFileSync(f, writeNpy(x));
    // With positive inputs the MatMul still goes negative (random weights), so the Pow still makes NaN.
    const r = await cli('debug', files.nan!, '--input', `x=${f}`, '--json');
    expect(r.err).not.toMatch(/not given/);
    expect(JSON.parse(r.out).nodes[0].inputs[0].stats.min).toBeGreaterThanOrEqual(0);
    const bad = await cli('debug', files.nan!, '--rtol', '-1');
    expect(bad.err).toMatch(/^wgml: UsageError: --rtol "-1" is not a number ≥ 0\n  hint: e.g. --rtol 1e-3$/);
    expect(process.exitCode).toBe(1);
  });

  it('--reference agrees with onnxruntime on a healthy model and names the first node a broken kernel breaks', async () => {
    const ok = JSON.parse((await cli('debug', files.chain!, '--reference', '--json', '--seed', String(seed))).out);
    expect(ok.firstBadNode).toBeNull();
    for (const n of ok.nodes) expect(n.relErr, n.name).toBeLessThan(1e-4);
    const broken = await withBrokenKernel('Softmax', () => cli('debug', files.chain!, '--reference', '--json', '--seed', String(seed)));
    const j = JSON.parse(broken.out);
    expect(j.firstBadNode).toMatchObject({ name: 'attn', op: 'Softmax' });
    expect(j.nodes[0].relErr).toBeLessThan(1e-4); // the MatMul before it is still right
    const relu = await withBrokenKernel('Relu', () => debugModel(testDeviceSync!, files.chain!, { reference: true, seed }));
    expect(relu.report.firstBadNode?.name).toBe('act');
  });

  it('exposes every intermediate to onnxruntime and measures relative error', () => {
    const m = exposeIntermediates(chainModel());
    expect(m.length).toBeGreaterThan(chainModel().length);
    expect(relativeError([1, 2, NaN], [1, 2.002, NaN])).toBeCloseTo(0.002 / 2.002, 9);
    expect(relativeError([NaN], [1])).toBe(Infinity);
  });
});

let testDeviceSync: GPUDevice | null = null;
beforeAll(async () => { testDeviceSync = await testDevice(); });
