/**
 * The showcase live in the browser: the same frame as `wgml demo` (G-buffer → neural material decode
 * → neural AO → lighting), recorded into one encoder per animation frame on navigator.gpu, the result
 * copied onto a canvas in that encoder. Orbit with the mouse; per-pass GPU times from timestamp
 * queries when the device has them, else the CPU-side frame time.
 *
 * URL parameters: size=N (square, multiple of 4; default 256), ao=network|groundtruth|none.
 * For tests, window.__wgml exposes the state once the first frame is on screen. Where a WebGPU canvas
 * cannot present (headless Chromium with the usual flags), frames go through a 2D canvas (present.ts).
 */
import { requestDevice } from '../src/gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame, framePasses, setCamera, type AOMode, type FrameState } from '../src/demo/frame.js';
import { demoCamera, demoScene } from '../src/demo/scene.js';
import { cameraEye, lookAt, perspective, transform, type Camera, type Vec3 } from '../src/demo/math.js';
import { readPacked } from '../src/demo/pack.js';
import { CanvasReadback, NO_PRESENT, canvasPresents, freshCanvas } from './present.js';

const params = new URLSearchParams(location.search);
const size = Number(params.get('size') ?? 256);
const status = document.getElementById('status')!;
let canvas = document.getElementById('view') as HTMLCanvasElement;
const aoSelect = document.getElementById('ao') as HTMLSelectElement;
const timesEl = document.getElementById('times')!;

interface WgmlDemoHandle {
  frames: number;
  width: number;
  height: number;
  ao: AOMode;
  passMs: Record<string, number>;
  /** How frames reach the screen: a WebGPU canvas, or read back onto a 2D canvas. */
  presentation: 'webgpu-canvas' | '2d-readback';
  /** Pixel of a world point for the current camera. */
  project(p: Vec3): [number, number];
  /** The canvas image as RGBA8 rows (read from the frame's color texture). */
  readColor(): Promise<number[]>;
  /** The AO slot of the last frame, row-major. */
  readAO(): Promise<number[]>;
}
declare global { interface Window { __wgml?: WgmlDemoHandle; __wgmlError?: string } }

function fail(e: unknown): void {
  const msg = e instanceof Error ? `${e.name}: ${e.message}${'hint' in e ? ` (${(e as { hint: string }).hint})` : ''}` : String(e);
  status.textContent = msg; status.className = 'error';
  window.__wgmlError = msg;
  console.error(msg);
}

