/** `wgml compress <folder> -o material.wgmat`: neural material compression of a folder of PNGs. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { requestDevice } from '../gpu/device.js';
import { loadMaterialFolder } from '../shaderml/material/textures.js';
import { compressMaterial } from '../shaderml/material/train.js';
import { encodeWgmat } from '../shaderml/material/wgmat.js';
import { decoderBytes, materialReport, type MaterialReport } from '../shaderml/material/report.js';

function printReport(r: MaterialReport, out: string): void {
  const rows = r.textures.map((t) => `  ${t.name.padEnd(16)} ${t.kind.padEnd(7)} ${String(t.channels).padStart(2)} ch  ${t.psnr.toFixed(2).padStart(6)} dB   ${t.bcFormat} ${t.bcBytes} B`);
  console.log(`${out}: ${r.width}×${r.height}, ${r.textures.length} textures
${rows.join('\n')}
  overall          PSNR ${r.psnr.toFixed(2)} dB
  neural           ${r.bytes} B (latents ${r.latentBytes} B + decoder ${r.decoderBytes} B), ${r.bitsPerTexel.toFixed(2)} bits/texel; file ${r.fileBytes} B
  training         ${r.trainSeconds?.toFixed(1)} s
  block-compressed ${r.bcBytes} B, ${r.bcBitsPerTexel.toFixed(2)} bits/texel  → ratio ${r.bcRatio.toFixed(2)}× (above 1: neural is smaller)${r.mipPsnr ? `
  mips             ${r.mipPsnr.length} levels, PSNR ${r.mipPsnr.map((p) => p.toFixed(1)).join(' / ')} dB; with mips ${r.bitsPerTexelWithMips!.toFixed(2)} bits/texel → ratio ${r.bcRatioWithMips!.toFixed(2)}× to BC with mips` : ''}`);
}

export function register(program: Command): void {
  program.command('compress')
    .description('compress a folder of material PNGs into latent textures + a tiny decoder MLP (.wgmat)')
    .argument('<folder>', 'folder of same-size PNGs (albedo, normal, roughness…)')
    .requiredOption('-o, --out <file>', 'output .wgmat')
    .option('--normal <names...>', 'texture names (file names without .png) to treat as normal maps; default: by name')
    .option('--scale <n>', 'latent resolution = texture size / n', '2')
    .option('--steps <n>', 'training steps before quantization', '4000')
    .option('--finetune <n>', 'decoder fine-tuning steps after 8-bit quantization', '800')
    .option('--batch <n>', 'texels per step', '65536')
    .option('--features <n>', 'latent features (RGBA8 latent textures hold 4 each)', '4')
    .option('--hidden <n>', 'decoder hidden width', '32')
    .option('--lr <n>', 'decoder learning rate', '0.01')
    .option('--lr-latent <n>', 'latent learning rate', '0.05')
    .option('--seed <n>', 'initialisation seed', '1')
    .option('--mips', 'also train mip levels with latents of their own (trilinear decode of minified surfaces; ~1/3 more bytes)')
    .option('--mip-weight <w>', 'with --mips: loss weight of the mip levels against level 0', '0.25')
    .option('--json', 'print the report as JSON')
    .action(async (folder: string, o: { out: string; normal?: string[]; scale: string; steps: string; finetune: string; batch: string; seed: string; features: string; hidden: string; lr: string; lrLatent: string; mips?: boolean; mipWeight: string; json?: boolean }) => {
      const m = loadMaterialFolder(folder, o.normal);
      const device = await requestDevice({ quiet: !!o.json });
      const steps = Number(o.steps), fine = Number(o.finetune);
      const bar = o.json ? null : new cliProgress.SingleBar({ format: '{phase} [{bar}] {value}/{total} | loss {loss} | PSNR {psnr} dB', hideCursor: true }, cliProgress.Presets.shades_classic);
      bar?.start(steps + fine, 0, { phase: 'train   ', loss: '-', psnr: '-' });
      const t0 = performance.now();
      const c = await compressMaterial(device, m, {
        scale: Number(o.scale), steps, fineTuneSteps: fine, batch: Number(o.batch), seed: Number(o.seed),
        features: Number(o.features), hidden: Number(o.hidden), lrMlp: Number(o.lr), lrLatent: Number(o.lrLatent),
        mips: o.mips ? { weight: Number(o.mipWeight) } : false,
        onProgress: (phase, step, total, loss, psnr) => bar?.update(phase === 'train' ? step : phase === 'finetune' ? steps + step : steps + fine, { phase: phase.padEnd(8), loss: loss.toExponential(2), psnr: psnr.toFixed(2) }),
      });
      bar?.stop();
      const trainSeconds = (performance.now() - t0) / 1000;
      const report = materialReport(m, c, decoderBytes(c));
      report.trainSeconds = trainSeconds;
      const bytes = encodeWgmat(c, m.textures, { psnr: report.psnr, textures: report.textures.map((t) => ({ name: t.name, psnr: t.psnr })), steps, finetune: fine });
      writeFileSync(o.out, bytes);
      report.fileBytes = bytes.length;
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report, o.out);
      device.destroy();
    });
}
