/**
 * `wgml compress` and `wgml render-material` as a user runs them (dist/cli/main.js) on a material that is neither
 * square nor of sides a multiple of 4, with a 16-bit texture and stray files; grey with alpha; and the refusals of out-of-range
 * --psnr / --bits, and a 4×4 material where --mips has no level to train.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWgmat } from '../src/shaderml/material/wgmat.js';
import { loadMaterialFolder } from '../src/shaderml/material/textures.js';
import { decoderBytes, materialReport } from '../src/shaderml/material/report.js';
import { encodePng, COLOR_TYPES as CT } from './fixtures/material-inputs/png.js';
import { decodeCostReport } from '../src/shaderml/material/decode-cost.js';
import { parseRung } from '../src/shaderml/material/rung.js';

const root = mkdtempSync(join(tmpdir(), 'wgml-inputs-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `wgml <args>`: exit code, stdout, stderr. */
function wgml(args: string[]): { code: number; out: string; err: string } {
  try {
    return { code: 0, out: execFileSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8', stdio: 'pipe' }), err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout, err: x.stderr };
  }
}

describe('wgml compress on odd inputs', () => {
  it('refuses --psnr, --bits, --balance-power, --adam-beta2 and --ste-from out of range or not numbers, before reading the folder', () => {
    for (const [flag, v, range] of [['--psnr', '0', 'from 10 to 99'], ['--psnr', '-5', 'from 10 to 99'], ['--psnr', '1000', 'from 10 to 99'], ['--psnr', 'abc', 'from 10 to 99'],
      ['--bits', '0', 'from 0.01 to 64'], ['--bits', '-1', 'from 0.01 to 64'], ['--bits', '1000', 'from 0.01 to 64'], ['--bits', 'six', 'from 0.01 to 64'],
      // hexadecimal and binary literals that Number() would take as 32 and 4
      ['--psnr', '0x20', 'from 10 to 99'], ['--bits', '0b100', 'from 0.01 to 64'], ['--bits', 'Infinity', 'from 0.01 to 64'],
      ['--balance-power', '-1', 'from 0 to 16'], ['--balance-power', 'hard', 'from 0 to 16'], ['--adam-beta2', '1.5', 'from 0 to 0.9999'], ['--ste-from', '1.5', 'from 0 to 1'], ['--ste-from', 'late', 'from 0 to 1']]) {
      const r = wgml(['compress', join(root, 'no-such-folder'), '-o', join(root, 'x.wgmat'), `${flag}=${v}`]);
      expect(r.code, `${flag} ${v}`).toBe(1);
      expect(r.err, `${flag} ${v}`).toMatch(new RegExp(`^wgml: UsageError: ${flag} "${v}" is not a number ${range}\\n  hint: e\\.g\\. ${flag} \\d+`));
    }
  });

  it('refuses a --time-limit that is not a number of seconds ≥ 1 (or none), before reading the folder', () => {
    for (const v of ['0', 'soon', '-3']) {
      const r = wgml(['compress', join(root, 'no-such-folder'), '-o', join(root, 'x.wgmat'), '--psnr', '40', `--time-limit=${v}`]);
      expect([r.code, r.err.split('\n')[0]], v).toEqual([1, `wgml: UsageError: --time-limit "${v}" is not a number ≥ 1`]);
    }
  });

  it('trains, stores, scores and renders a 33×17 material with a 16-bit texture, listing the files it skipped', () => {
    const [W, H] = [33, 17], dir = join(root, 'odd');
    mkdirSync(dir);
    const px = (spp: number, f: (x: number, y: number) => number[]) => Array.from({ length: W * H }, (_, p) => f(p % W, Math.floor(p / W)).slice(0, spp)).flat();
    writeFileSync(join(dir, 'albedo.png'), encodePng({ width: W, height: H, colorType: CT.rgb, depth: 8, samples: px(3, (x, y) => [60 + 5 * x, 40 + 9 * y, 90 + ((x * y) % 50)]) }));
    writeFileSync(join(dir, 'height.png'), encodePng({ width: W, height: H, colorType: CT.grey, depth: 16, samples: px(1, (x, y) => [x * 1500 + y * 37]) }));
    writeFileSync(join(dir, 'README.txt'), 'CC0');
    const file = join(root, 'odd.wgmat');
    const r = wgml(['compress', dir, '-o', file, '--steps', '30', '--finetune', '5', '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect([rep.width, rep.height, rep.skipped]).toEqual([W, H, ['README.txt']]);
    // Held to 60 s of training (--time-limit's default up to 512²). The twin is the one step the default can leave out:
    // only if the rung took over 30 s, which a cold shader cache on a software adapter could make it.
    expect(rep.search.timeLimit).toBe(60);
    if (rep.search.leftOut) expect(rep.search.leftOut).toEqual([expect.stringMatching(/^twin \S+: [\d.]+ s trained \+ ~[\d.]+ s would pass the 60\.0-s time limit$/)]);
    // Latent grids cover the material (sides rounded up); BC counts whole 4×4 blocks: 9×5 of 16 (BC7) and 8 (BC4) bytes.
    const scale = Number(/^s(\d+)/.exec(rep.search.chosen)![1]);
    expect(rep.grids[0]).toMatchObject({ width: Math.ceil(W / scale), height: Math.ceil(H / scale) });
    expect(rep.textures.map((t: { bcBytes: number }) => t.bcBytes)).toEqual([9 * 5 * 16, 9 * 5 * 8]);
    expect(rep.bcBitsPerTexel).toBeCloseTo((9 * 5 * 24 * 8) / (W * H), 9);
    expect(rep.textures[1].note).toBe('16 bits per channel, trained at full precision');
    // The report's PSNR (GPU decode) is the CPU decode's of the file, against the 16-bit targets.
    const { manifest, material } = decodeWgmat(new Uint8Array(readFileSync(file)));
    expect([manifest.width, manifest.height]).toEqual([W, H]);
    const cpu = materialReport(loadMaterialFolder(dir), material, decoderBytes(material));
    cpu.textures.forEach((t, i) => expect(Math.abs(t.psnr - rep.textures[i].psnr), t.name).toBeLessThan(0.05));
    expect(rep.psnr).toBeGreaterThan(12);
    expect(rep.warning !== undefined).toBe(rep.bcRatio < 1);
    // The decode estimate is the chosen rung's on this material's 4 outputs (albedo + height).
    expect(rep.decodeEstimateMs).toEqual(decodeCostReport(parseRung(rep.search.chosen), 4));

    const img = join(root, 'odd.png');
    const rr = wgml(['render-material', file, '-o', img, '--originals', dir, '--size', '16', '--json']);
    expect(rr.code, rr.err).toBe(0);
    const rj = JSON.parse(rr.out.slice(rr.out.indexOf('{')));
    expect(rj.psnrForward).toBeGreaterThan(15);
    expect(Math.abs(rj.psnrForward - rj.psnrCompute)).toBeLessThan(0.5);
  }, 120_000);

  it('trains grey with alpha as two channels, scores it against BC5, and renders the file', () => {
    const N = 16, dir = join(root, 'mask');
    mkdirSync(dir);
    const px = (spp: number, f: (x: number, y: number) => number[]) => Array.from({ length: N * N }, (_, p) => f(p % N, Math.floor(p / N)).slice(0, spp)).flat();
    writeFileSync(join(dir, 'albedo.png'), encodePng({ width: N, height: N, colorType: CT.rgb, depth: 8, samples: px(3, (x, y) => [60 + 9 * x, 40 + 9 * y, 120]) }));
    writeFileSync(join(dir, 'mask.png'), encodePng({ width: N, height: N, colorType: CT.greyAlpha, depth: 8, samples: px(2, (x, y) => [90 + 8 * y, x < 8 ? 255 : 16 * x]) }));
    const file = join(root, 'mask.wgmat');
    const r = wgml(['compress', dir, '-o', file, '--steps', '30', '--finetune', '5', '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect(rep.textures.map((t: { name: string; kind: string; channels: number; bcFormat: string; bcBytes: number }) => [t.name, t.kind, t.channels, t.bcFormat, t.bcBytes]))
      .toEqual([['albedo', 'color', 3, 'BC7', 16 * 16], ['mask', 'scalar', 2, 'BC5', 16 * 16]]);
    const { manifest, material } = decodeWgmat(new Uint8Array(readFileSync(file)));
    expect(manifest.textures.map((t) => [t.name, t.channels, t.alpha])).toEqual([['albedo', 3, false], ['mask', 2, true]]);
    expect(manifest.channels).toBe(5);
    const cpu = materialReport(loadMaterialFolder(dir), material, decoderBytes(material));
    cpu.textures.forEach((t, i) => expect(Math.abs(t.psnr - rep.textures[i].psnr), t.name).toBeLessThan(0.05));
    const rr = wgml(['render-material', file, '-o', join(root, 'mask.png'), '--originals', dir, '--size', '16', '--json']);
    expect(rr.code, rr.err).toBe(0);
  }, 120_000);

  it('compresses a 4×4 material, and says when --mips finds no level to train', () => {
    const dir = join(root, 'tiny');
    mkdirSync(dir);
    writeFileSync(join(dir, 'albedo.png'), encodePng({ width: 4, height: 4, colorType: CT.rgb, depth: 8, samples: Array.from({ length: 48 }, (_, i) => (i * 37) % 256) }));
    const r = wgml(['compress', dir, '-o', join(root, 'tiny.wgmat'), '--mips', '--steps', '10', '--finetune', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect([rep.width, rep.height, rep.bcBytes, rep.mipPsnr]).toEqual([4, 4, 16, undefined]);
    expect(rep.mipsNote).toBe('none trained: a 4×4 material has no mip level of 4×4 texels or more below level 0');
    // 16 bytes of BC7 against a decoder of hundreds of bytes: the report says BC is smaller, in numbers.
    expect(rep.bcRatio).toBeLessThan(1);
    expect(rep.warning).toBe(`the neural material (${rep.bytes} B: decoder ${rep.decoderBytes} B, latents ${rep.latentBytes} B) is larger than its block-compressed footprint (16 B) at 4×4; BC is the smaller choice here`);
    // Ten steps leave the texture far under 35 dB: the default's report points at --psnr.
    expect(rep.textures[0].psnr).toBeLessThan(35);
    // Even the ladder's smallest configuration is over a third of BC's 8 bits a texel here, and the report says so.
    expect(rep.bitsPerTexel).toBeGreaterThan(8 / 3);
    expect(rep.search.overBudget).toBeCloseTo(8 / 3, 9);
    expect(rep.advice).toBe(`texture 'albedo' reaches ${rep.textures[0].psnr.toFixed(2)} dB with the smallest configuration; \`--psnr 35\` trains larger configurations until every texture reaches 35 dB`);
  });
});
