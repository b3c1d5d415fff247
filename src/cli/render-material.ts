/**
 * `wgml render-material material.wgmat --out image.png [--originals folder]`: a lit, normal-mapped
 * sphere shaded from the neural material in a fragment shader (forward) and in a compute pass over a
 * G-buffer; with the original textures, the same scene shaded from them and the PSNR of each
 * neural render against its conventional twin.
 */
import type { Command } from 'commander';
import { requestDevice } from '../gpu/device.js';
import { UsageError } from '../errors.js';
import { LATENT_STORAGE, loadMaterial, type LatentStorage } from '../shaderml/material/wgmat.js';
import { decoderBytes, footprint } from '../shaderml/material/report.js';
import { MaterialInputError, loadMaterialFolder, writePng } from '../shaderml/material/textures.js';
import { imagePsnr, renderMaterialScene } from '../shaderml/material/render.js';
import { action, assertWritable, numberOption, readBytes } from './common.js';
import { Progress } from './progress.js';

const withSuffix = (out: string, s: string) => out.replace(/(\.png)?$/i, `-${s}.png`);

export function register(program: Command): void {
  program.command('render-material')
    .description('render a sphere shaded from a .wgmat (forward and compute shading), optionally against the original textures')
    .argument('<material>', '.wgmat file from `wgml compress`')
    .requiredOption('-o, --out <png>', 'image of the forward neural render; -compute.png and -reference*.png are written beside it')
    .option('--originals <folder>', 'the folder of PNGs the material was compressed from: renders the conventional twin and reports PSNR')
    .option('--size <n>', 'image width and height', '512')
    .option('--precision <p>', 'decoder arithmetic: f32, f16 (needs shader-f16) or int8 (dot4I8Packed, calibrated on the latents)', 'f32')
    .option('--latents <how>', "latent codes on the GPU: expanded (2/4-bit codes as rgba8unorm bytes, hardware-filtered: the fast decode), packed (as stored, unpacked in the shader: least memory, slower: 0.582 ms for the 20-bit default at 4K on an H100, against 0.556) or balanced (the finest grid packed, the others expanded: most of the saving, 0.558 ms there)", 'expanded')
    .option('--minified', 'also render the material tiled 8×4 (minified) with trilinear filtering, neural mips against the originals\' mip chain (needs --originals; compress with --mips)')
    .option('--json', 'print the report as JSON')
    .action(action(async (file: string, o: { out: string; originals?: string; size: string; precision: string; minified?: boolean; latents: string; json?: boolean }) => {
      const size = numberOption('--size', o.size, { min: 8, max: 8192, example: '512' });
      if (!['f32', 'f16', 'int8'].includes(o.precision)) throw new UsageError(`--precision ${o.precision} is not f32, f16 or int8`, 'give --precision f32, f16 or int8');
      const precision = o.precision as 'f32' | 'f16' | 'int8';
      if (!(LATENT_STORAGE as readonly string[]).includes(o.latents)) throw new UsageError(`--latents ${o.latents} is not ${LATENT_STORAGE.slice(0, -1).join(', ')} or ${LATENT_STORAGE.at(-1)}`, 'give --latents expanded (fast decode), packed (least GPU memory) or balanced (the finest grid packed)');
      const latents = o.latents as LatentStorage;
      if (o.minified && !o.originals) throw new UsageError('--minified compares against the originals', 'give --originals <folder> too');
      const bytes = await readBytes(file, 'material');
      await assertWritable(o.out, 'image (-o)');
      const device = await requestDevice({ quiet: !!o.json });
      const mat = loadMaterial(device, bytes, { latents });
      // Originals are read before any image is written (the output may go into the same folder).
      const m = o.originals ? (() => {
        // The file says which textures were normal maps (`compress --normal` may have named them): read them so.
        const normals = mat.manifest.textures.filter((t) => t.kind === 'normal').map((t) => t.name);
        const names = mat.manifest.textures.map((t) => t.name).join(',');
        let m: ReturnType<typeof loadMaterialFolder>;
        try { m = loadMaterialFolder(o.originals!, normals.length ? normals : ['none']); } catch (e) {
          // A normal map of the file that the folder lacks: say it as a mismatch of folders, not of --normal.
          if (e instanceof MaterialInputError && typeof e.details.texture === 'string') {
            throw new UsageError(`--originals ${o.originals} has no texture '${e.details.texture}', but the material was made from ${names}`, 'point --originals at the folder given to `wgml compress`');
          }
          throw e;
        }
        const got = m.textures.map((t) => t.name).join(',');
        const kinds = mat.manifest.textures.map((t) => t.kind).join(','), gotKinds = m.textures.map((t) => t.kind).join(',');
        if (kinds !== gotKinds && names === got) {
          throw new UsageError(`--originals ${o.originals} reads as ${gotKinds}, but the material was made from ${kinds} (${names})`, 'point --originals at the folder given to `wgml compress`; a material made by an older wgml, which read near-grey gloss maps as colour, needs compressing again');
        }
        if (names !== got || m.width !== mat.manifest.width || m.height !== mat.manifest.height) {
          throw new UsageError(`--originals ${o.originals} holds ${got} at ${m.width}×${m.height}, but the material was made from ${names} at ${mat.manifest.width}×${mat.manifest.height}`, 'point --originals at the folder given to `wgml compress`');
        }
        return m;
      })() : null;
      const opts = { width: size, height: size };
      // Each render compiles its shaders (at first use on software drivers): count them as steps.
      const progress = new Progress('render-material');
      const steps = 2 + (m ? 2 : 0) + (m && o.minified ? 3 : 0);
      let done = 0;
      const render = async (...a: Parameters<typeof renderMaterialScene>) => {
        progress.update('rendering', done, steps);
        const img = await renderMaterialScene(...a);
        progress.update('rendering', ++done, steps);
        return img;
      };
      const neural = { kind: 'neural' as const, material: mat, decode: { precision } };
      const fwd = await render(device, neural, 'forward', opts);
      const cmp = await render(device, neural, 'compute', opts);
      writePng(o.out, size, size, fwd);
      writePng(withSuffix(o.out, 'compute'), size, size, cmp);
      // Level 0 + decoder per texel, as `wgml compress` counts them: in the file, and in GPU memory as loaded.
      const fp = footprint(mat.material, decoderBytes(mat.material), latents);
      const report: Record<string, unknown> = { material: file, size, precision, latents, bitsPerTexel: fp.bitsPerTexel, gpuBitsPerTexel: fp.gpuBitsPerTexel, images: { forward: o.out, compute: withSuffix(o.out, 'compute') }, psnrForwardVsCompute: imagePsnr(fwd, cmp) };
      if (m) {
        const src = { kind: 'texels' as const, width: m.width, height: m.height, channels: m.channels, textures: m.textures, data: m.data };
        const rf = await render(device, src, 'forward', opts);
        const rc = await render(device, src, 'compute', opts);
        writePng(withSuffix(o.out, 'reference'), size, size, rf);
        writePng(withSuffix(o.out, 'reference-compute'), size, size, rc);
        Object.assign(report, { psnrForward: imagePsnr(fwd, rf), psnrCompute: imagePsnr(cmp, rc) });
        (report.images as Record<string, string>).reference = withSuffix(o.out, 'reference');
        if (o.minified) {
          // Minified: every pixel covers several texels, so the mip level matters. Nearest-texel decoding is the aliased baseline.
          const mo = { ...opts, tile: [8, 4] as [number, number] }, tri = { ...mo, filter: 'trilinear' as const };
          const nt = await render(device, neural, 'forward', tri), rt = await render(device, src, 'forward', tri);
          const nn = await render(device, neural, 'forward', mo);
          writePng(withSuffix(o.out, 'minified'), size, size, nt);
          writePng(withSuffix(o.out, 'minified-reference'), size, size, rt);
          report.minified = { mipLevels: mat.manifest.latent.mips?.length ?? 0, psnrTrilinear: imagePsnr(nt, rt), psnrNearest: imagePsnr(nn, rt) };
        }
      } else if (o.minified) throw new UsageError('--minified compares against the originals', 'give --originals <folder> too');
      progress.stop();
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else {
        const f = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(2)} dB` : '-');
        console.log(`${o.out}: ${size}×${size} sphere, ${mat.manifest.textures.map((t) => t.name).join(' + ')}, ${precision} decode
  latents                                    ${latents}: ${fp.bitsPerTexel.toFixed(2)} bits/texel stored, ${fp.gpuBitsPerTexel.toFixed(2)} on the GPU
  neural forward vs neural compute shading   ${f(report.psnrForwardVsCompute)}
  neural vs original textures (forward)      ${f(report.psnrForward)}
  neural vs original textures (compute)      ${f(report.psnrCompute)}${report.minified ? `
  minified, neural mips vs original mips     ${f((report.minified as { psnrTrilinear: number }).psnrTrilinear)} (nearest-texel decode: ${f((report.minified as { psnrNearest: number }).psnrNearest)})` : ''}`);
      }
      device.destroy();
    }));
}
