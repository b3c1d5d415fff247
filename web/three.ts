/**
 * wgml's neural AO in a three.js scene, on three's own device (WebGPURenderer → renderer.backend.device):
 * 1. three renders view-space normal + linear depth / 20 (the AO network's input contract) into an
 *    rgba16float render target, with an override node material;
 * 2. wgml binds that target's GPUTexture as the network input and an r16float target as its output,
 *    and records texture → tensor → network → texture into one encoder on the same device;
 * 3. three renders the lit scene into a target and composites colour × AO onto the canvas.
 * Queue order keeps the three submits and wgml's submit in sequence: no readback, no sync.
 *
 * URL parameters: size=N (square, multiple of 4; default 256). window.__wgmlThree reports frames
 * and AO statistics for tests. Where a WebGPU canvas cannot present (headless Chromium with the usual
 * flags), three composites into a render target that is read back onto a 2D canvas (present.ts).
 */
import * as THREE from 'three/webgpu';
import { float, mix, normalView, positionView, texture, uv, vec4 } from 'three/tsl';
import { useDevice } from '../src/gpu/device.js';
import { createAONetwork } from '../src/demo/network.js';
import { DEPTH_SCALE } from '../src/demo/common.js';
import { NO_PRESENT, canvasPresents, freshCanvas } from './present.js';

declare global { interface Window { __wgmlThree?: { frames: number; aoMin: number; aoMean: number; aoMax: number; covered: number; presentation: 'webgpu-canvas' | '2d-readback' }; __wgmlError?: string } }

const size = Number(new URLSearchParams(location.search).get('size') ?? 256);
const status = document.getElementById('status')!;
const fail = (e: unknown) => { const m = e instanceof Error ? `${e.name}: ${e.message}` : String(e); status.textContent = m; status.className = 'error'; window.__wgmlError = m; console.error(m); };

