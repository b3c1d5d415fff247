import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { register } from '../src/cli/tensor.js';
import { readNpy } from '../src/ir/npy.js';
import { hostTensor } from '../src/ir/types.js';
import { channelPng, channelPngs, previewDataUrl, tensorHistogram } from '../src/debug/viewer.js';
import { debugModel } from '../src/debug/model.js';
import { ShapeError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';
import { testDevice } from './helpers/gpu.js';
import { testSeed } from './helpers/random.js';
import { convModel } from './fixtures/debug/models.js';

const seed = testSeed();

async function cli(...args: string[]): Promise<string> {
  return (await runCli(register, args)).out;
}

describe('tensor viewer', () => {
  it('writes channels as PNG with values mapped min→black, max→white and NaN magenta', () => {
    const t = hostTensor('float32', [1, 2, 2, 3], [0, 1, 2, 3, 4, 5, /* c1 */ -1, NaN, 1, 1, 1, 1]);
    const png = PNG.sync.read(Buffer.from(channelPng(t, 0)));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect(png.data[0]).toBe(0);
    expect(png.data[5 * 4]).toBe(255);
    expect(png.data[2 * 4]).toBe(Math.round(2 / 5 * 255));
    const c1 = PNG.sync.read(Buffer.from(channelPngs(t, { falseColour: true })[1]!));
    expect([...c1.data.subarray(4, 7)]).toEqual([255, 0, 255]);
    expect(() => channelPng(hostTensor('float32', [8]), 0)).toThrow(ShapeError);
    expect(previewDataUrl(t)).toMatch(/^data:image\/png;base64,/);
    const h = tensorHistogram(t, 5);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(11);
    expect(h.nan).toBe(1);
  });

  it('`wgml tensor dump` writes an intermediate to .npy equal to the capture, and PNGs per channel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgml-tensor-'));
    const model = join(dir, 'conv.onnx');
    writeFileSync(model, convModel());
    const npy = join(dir, 'a1.npy');
    const text = await cli('tensor', 'dump', model, '--value', 'a1', '--out', npy, '--seed', String(seed));
    expect(text).toMatch(/a1: float32 \[1, 3, 6, 6\]/);
    expect(text).toMatch(/#/);
    const { capture } = await debugModel(await testDevice(), model, { seed });
    const got = readNpy(readFileSync(npy));
    expect(got.shape).toEqual([1, 3, 6, 6]);
    expect([...got.data]).toEqual([...capture.values.get('a1')!.data]);
    expect(Math.min(...got.data)).toBeGreaterThanOrEqual(0); // after Relu
    await cli('tensor', 'dump', model, '--value', 'c1', '--out', join(dir, 'c1.png'), '--false-colour');
    for (const c of [0, 1, 2]) expect(PNG.sync.read(readFileSync(join(dir, `c1_c${c}.png`))).width).toBe(6);
    expect(existsSync(join(dir, 'c1_c3.png'))).toBe(false);
  });
});
