/** `wgml compress <folder> -o material.wgmat`: neural material compression of a folder of PNGs. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { requestDevice } from '../gpu/device.js';
import { loadMaterialFolder } from '../shaderml/material/textures.js';
import { compressMaterial } from '../shaderml/material/train.js';
import { encodeWgmat } from '../shaderml/material/wgmat.js';
import { decoderBytes, materialReport, type MaterialReport } from '../shaderml/material/report.js';
import { action, assertWritable, numberOption, writeBytes } from './common.js';
import { Progress } from './progress.js';

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
    .action(action(async (folder: string, o: { out: string; normal?: string[]; scale: string; steps: string; finetune: string; batch: string; seed: string; features: string; hidden: string; lr: string; lrLatent: string; mips?: boolean; mipWeight: string; json?: boolean }) => {
      const scale = numberOption('--scale', o.scale, { min: 1, max: 64, example: '2' });
      const steps = numberOption('--steps', o.steps, { min: 1, example: '4000' }), fine = numberOption('--finetune', o.finetune, { min: 0, example: '800' });
      const batch = numberOption('--batch', o.batch, { min: 1, example: '65536' }), seed = numberOption('--seed', o.seed);
      const features = numberOption('--features', o.features, { min: 4, max: 16, example: '4' });
      if (features % 4) throw new UsageError(`--features ${features} is not a multiple of 4`, 'RGBA8 latent textures hold 4 features each: give --features 4, 8, 12 or 16');
      const hidden = numberOption('--hidden', o.hidden, { min: 1, max: 256, example: '32' });
      const lr = numberOption('--lr', o.lr, { min: 0, real: true, example: '0.01' }), lrLatent = numberOption('--lr-latent', o.lrLatent, { min: 0, real: true, example: '0.05' });
      const mipWeight = numberOption('--mip-weight', o.mipWeight, { min: 0, real: true, example: '0.25' });
      const m = loadMaterialFolder(folder, o.normal);
      await assertWritable(o.out, 'material (-o)');
      const device = await requestDevice({ quiet: !!o.json });
      // On a terminal a bar with ETA; in a pipe or log a line every few seconds (training takes minutes).
      const progress = new Progress('compress', { delay: 0 });
      const t0 = performance.now();
      const c = await compressMaterial(device, m, {
        scale, steps, fineTuneSteps: fine, batch, seed, features, hidden, lrMlp: lr, lrLatent,
        mips: o.mips ? { weight: mipWeight } : false,
        onProgress: (phase, step, total, loss, psnr) => progress.update(phase === 'train' ? 'train' : phase === 'finetune' ? 'fine-tune (8-bit latents)' : phase, step, total, `loss ${loss.toExponential(2)}, PSNR ${psnr.toFixed(2)} dB`),
      }).finally(() => progress.stop());
      const trainSeconds = (performance.now() - t0) / 1000;
      const report = materialReport(m, c, decoderBytes(c));
      report.trainSeconds = trainSeconds;
      const bytes = encodeWgmat(c, m.textures, { psnr: report.psnr, textures: report.textures.map((t) => ({ name: t.name, psnr: t.psnr })), steps, finetune: fine });
      await writeBytes(o.out, bytes, 'material (-o)');
      report.fileBytes = bytes.length;
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report, o.out);
      device.destroy();
    }));
}
