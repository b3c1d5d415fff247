/**
 * One WebGPU device wherever the code runs: `navigator.gpu` in browsers, Dawn (the `webgpu` npm
 * package) in Node. wgml never creates a device behind the caller's back: either it makes one on
 * request ({@link requestDevice}) or it adopts the application's own ({@link useDevice}).
 */
import { DeviceLostError, DeviceUnavailableError } from '../errors.js';
import { withStderrSilenced } from './quiet.js';
import { installDawnPollBackoff } from './poll.js';

/** Features wgml asks for when the adapter has them. */
export const WANTED_FEATURES = ['subgroups', 'timestamp-query', 'shader-f16', 'chromium-experimental-subgroup-matrix'] as const;
const WANTED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension', 'maxBindGroups'] as const;

/** Debian's chromium ships SwiftShader's Vulkan ICD here (WGML_SWIFTSHADER_ICD overrides, for tests). */
export const SWIFTSHADER_ICD = (typeof process !== 'undefined' && process.env?.WGML_SWIFTSHADER_ICD) || '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What wgml knows about a device it works on. */
export interface DeviceInfo {
  adapter: { vendor: string; architecture: string; device: string; description: string };
  /** 'lavapipe' | 'swiftshader' when the adapter is a software rasterizer, else null. */
  software: 'lavapipe' | 'swiftshader' | null;
  features: Set<string>;
  lost: { reason: string; message: string } | null;
  /** The adapter's subgroup-matrix configurations (Dawn lists them on adapter.info, not on device.adapterInfo). */
  subgroupMatrixConfigs?: { M: number; N: number; K: number; componentType: string; resultComponentType: string }[];
  /**
   * Limits wgml holds itself to below the device's own: WebGPU raises requested limits to its
   * defaults, so `requestDevice({ limits })` with smaller values (to test what a smaller GPU would
   * refuse) is honoured here. See {@link deviceLimits}.
   */
  limitOverrides: Record<string, number>;
}

const infos = new WeakMap<GPUDevice, DeviceInfo>();

export interface RequestDeviceOptions {
  /** 'high-performance' by default. */
  powerPreference?: GPUPowerPreference;
  /** Features to leave out even if the adapter has them (e.g. to test fallbacks). */
  disableFeatures?: string[];
  /** Further features to request when the adapter has them (e.g. 'texture-compression-bc'). */
  extraFeatures?: string[];
  /** Limits to request below the adapter's (e.g. a small maxStorageBufferBindingSize in tests). */
  limits?: Record<string, number>;
  /** Print the notice about a software adapter (default true, once per process). */
  quiet?: boolean;
}

let nodeGpu: Promise<GPU | null> | null = null;
let noticeShown = false;
let hideDawnWarnings = false;

/**
 * @internal The `wgml` command calls this: Dawn's start-up warnings about the driver's limits
 * (lavapipe) say nothing a user can act on. See gpu/quiet.ts for how and when they are hidden.
 */
export function hideDawnStartupWarnings(): void {
  hideDawnWarnings = true;
}

/** Dawn enumerates adapters synchronously inside requestAdapter(): that call is where it warns. */
async function requestAdapterQuietly(gpu: GPU, options: GPURequestAdapterOptions): Promise<GPUAdapter | null> {
  const fs = hideDawnWarnings && isNode() ? await import('node:fs') : null;
  return withStderrSilenced(fs, () => gpu.requestAdapter(options));
}

async function nodeInstance(extraEnv?: Record<string, string>): Promise<GPU | null> {
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as never;
  } catch (e) {
    throw new DeviceUnavailableError(`the 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}`,
      'run `npm install webgpu` (it ships Dawn prebuilt for linux-x64, darwin and win32)');
  }
  if (extraEnv) Object.assign(process.env, extraEnv);
  installDawnPollBackoff();
  // Dawn's globals (GPUBufferUsage…) are what application code expects to find in a WebGPU runtime.
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  // Unsafe APIs give chromium-experimental-subgroup-matrix; without timestamp quantization Dawn
  // reports real nanoseconds instead of 65.5 µs steps (a browser keeps quantizing; Node need not).
  return mod.create(['enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=timestamp_quantization']);
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