async function main(): Promise<void> {
  if (!navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  canvas.width = size; canvas.height = size;
  const presents = await canvasPresents(canvas);
  if (!presents) { canvas = freshCanvas(canvas); console.warn(`wgml demo: ${NO_PRESENT}`); }
  const device = await requestDevice({ quiet: true });
  device.addEventListener('uncapturederror', (e) => fail((e as GPUUncapturedErrorEvent).error.message));
  // The preferred format and a one-triangle blit (the frame's rgba8unorm need not match the canvas format).
  const format = navigator.gpu.getPreferredCanvasFormat();
  const ctx = presents ? canvas.getContext('webgpu')! : null;
  ctx?.configure({ device, format, alphaMode: 'opaque' });
  const blit = blitPipeline(device, format);
  const shown = presents ? null : new CanvasReadback(device, canvas, size, size);
  const [model, material] = await Promise.all([
    new URL('../models/ao/ao.onnx', location.href).href,
    fetch(new URL('../examples/materials/bricks.wgmat', location.href)).then(async (r) => { if (!r.ok) throw new Error(`bricks.wgmat: HTTP ${r.status}`); return new Uint8Array(await r.arrayBuffer()); }),
  ]);
  let camera: Camera = demoCamera();
  const states = new Map<AOMode, FrameState>();
  const stateFor = async (ao: AOMode) => {
    let s = states.get(ao);
    if (!s) { status.textContent = `preparing ${ao}…`; s = await createFrameState(device, { width: size, height: size, scene: demoScene(), camera, ao, model, material }); states.set(ao, s); }
    setCamera(s, camera);
    return s;
  };
  const initial = params.get('ao');
  if (initial) aoSelect.value = initial;
  device.lost.then((l) => fail(`device lost (${l.reason}): ${l.message}`), fail);
  let state = await stateFor(aoSelect.value as AOMode);
  aoSelect.onchange = () => { stateFor(aoSelect.value as AOMode).then((s) => { state = s; }, fail); };

  // Orbit controls.
  let drag: { x: number; y: number } | null = null;
  canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointerup', () => { drag = null; });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    camera = { ...camera, yaw: camera.yaw - (e.clientX - drag.x) * 0.01, pitch: Math.min(1.4, Math.max(0.05, camera.pitch + (e.clientY - drag.y) * 0.01)) };
    drag = { x: e.clientX, y: e.clientY };
    setCamera(state, camera);
  });
  canvas.addEventListener('wheel', (e) => { e.preventDefault(); camera = { ...camera, distance: Math.min(15, Math.max(2, camera.distance * Math.exp(e.deltaY * 0.001))) }; setCamera(state, camera); }, { passive: false });

  const timestamps = device.features.has('timestamp-query') ;
  const maxSlots = 8;
  const querySet = timestamps ? device.createQuerySet({ label: 'wgml demo page timestamps', type: 'timestamp', count: maxSlots }) : null;
  const resolve = timestamps ? device.createBuffer({ label: 'wgml demo page resolve', size: maxSlots * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const readback = timestamps ? device.createBuffer({ label: 'wgml demo page timestamps readback', size: maxSlots * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : null;
  let mapping = false, frames = 0, last = performance.now();
  const passMs: Record<string, number> = {};
  const smooth = (k: string, v: number) => { passMs[k] = passMs[k] === undefined ? v : passMs[k]! * 0.8 + v * 0.2; };
  const showTimes = () => {
    timesEl.innerHTML = Object.entries(passMs).map(([k, v]) => `<tr><td>${k}</td><td class="ms">${v.toFixed(2)} ms</td></tr>`).join('')
      + `<tr><td colspan="2">${timestamps ? 'GPU timestamp queries' : 'CPU frame time (no timestamp-query)'}; ${size}×${size}, frame ${frames}</td></tr>`;
  };

  const frame = async () => {
    const s = state;
    const passes = framePasses(s.ao);
    const enc = device.createCommandEncoder({ label: 'wgml demo page frame' });
    const timed = querySet && !mapping;
    encodeFrame(enc, s, timed ? { querySet, first: 0 } : undefined);
    if (ctx) encodeBlit(device, enc, blit, s.color, ctx.getCurrentTexture());
    else shown!.encode(enc, s.color);
    if (timed) { enc.resolveQuerySet(querySet, 0, passes.length * 2, resolve!, 0); enc.copyBufferToBuffer(resolve!, 0, readback!, 0, passes.length * 16); }
    device.queue.submit([enc.finish()]);
    if (timed) {
      mapping = true;
      readback!.mapAsync(GPUMapMode.READ).then(() => {
        const t = new BigUint64Array(readback!.getMappedRange().slice(0, passes.length * 16));
        readback!.unmap(); mapping = false;
        passes.forEach((p, i) => smooth(p, Number(t[2 * i + 1]! - t[2 * i]!) / 1e6));
      }, fail);
    }
    await device.queue.onSubmittedWorkDone();
    await shown?.show();
    const now = performance.now();
    smooth('frame (CPU)', now - last); last = now;
    frames++;
    status.textContent = `running on ${device.adapterInfo?.description || device.adapterInfo?.vendor || 'WebGPU'}${presents ? '' : ` — ${NO_PRESENT}`}`;
    showTimes();
    if (!window.__wgml) {
      const view = () => lookAt(cameraEye(camera), camera.target), proj = () => perspective(camera.fovY, 1, camera.near, camera.far);
      window.__wgml = {
        frames, width: size, height: size, ao: s.ao, passMs, presentation: presents ? 'webgpu-canvas' : '2d-readback',
        project(p) { const v = transform(view(), p, 1), c = transform(proj(), v, 1), w = -v[2]; return [Math.floor(((c[0] / w + 1) / 2) * size), Math.floor(((1 - c[1] / w) / 2) * size)]; },
        async readColor() { return Array.from(await readRgba(device, state.color)); },
        async readAO() { return Array.from((await readPacked(device, state.gbuffer.normal, state.aoTexture)).subarray(4 * size * size)); },
      };
    }
    window.__wgml.frames = frames; window.__wgml.ao = s.ao;
    requestAnimationFrame(() => { frame().catch(fail); });
  };
  requestAnimationFrame(() => { frame().catch(fail); });
  window.addEventListener('pagehide', () => { for (const s of states.values()) destroyFrameState(s); });
}

const BLIT = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let p = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(p * 2.0 - 1.0, 0.0, 1.0);
}
@fragment fn fs(@builtin(position) p: vec4f) -> @location(0) vec4f { return textureLoad(src, vec2i(p.xy), 0); }`;

function blitPipeline(device: GPUDevice, format: GPUTextureFormat): GPURenderPipeline {
  const module = device.createShaderModule({ label: 'wgml demo page blit', code: BLIT });
  return device.createRenderPipeline({ label: 'wgml demo page blit', layout: 'auto', vertex: { module, entryPoint: 'vs' }, fragment: { module, entryPoint: 'fs', targets: [{ format }] } });
}

const blitGroups = new WeakMap<GPUTexture, GPUBindGroup>();
function encodeBlit(device: GPUDevice, enc: GPUCommandEncoder, pipeline: GPURenderPipeline, src: GPUTexture, dst: GPUTexture): void {
  let group = blitGroups.get(src);
  if (!group) { group = device.createBindGroup({ label: 'wgml demo page blit', layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: src.createView() }] }); blitGroups.set(src, group); }
  const pass = enc.beginRenderPass({ label: 'wgml demo page blit', colorAttachments: [{ view: dst.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
  pass.setPipeline(pipeline); pass.setBindGroup(0, group); pass.draw(3); pass.end();
}

async function readRgba(device: GPUDevice, texture: GPUTexture): Promise<Uint8Array> {
  const { width, height } = texture, row = width * 4, bpr = Math.ceil(row / 256) * 256;
  const staging = device.createBuffer({ label: 'wgml demo page color readback', size: bpr * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'wgml demo page color readback' });
  enc.copyTextureToBuffer({ texture }, { buffer: staging, bytesPerRow: bpr }, { width, height });
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const src = new Uint8Array(staging.getMappedRange()), out = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) out.set(src.subarray(y * bpr, y * bpr + row), y * row);
  staging.unmap(); staging.destroy();
  return out;
}

main().catch(fail);
