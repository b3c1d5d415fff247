/**
 * The showcase live in the browser: the courtyard of `wgml demo` (G-buffer → material decode → AO
 * slot → lighting), recorded into one encoder per animation frame on navigator.gpu, the result
 * copied onto a canvas in that encoder. The camera glides along the showcase path (pause it, or
 * drag to orbit, wheel to zoom); toggles switch the AO slot (neural AO / GTAO / ray-cast / none)
 * the materials (neural decode / the original textures) and the guard band (every pass a few pixels wider, the
 * visible frame shown); per-pass GPU times from timestamp queries when the device has them, else the CPU-side
 * frame time.
 *
 * URL parameters: size=N or WxH (default 384x216), ao=network|gtao|raycast|none,
 * materials=neural|original, play=0 (hold the camera), t=0..1 (where on the path to start), rays=N (the
 * live ray-cast slot's rays per pixel, default 64), guard=N|auto|0 (the band in pixels; auto: 64 at 1080p).
 * For tests, window.__wgml exposes the state once the first frame is on screen. Where a WebGPU canvas
 * cannot present (headless Chromium with the usual flags), frames go through a 2D canvas (present.ts).
 */
import { requestDevice } from '../src/gpu/device.js';
import { createFrameState, destroyFrameState, encodeFrame, framePasses, setCamera, setMaterialMode, AO_MODES, type AOMode, type FrameState } from '../src/demo/frame.js';
import type { MaterialMode, MaterialSet, RgbaImage } from '../src/demo/material.js';
import { SHOWCASE_LIGHTING, SHOWCASE_MATERIALS, showcaseCamera, showcaseScene } from '../src/demo/showcase.js';
import { cameraEye, lookAt, perspective, transform, type Camera, type Vec3 } from '../src/demo/math.js';
import { readPacked } from '../src/demo/pack.js';
import { CanvasReadback, NO_PRESENT, canvasPresents, freshCanvas } from './present.js';
import { autoGuard, cropGuard, guardedFrame, resolveGuard } from '../src/demo/guard.js';

const params = new URLSearchParams(location.search);
const [width, height] = (() => {
  const m = /^(\d+)(?:x(\d+))?$/.exec(params.get('size') ?? '384x216');
  return m ? [Number(m[1]), Number(m[2] ?? m[1])] : [384, 216];
})();
const status = document.getElementById('status')!;
let canvas = document.getElementById('view') as HTMLCanvasElement;
const aoSelect = document.getElementById('ao') as HTMLSelectElement;
const matSelect = document.getElementById('materials') as HTMLSelectElement;
const playBox = document.getElementById('play') as HTMLInputElement;
const guardBox = document.getElementById('guard') as HTMLInputElement;
const timesEl = document.getElementById('times')!;
/**
 * Guard band (src/demo/guard.ts): every pass renders this many pixels more on each side with the same focal length
 * and the canvas shows the visible frame, so screen-space AO sees occluders just off screen. `?guard=N`, default auto.
 */
const bandOn = (() => {
  const g = params.get('guard') ?? 'auto';
  if (g !== 'auto' && !/^\d{1,4}$/.test(g)) throw new Error(`?guard=${g}: a whole number of pixels, or auto`);
  return resolveGuard(g === 'auto' ? 'auto' : Number(g), height) || autoGuard(height);
})();
/** The band in use: `bandOn` or 0, as the page's checkbox says (it starts unchecked for ?guard=0). */
let guard = params.get('guard') === '0' ? 0 : bandOn;
/** What the passes render for a camera: the visible frame widened by the guard band, its lens widened to match. */
const lens = (c: Camera) => guardedFrame({ width, height, camera: c }, guard);
/**
 * The band a slot was built with. Blits, readbacks and crops go by the frame's own slot, not by `guard`: the
 * checkbox may have changed while that frame was in flight.
 */
const bandOf = (s: FrameState) => (s.width - width) / 2;
/** Rays per pixel of the live ray-cast slot (the offline reference uses 1024; 64 keeps a software GPU interactive). */
const LIVE_RAYS = Number(params.get('rays') ?? 64);