async function getGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) throw new DeviceUnavailableError('this browser has no navigator.gpu', 'use a browser with WebGPU (Chrome/Edge 113+, Safari 26+, Firefox 141+) on a secure context (https or localhost)');
  nodeGpu ??= nodeInstance();
  const gpu = await nodeGpu;
  if (!gpu) throw new DeviceUnavailableError('Dawn could not start', 'see the README: install Mesa 25 (lavapipe) or chromium (SwiftShader)');
  return gpu;
}

function classify(info: GPUAdapterInfo): DeviceInfo['software'] {
  const s = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  if (s.includes('llvmpipe') || s.includes('lavapipe')) return 'lavapipe';
  if (s.includes('swiftshader')) return 'swiftshader';
  return null;
}

/** Waits before the browser's second and third requestAdapter() when the first answers null. */
const BROWSER_ADAPTER_RETRIES_MS = [300, 1500];

async function findAdapter(powerPreference: GPUPowerPreference): Promise<GPUAdapter> {
  const gpu = await getGpu();
  let adapter = await requestAdapterQuietly(gpu, { powerPreference });
  if (adapter) return adapter;
  if (!isNode()) {
    // A browser answers null while its GPU process is (re)starting, e.g. on a loaded machine: ask again before giving up.
    for (const ms of BROWSER_ADAPTER_RETRIES_MS) {
      await new Promise((r) => setTimeout(r, ms));
      adapter = await requestAdapterQuietly(gpu, { powerPreference });
      if (adapter) return adapter;
    }
  }
  if (isNode() && process.platform === 'linux') {
    const fs = await import('node:fs');
    if (fs.existsSync(SWIFTSHADER_ICD)) {
      // No Vulkan driver answered; SwiftShader from Debian's chromium is the last software option.
      const second = await nodeInstance({ VK_ICD_FILENAMES: SWIFTSHADER_ICD });
      adapter = second ? await requestAdapterQuietly(second, { powerPreference }) : null;
      if (adapter) {
        nodeGpu = Promise.resolve(second);
        return adapter;
      }
    }
  }
  throw new DeviceUnavailableError('no WebGPU adapter was found',
    isNode()
      ? "on Debian without a GPU install Mesa 25's lavapipe: add 'bookworm-backports' to the Suites: line of /etc/apt/sources.list.d/debian.sources, then `apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers` (or `apt-get install chromium` for SwiftShader)"
      : 'enable WebGPU in this browser, or serve the page from https/localhost (asked three times over two seconds)');
}

function register(device: GPUDevice, adapterInfo: GPUAdapterInfo | undefined): DeviceInfo {
  const ai = adapterInfo ?? device.adapterInfo;
  const info: DeviceInfo = {
    adapter: { vendor: ai?.vendor ?? '', architecture: ai?.architecture ?? '', device: ai?.device ?? '', description: ai?.description ?? '' },
    software: ai ? classify(ai) : null,
    features: new Set([...device.features] as string[]),
    lost: null,
    limitOverrides: {},
  };
  const cfgs = (ai as { subgroupMatrixConfigs?: Iterable<Record<string, unknown>> } | undefined)?.subgroupMatrixConfigs;
  if (cfgs) {
    info.subgroupMatrixConfigs = [...cfgs].map((c) => ({ M: Number(c.M), N: Number(c.N), K: Number(c.K), componentType: String(c.componentType), resultComponentType: String(c.resultComponentType) }));
  }
  infos.set(device, info);
  void device.lost?.then((l) => { info.lost = { reason: l.reason, message: l.message }; });
  return info;
}

/**
 * Request a device with the optional features and the larger limits wgml can use.
 * @example
 * const device = await wgml.requestDevice();
 * console.log(wgml.deviceInfo(device).adapter.description);
 */
export async function requestDevice(options: RequestDeviceOptions = {}): Promise<GPUDevice> {
  const adapter = await findAdapter(options.powerPreference ?? 'high-performance');
  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = [...WANTED_FEATURES, ...(options.extraFeatures ?? [])].filter((f) => adapter.features.has(f) && !disabled.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const l of WANTED_LIMITS) requiredLimits[l] = (adapter.limits as unknown as Record<string, number>)[l]!;
  for (const [k, v] of Object.entries(options.limits ?? {})) requiredLimits[k] = Math.min(v, requiredLimits[k] ?? v);
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'wgml device' });
  const info = register(device, adapter.info);
  for (const [k, v] of Object.entries(options.limits ?? {})) {
    const actual = (device.limits as unknown as Record<string, number>)[k];
    if (actual !== undefined && v < actual) info.limitOverrides[k] = v;
  }
  if (info.software && !options.quiet && !noticeShown) {
    noticeShown = true;
    console.error(`wgml: running on a software GPU (${info.software}: ${info.adapter.description || info.adapter.device}); expect ~10^4x slower than a real GPU`);
  }
  return device;
}

