/** Quality and size of a compressed material against its block-compressed footprint. */
import { decodeMaterialCpu, psnrOf, type CompressedMaterial } from './train.js';
import { BC_BITS, BC_FORMAT, type MaterialTargets } from './textures.js';

export interface TextureReport { name: string; kind: string; channels: number; psnr: number; bcFormat: string; bcBytes: number }
export interface MaterialReport {
  width: number; height: number;
  psnr: number;
  textures: TextureReport[];
  /** Latents + decoder weights as stored (the manifest is not counted). */
  bytes: number;
  latentBytes: number;
  decoderBytes: number;
  /** Stored bits per texel of the whole material (all textures together). */
  bitsPerTexel: number;
  bcBytes: number;
  bcBitsPerTexel: number;
  /** BC footprint / neural footprint: above 1 means smaller than block compression. */
  bcRatio: number;
  fileBytes?: number;
  /** Wall time of training + quantization + fine-tuning (the device's queue drained). */
  trainSeconds?: number;
}

/** Decode on the CPU (values clamped to [0, 1], as a texture would hold them) and compare. */
export function materialReport(m: MaterialTargets, c: CompressedMaterial, decoderBytes: number): MaterialReport {
  const d = decodeMaterialCpu(c), T = m.width * m.height, C = m.channels;
  let c0 = 0, seAll = 0;
  const textures = m.textures.map((t) => {
    let se = 0;
    for (let p = 0; p < T; p++) {
      for (let k = 0; k < t.channels; k++) {
        const i = p * C + c0 + k, v = Math.min(1, Math.max(0, d[i]!));
        se += (v - m.data[i]!) ** 2;
      }
    }
    seAll += se; c0 += t.channels;
    return { name: t.name, kind: t.kind, channels: t.channels, psnr: psnrOf(se / (T * t.channels)), bcFormat: BC_FORMAT[t.kind], bcBytes: (T * BC_BITS[t.kind]) / 8 };
  });
  const latentBytes = c.latents.length, bytes = latentBytes + decoderBytes;
  const bcBytes = textures.reduce((a, t) => a + t.bcBytes, 0);
  return {
    width: m.width, height: m.height, psnr: psnrOf(seAll / (T * C)), textures, bytes, latentBytes, decoderBytes,
    bitsPerTexel: (bytes * 8) / T, bcBytes, bcBitsPerTexel: (bcBytes * 8) / T, bcRatio: bcBytes / bytes,
  };
}

/** Decoder weight bytes as stored (F16). */
export function decoderBytes(c: CompressedMaterial): number {
  return c.decoder.layers.reduce((a, l) => a + 2 * (l.weight.length + l.bias.length), 0);
}