interface WgmlDemoHandle {
  frames: number;
  width: number;
  height: number;
  ao: AOMode;
  materials: MaterialMode;
  playing: boolean;
  /** The guard band of the last frame, in pixels on every side (0: none). */
  guard: number;
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

/** A PNG as RGBA8 bytes, exactly as stored (no colour management, no premultiplication). */
async function loadPng(url: URL): Promise<RgbaImage> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  const bmp = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const c = new OffscreenCanvas(bmp.width, bmp.height), g = c.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(bmp, 0, 0);
  return { width: bmp.width, height: bmp.height, data: new Uint8Array(g.getImageData(0, 0, bmp.width, bmp.height).data.buffer) };
}

/** The showcase's neural materials and the PNGs they were compressed from. */
async function loadMaterials(): Promise<MaterialSet> {
  const base = new URL('../examples/materials/', location.href);
  const wgmats = await Promise.all(SHOWCASE_MATERIALS.map(async (n) => {
    const r = await fetch(new URL(`${n}.wgmat`, base));
    if (!r.ok) throw new Error(`${n}.wgmat: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }));
  const originals = await Promise.all(SHOWCASE_MATERIALS.map(async (n) => {
    const names = ['albedo', 'normal', 'roughness'];
    const imgs = await Promise.all(names.map((t) => loadPng(new URL(`${n}/${t}.png`, base))));
    return Object.fromEntries(names.map((t, i) => [t, imgs[i]!]));
  }));
  return { wgmats, originals };
}

async function main(): Promise<void> {
  if (!navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  canvas.width = width; canvas.height = height;
  const presents = await canvasPresents(canvas);
  if (!presents) { canvas = freshCanvas(canvas); console.warn(`wgml demo: ${NO_PRESENT}`); }
  const device = await requestDevice({ quiet: true });
  device.addEventListener('uncapturederror', (e) => fail((e as GPUUncapturedErrorEvent).error.message));
  // The preferred format and a one-triangle blit (the frame's rgba8unorm need not match the canvas format).
  const format = navigator.gpu.getPreferredCanvasFormat();
  const ctx = presents ? canvas.getContext('webgpu')! : null;
  ctx?.configure({ device, format, alphaMode: 'opaque' });
  const blits = new Map<number, GPURenderPipeline>();
  const blitFor = (g: number) => { let p = blits.get(g); if (!p) { p = blitPipeline(device, format, g); blits.set(g, p); } return p; };
  const shown = presents ? null : new CanvasReadback(device, canvas, width, height);
  status.textContent = 'loading the materials and the AO model…';
  const model = new URL('../models/ao/ao.onnx', location.href).href;
  const materials = await loadMaterials();
  const scene = showcaseScene();
  let t = Number(params.get('t') ?? 0);
  let camera: Camera = showcaseCamera(t);
  let playing = params.get('play') !== '0';
  playBox.checked = playing;
  const states = new Map<AOMode, FrameState>();
  let materialMode: MaterialMode = params.get('materials') === 'original' ? 'original' : 'neural';
  const stateFor = async (ao: AOMode) => {
    let s = states.get(ao);
    if (!s) {
      status.textContent = `preparing ${aoSelect.selectedOptions[0]?.textContent ?? ao}…`;
      s = await createFrameState(device, { ...lens(camera), scene, ao, model, materials, materialMode, lighting: { ...SHOWCASE_LIGHTING, aoRays: LIVE_RAYS } });
      states.set(ao, s);
    }
    await setMaterialMode(s, materialMode);
    setCamera(s, lens(camera).camera);
    return s;
  };
  const initial = params.get('ao');
  if (initial && (AO_MODES as readonly string[]).includes(initial)) aoSelect.value = initial;
  matSelect.value = materialMode;
  device.lost.then((l) => fail(`device lost (${l.reason}): ${l.message}`), fail);
  let state = await stateFor(aoSelect.value as AOMode);
  aoSelect.onchange = () => { stateFor(aoSelect.value as AOMode).then((s) => { state = s; }, fail); };
  matSelect.onchange = () => {
    materialMode = matSelect.value as MaterialMode;
    setMaterialMode(state, materialMode).catch(fail);
  };
  playBox.onchange = () => { playing = playBox.checked; };
  // Switching the band changes every target's size: the next frame (not one in flight) rebuilds the slots.
  guardBox.checked = guard > 0;
  let guardChanged = false;
  guardBox.onchange = () => { guard = guardBox.checked ? bandOn : 0; guardChanged = true; };

  // Orbit controls: dragging takes the camera off the path (and pauses it).
  let drag: { x: number; y: number } | null = null;
  const move = (c: Camera) => { camera = c; setCamera(state, lens(camera).camera); };
  canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); playing = false; playBox.checked = false; });
  canvas.addEventListener('pointerup', () => { drag = null; });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    move({ ...camera, yaw: camera.yaw - (e.clientX - drag.x) * 0.01, pitch: Math.min(1.4, Math.max(0.05, camera.pitch + (e.clientY - drag.y) * 0.01)) });
    drag = { x: e.clientX, y: e.clientY };
  });
  canvas.addEventListener('wheel', (e) => { e.preventDefault(); move({ ...camera, distance: Math.min(20, Math.max(2, camera.distance * Math.exp(e.deltaY * 0.001))) }); }, { passive: false });

  const timestamps = device.features.has('timestamp-query');
  const maxSlots = 16;
  const querySet = timestamps ? device.createQuerySet({ label: 'wgml demo page timestamps', type: 'timestamp', count: maxSlots }) : null;
  const resolve = timestamps ? device.createBuffer({ label: 'wgml demo page resolve', size: maxSlots * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const readback = timestamps ? device.createBuffer({ label: 'wgml demo page timestamps readback', size: maxSlots * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : null;
  let mapping = false, frames = 0, last = performance.now();
  let passMs: Record<string, number> = {};
  let timedAO: AOMode | null = null;
  const smooth = (k: string, v: number) => { passMs[k] = passMs[k] === undefined ? v : passMs[k]! * 0.8 + v * 0.2; };
  const showTimes = () => {
    const gpu = Object.entries(passMs).filter(([k]) => k !== 'frame (CPU)');
    const total = gpu.reduce((a, [, v]) => a + v, 0);
    timesEl.innerHTML = gpu.map(([k, v]) => `<tr><td>${k}</td><td class="ms">${v.toFixed(2)} ms</td></tr>`).join('')
      + (gpu.length ? `<tr class="total"><td>GPU total</td><td class="ms">${total.toFixed(2)} ms</td></tr>` : '')
      + `<tr><td>frame (CPU)</td><td class="ms">${(passMs['frame (CPU)'] ?? 0).toFixed(1)} ms</td></tr>`
      + `<tr><td colspan="2" class="note">${timestamps ? 'GPU timestamp queries' : 'no timestamp-query: CPU frame time only'}; ${width}×${height}${bandOf(state) ? ` (+${bandOf(state)} px guard band)` : ''}, frame ${frames}</td></tr>`;
  };

  const frame = async () => {
    if (guardChanged) {
      guardChanged = false;
      for (const old of states.values()) destroyFrameState(old);
      states.clear();
      state = await stateFor(aoSelect.value as AOMode);
    }
    const s = state;
    if (playing) { t = (t + 1 / 900) % 1; move(showcaseCamera(t)); }
    const passes = framePasses(s.ao);
    // Times of the previous slot would mix into this one's: start the table afresh on a switch.
    if (timedAO !== s.ao) { passMs = window.__wgml ? (window.__wgml.passMs = {}) : {}; timedAO = s.ao; }
    const enc = device.createCommandEncoder({ label: 'wgml demo page frame' });
    const timed = querySet && !mapping && passes.length * 2 <= maxSlots;
    encodeFrame(enc, s, timed ? { querySet, first: 0 } : undefined);
    if (ctx) encodeBlit(device, enc, blitFor(bandOf(s)), s.color, ctx.getCurrentTexture());
    else { shown!.origin = bandOf(s); shown!.encode(enc, s.color); }
    if (timed) { enc.resolveQuerySet(querySet, 0, passes.length * 2, resolve!, 0); enc.copyBufferToBuffer(resolve!, 0, readback!, 0, passes.length * 16); }
    device.queue.submit([enc.finish()]);
    if (timed) {
      mapping = true;
      readback!.mapAsync(GPUMapMode.READ).then(() => {
        const ts = new BigUint64Array(readback!.getMappedRange().slice(0, passes.length * 16));
        readback!.unmap(); mapping = false;
        if (timedAO === s.ao) passes.forEach((p, i) => smooth(p, Number(ts[2 * i + 1]! - ts[2 * i]!) / 1e6));
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
      window.__wgml = {
        frames, width, height, ao: s.ao, materials: materialMode, playing, guard: bandOf(s), passMs, presentation: presents ? 'webgpu-canvas' : '2d-readback',
        project(p) {
          const v = transform(lookAt(cameraEye(camera), camera.target), p, 1), c = transform(perspective(camera.fovY, width / height, camera.near, camera.far), v, 1), w = -v[2];
          return [Math.floor(((c[0] / w + 1) / 2) * width), Math.floor(((1 - c[1] / w) / 2) * height)];
        },
        async readColor() { return Array.from(await readRgba(device, state.color, bandOf(state))); },
        async readAO() {
          const all = (await readPacked(device, state.gbuffer.normal, state.aoTexture)).subarray(4 * state.width * state.height);
          return Array.from(cropGuard(all, width, height, bandOf(state)));
        },
      };
    }
    Object.assign(window.__wgml, { frames, ao: s.ao, materials: s.material.mode, playing, guard: bandOf(s), passMs });
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
// The visible frame starts GUARD pixels into the rendered one (the guard band).
override GUARD: i32 = 0;
@fragment fn fs(@builtin(position) p: vec4f) -> @location(0) vec4f { return textureLoad(src, vec2i(p.xy) + vec2i(GUARD), 0); }`;

function blitPipeline(device: GPUDevice, format: GPUTextureFormat, guard: number): GPURenderPipeline {
  const module = device.createShaderModule({ label: 'wgml demo page blit', code: BLIT });
  return device.createRenderPipeline({ label: `wgml demo page blit (guard ${guard})`, layout: 'auto', vertex: { module, entryPoint: 'vs' }, fragment: { module, entryPoint: 'fs', targets: [{ format }], constants: { GUARD: guard } } });
}

const blitGroups = new WeakMap<GPUTexture, GPUBindGroup>();
function encodeBlit(device: GPUDevice, enc: GPUCommandEncoder, pipeline: GPURenderPipeline, src: GPUTexture, dst: GPUTexture): void {
  let group = blitGroups.get(src);
  if (!group) { group = device.createBindGroup({ label: 'wgml demo page blit', layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: src.createView() }] }); blitGroups.set(src, group); }
  const pass = enc.beginRenderPass({ label: 'wgml demo page blit', colorAttachments: [{ view: dst.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
  pass.setPipeline(pipeline); pass.setBindGroup(0, group); pass.draw(3); pass.end();
}

/** The visible frame of `texture` (a band of `band` pixels left out) as RGBA8 rows. */
async function readRgba(device: GPUDevice, texture: GPUTexture, band: number): Promise<Uint8Array> {
  const w = width, h = height, row = w * 4, bpr = Math.ceil(row / 256) * 256;
  const staging = device.createBuffer({ label: 'wgml demo page color readback', size: bpr * h, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'wgml demo page color readback' });
  enc.copyTextureToBuffer({ texture, origin: { x: band, y: band } }, { buffer: staging, bytesPerRow: bpr }, { width: w, height: h });
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const src = new Uint8Array(staging.getMappedRange()), out = new Uint8Array(row * h);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * bpr, y * bpr + row), y * row);
  staging.unmap(); staging.destroy();
  return out;
}

main().catch(fail);