/**
 * Adopt the application's own device. wgml uses exactly the features and limits it was created with.
 * @example
 * const device = renderer.backend.device; // e.g. three.js WebGPURenderer
 * wgml.useDevice(device);
 */
export function useDevice(device: GPUDevice): GPUDevice {
  if (!infos.has(device)) register(device, undefined);
  return device;
}

/** wgml's record of a device (registering it on first use). */
export function deviceInfo(device: GPUDevice): DeviceInfo {
  return infos.get(device) ?? register(device, undefined);
}

/**
 * The limits wgml plans against: the device's, lowered by any smaller `limits` given to
 * {@link requestDevice} (WebGPU itself never grants less than its defaults).
 * @example if (size > wgml.deviceLimits(device).maxBufferSize) …
 */
export function deviceLimits(device: GPUDevice): GPUSupportedLimits {
  const o = infos.get(device)?.limitOverrides;
  if (!o || !Object.keys(o).length) return device.limits;
  const out: Record<string, number> = {};
  const l = device.limits as unknown as Record<string, number>;
  for (const k in l) if (typeof l[k] === 'number') out[k] = l[k]!;
  return Object.assign(out, o) as unknown as GPUSupportedLimits;
}

/** Throw {@link DeviceLostError} if the device was lost. Every wgml entry point calls this. */
export function assertDeviceAlive(device: GPUDevice): void {
  // Register on first sight, so loss is tracked for devices the app never passed to useDevice().
  const info = infos.get(device) ?? register(device, undefined);
  if (info?.lost) throw new DeviceLostError(info.lost.reason, info.lost.message);
}

interface MatrixConfig { M: number; N: number; K: number; componentType: string; resultComponentType: string }

/**
 * null when `device` multiplies int8×int8→i32 subgroup matrices of M×N×K with one fixed subgroup size (a multiple
 * of M), else why not. Shader ML's subgroup scope and the integer GEMM's matrix tiles both need this.
 */
export function int8MatrixSupport(device: GPUDevice | undefined, M: number, N: number, K: number): string | null {
  if (!device) return 'no device given to check for chromium-experimental-subgroup-matrix';
  if (!device.features.has('chromium-experimental-subgroup-matrix' as GPUFeatureName)) return 'the device lacks chromium-experimental-subgroup-matrix';
  if (!device.features.has('subgroups' as GPUFeatureName)) return 'the device lacks subgroups';
  const info = device.adapterInfo as GPUAdapterInfo & { subgroupMatrixConfigs?: MatrixConfig[]; subgroupMinSize?: number; subgroupMaxSize?: number };
  const known = deviceInfo(device).subgroupMatrixConfigs;
  const cfgs = known?.length ? known : [...(info.subgroupMatrixConfigs ?? [])];
  if (!cfgs.some((c) => c.componentType === 'i8' && c.resultComponentType === 'i32' && c.M === M && c.N === N && c.K === K)) {
    return `no i8→i32 M${M}×N${N}×K${K} subgroup-matrix config (adapter offers ${cfgs.length ? cfgs.map((c) => `${c.componentType}→${c.resultComponentType} ${c.M}×${c.N}×${c.K}`).join(', ') : 'none'})`;
  }
  const s = subgroupSizeOf(device, M);
  if (!s) return `subgroup size varies (${info.subgroupMinSize}..${info.subgroupMaxSize}); subgroup scope needs a fixed size that is a multiple of ${M}`;
  return null;
}

/** The device's subgroup size when it is fixed and a multiple of `multiple`, else null. */
export function subgroupSizeOf(device: GPUDevice, multiple = 16): number | null {
  const info = device.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const s = info.subgroupMinSize;
  return s && s === info.subgroupMaxSize && s % multiple === 0 ? s : null;
}
