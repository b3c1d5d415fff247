/**
 * Showing frames when a WebGPU canvas cannot present. Headless Chromium with the usual flags
 * (`--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader`) gives a working device, but the first
 * frame presented to a WebGPU canvas kills it ("A valid external Instance reference no longer
 * exists"): the compositor cannot take WebGPU frames without Vulkan SwiftShader and shared images.
 * Compute, render targets and readback all keep working. So the pages first present one frame with
 * a throwaway device; if that device dies, they read their frame back each time and draw it on a
 * 2D canvas instead (slower, but every pass still runs on the GPU), and say so.
 */

/** Why the pages fall back, in terms a person can act on. */
export const NO_PRESENT = 'this browser cannot present WebGPU canvases (headless Chromium on SwiftShader: add '
  + '--use-vulkan=swiftshader --use-angle=swiftshader --enable-features=Vulkan,SharedImageWebGPU --enable-unsafe-swiftshader to present directly); '
  + 'showing each frame through a 2D canvas instead';

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

/**
 * Present one cleared frame on `canvas` with a device of its own; true if that device survives.
 * On true the canvas is unconfigured again (the caller configures it with its own device); on false
 * the canvas is spent (it holds a 'webgpu' context): replace it with {@link freshCanvas}.
 */
export async function canvasPresents(canvas: HTMLCanvasElement): Promise<boolean> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return false;
  const device = await adapter.requestDevice({ label: 'wgml canvas probe' });
  let lost = false;
  void device.lost.then(() => { lost = true; });
  const ctx = canvas.getContext('webgpu');
  if (!ctx) { device.destroy(); return false; }
  ctx.configure({ device, format: navigator.gpu.getPreferredCanvasFormat(), alphaMode: 'opaque' });
  const enc = device.createCommandEncoder({ label: 'wgml canvas probe' });
  enc.beginRenderPass({ label: 'wgml canvas probe', colorAttachments: [{ view: ctx.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }] }).end();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone().catch(() => { lost = true; });
  // The loss arrives once the compositor has taken (and failed on) the frame.
  for (let i = 0; i < 3 && !lost; i++) await frame();
  if (lost) return false;
  ctx.unconfigure();
  device.destroy();
  return true;
}

/** A new canvas in place of a spent one (same id, size and listeners' target for the page). */
export function freshCanvas(old: HTMLCanvasElement): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.id = old.id; c.width = old.width; c.height = old.height; c.className = old.className;
  old.replaceWith(c);
  return c;
}

/**
 * Draws an rgba8unorm texture on a 2D canvas by reading it back: `encode` records the copy into the
 * frame's encoder, `show` (after submit) maps and draws it. One readback in flight; frames that
 * come while it is busy are not shown.
 */
export class CanvasReadback {
  readonly #ctx: CanvasRenderingContext2D;
  readonly #buffer: GPUBuffer;
  readonly #bpr: number;
  readonly width: number;
  readonly height: number;
  #busy = false;
  #pending = false;

  /** `origin`: where the shown window starts in the frames given (a guard band's width; 0: their corner). */
  constructor(device: GPUDevice, canvas: HTMLCanvasElement, width: number, height: number, public origin = 0) {
    this.width = width; this.height = height;
    this.#ctx = canvas.getContext('2d')!;
    this.#bpr = Math.ceil((width * 4) / 256) * 256;
    this.#buffer = device.createBuffer({ label: 'wgml page 2D-canvas readback', size: this.#bpr * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  encode(enc: GPUCommandEncoder, texture: GPUTexture): void {
    if (this.#busy) return;
    enc.copyTextureToBuffer({ texture, origin: { x: this.origin, y: this.origin } }, { buffer: this.#buffer, bytesPerRow: this.#bpr }, { width: this.width, height: this.height });
    this.#busy = this.#pending = true;
  }

  async show(): Promise<void> {
    if (!this.#pending) return;
    this.#pending = false;
    await this.#buffer.mapAsync(GPUMapMode.READ);
    const src = new Uint8Array(this.#buffer.getMappedRange());
    const img = this.#ctx.createImageData(this.width, this.height), row = this.width * 4;
    for (let y = 0; y < this.height; y++) img.data.set(src.subarray(y * this.#bpr, y * this.#bpr + row), y * row);
    this.#buffer.unmap();
    this.#busy = false;
    this.#ctx.putImageData(img, 0, 0);
  }
}
