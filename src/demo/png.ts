/** Texture readback and PNG output (pngjs) for the demo and its tests. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/** Read a 4-byte-per-texel texture (rgba8unorm or r32float) back as raw bytes, rows tightly packed. */
export async function readTexture(device: GPUDevice, texture: GPUTexture): Promise<Uint8Array> {
  const { width, height } = texture;
  const rowBytes = width * 4;
  const bytesPerRow = Math.ceil(rowBytes / 256) * 256; // WebGPU's copy alignment
  const staging = device.createBuffer({ label: `wgml demo read ${texture.label}`, size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: `wgml demo read ${texture.label}` });
  enc.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow }, { width, height });
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const src = new Uint8Array(staging.getMappedRange());
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) out.set(src.subarray(y * bytesPerRow, y * bytesPerRow + rowBytes), y * rowBytes);
  staging.unmap();
  staging.destroy();
  return out;
}

/** Grey RGBA from values in [0, 1] (AO maps). */
export function greyToRgba(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => { const g = Math.round(255 * Math.min(1, Math.max(0, v))); out.set([g, g, g, 255], i * 4); });
  return out;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

export function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(width, height, rgba));
}

/** Images side by side (same height), e.g. network AO | ground truth | lit frame. */
export function sideBySide(width: number, height: number, images: Uint8Array[]): Uint8Array {
  const W = width * images.length;
  const out = new Uint8Array(W * height * 4);
  images.forEach((img, k) => {
    for (let y = 0; y < height; y++) out.set(img.subarray(y * width * 4, (y + 1) * width * 4), (y * W + k * width) * 4);
  });
  return out;
}