async function main(): Promise<void> {
  let view = document.getElementById('view') as HTMLCanvasElement;
  view.width = size; view.height = size;
  const presents = await canvasPresents(view);
  // Without presentation three draws into a canvas nobody sees and the page shows read-back frames.
  if (!presents) { view = freshCanvas(view); console.warn(`wgml three.js example: ${NO_PRESENT}`); }
  const canvas = presents ? view : document.createElement('canvas');
  const shown = presents ? null : view.getContext('2d')!;
  const renderer = new THREE.WebGPURenderer({ canvas, antialias: false });
  renderer.setPixelRatio(1);
  renderer.setSize(size, size, false);
  await renderer.init();
  const backend = renderer.backend as unknown as { device: GPUDevice; get(o: object): { texture?: GPUTexture } };
  const device = useDevice(backend.device);
  device.addEventListener('uncapturederror', (e) => fail((e as GPUUncapturedErrorEvent).error.message));

  // A little scene: floor, boxes and a sphere resting on it (contact areas for AO).
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x8fb3e0);
  const mat = (c: number) => new THREE.MeshStandardMaterial({ color: c, roughness: 0.8 });
  const floor = new THREE.Mesh(new THREE.PlaneGeometry(40, 40), mat(0xcccccc));
  floor.rotation.x = -Math.PI / 2;
  scene.add(floor);
  const box = new THREE.Mesh(new THREE.BoxGeometry(1, 1, 1), mat(0xd9553f)); box.position.set(0, 0.5, 0); scene.add(box);
  const box2 = new THREE.Mesh(new THREE.BoxGeometry(0.7, 0.7, 1.4), mat(0x66cc66)); box2.position.set(-1.3, 0.35, 0.8); box2.rotation.y = 0.6; scene.add(box2);
  const ball = new THREE.Mesh(new THREE.SphereGeometry(0.6, 48, 24), mat(0x4d80d9)); ball.position.set(1.4, 0.6, 0.3); scene.add(ball);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x888888, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.2); sun.position.set(3, 6, 2); scene.add(sun);
  const camera = new THREE.PerspectiveCamera(60, 1, 0.1, 60);

  // 1. The network's input, rendered by three: view normal xyz, linear depth / DEPTH_SCALE.
  const gbuffer = new THREE.RenderTarget(size, size, { type: THREE.HalfFloatType, format: THREE.RGBAFormat, depthBuffer: true });
  const gbufferMaterial = new THREE.MeshBasicNodeMaterial();
  // fragmentNode, not colorNode: opaque materials force alpha to 1, and alpha carries the depth.
  gbufferMaterial.fragmentNode = vec4(normalView, positionView.z.negate().div(DEPTH_SCALE));
  gbufferMaterial.blending = THREE.NoBlending; // keep alpha as written
  const aoTarget = new THREE.RenderTarget(size, size, { type: THREE.HalfFloatType, format: THREE.RedFormat, depthBuffer: false });
  const colorTarget = new THREE.RenderTarget(size, size, { type: THREE.HalfFloatType });
  // sRGB like the canvas three would present to (three encodes on output only for the canvas or an sRGB target).
  const displayTarget = presents ? null : new THREE.RenderTarget(size, size, { colorSpace: THREE.SRGBColorSpace });
  renderer.setRenderTarget(aoTarget); renderer.clear(); renderer.setRenderTarget(null);

  // 2. wgml on three's device: the targets' GPUTextures are the network's input and output. three may
  // (re)allocate a target's texture on its first render, so bind after rendering and rebind on change.
  const modelUrl = new URL('../models/ao/ao.onnx', location.href).href;
  let ao: Awaited<ReturnType<typeof createAONetwork>> | null = null;
  let bound: [GPUTexture, GPUTexture] | null = null;
  const network = async () => {
    const g = backend.get(gbuffer.texture).texture, a = backend.get(aoTarget.texture).texture;
    if (!g || !a) throw new Error("three.js did not expose the render targets' GPUTextures (backend.get(texture).texture)");
    if (!ao || !bound || bound[0] !== g || bound[1] !== a) { ao?.destroy(); ao = await createAONetwork(device, modelUrl, g, a); bound = [g, a]; }
    return ao;
  };

  // 3. Composite: lit colour × AO (applied fully: the AO only darkens ambient-lit contact areas).
  const composite = new THREE.MeshBasicNodeMaterial();
  composite.colorNode = texture(colorTarget.texture, uv()).mul(mix(float(0.25), float(1), texture(aoTarget.texture, uv()).r));
  const quad = new THREE.QuadMesh(composite);

  let frames = 0, yaw = 0.5;
  const frame = async () => {
    yaw += 0.01;
    camera.position.set(5 * Math.cos(0.45) * Math.sin(yaw), 0.4 + 5 * Math.sin(0.45), 5 * Math.cos(0.45) * Math.cos(yaw));
    camera.lookAt(0, 0.4, 0);
    const bg = scene.background;
    scene.overrideMaterial = gbufferMaterial; scene.background = null;
    renderer.setClearColor(new THREE.Color(0, 0, 0), 1);
    renderer.setRenderTarget(gbuffer); renderer.render(scene, camera);
    scene.overrideMaterial = null; scene.background = bg;
    renderer.setRenderTarget(colorTarget); renderer.render(scene, camera);
    const net = await network();
    const enc = device.createCommandEncoder({ label: 'wgml AO on three.js' });
    net.encode(enc);
    device.queue.submit([enc.finish()]);
    renderer.setRenderTarget(displayTarget);
    quad.render(renderer);
    if (displayTarget && shown) {
      const px = await renderer.readRenderTargetPixelsAsync(displayTarget, 0, 0, size, size) as Uint8Array;
      const img = shown.createImageData(size, size);
      img.data.set(px.subarray(0, size * size * 4));
      shown.putImageData(img, 0, 0);
    }
    frames++;
    if (frames === 2 || frames % 30 === 0) {
      const v = (await net.bound.args['ao']!.read()) as Float32Array;
      const g = (await net.bound.args['gbuffer']!.read()) as Float32Array;
      let lo = Infinity, hi = -Infinity, sum = 0, covered = 0;
      for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); sum += x; }
      // Depth channel below 1: pixels three drew into the network input (not the cleared sky).
      for (let i = 3 * v.length; i < 4 * v.length; i++) if (g[i]! < 0.99) covered++;
      window.__wgmlThree = { frames, aoMin: lo, aoMean: sum / v.length, aoMax: hi, covered: covered / v.length, presentation: presents ? 'webgpu-canvas' : '2d-readback' };
      status.textContent = `three.js r${THREE.REVISION} + wgml AO, frame ${frames}: AO ${lo.toFixed(2)}…${hi.toFixed(2)}${presents ? '' : ` — ${NO_PRESENT}`}`;
    } else if (window.__wgmlThree) window.__wgmlThree.frames = frames;
    requestAnimationFrame(() => { frame().catch(fail); });
  };
  requestAnimationFrame(() => { frame().catch(fail); });
}

main().catch(fail);
