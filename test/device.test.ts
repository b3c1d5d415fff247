/** Device acquisition on a machine without a usable Vulkan driver, in child processes (the loader reads its env once per process). */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const cli = 'dist/cli/main.js';
function info(env: Record<string, string>): { out: string; code: number } {
  try {
    return { out: execFileSync('node', [cli, 'info', '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }), code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; status?: number };
    return { out: `${err.stdout ?? ''}${err.stderr ?? ''}`, code: err.status ?? -1 };
  }
}

describe('device fallback (built CLI)', () => {
  it.runIf(existsSync('/usr/lib/chromium/vk_swiftshader_icd.json'))('falls back to SwiftShader from chromium when no Vulkan driver answers, and says so', () => {
    const r = info({ VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.slice(r.out.indexOf('{'))) as { software: string; adapter: { description: string } };
    expect(j.software).toBe('swiftshader');
  });

  it('with no adapter at all, a typed error says exactly what to install', () => {
    const r = info({ VK_ICD_FILENAMES: '/nonexistent/icd.json', WGML_SWIFTSHADER_ICD: '/nonexistent/swiftshader.json' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/DeviceUnavailableError: no WebGPU adapter was found/);
    expect(r.out).toMatch(/bookworm-backports.*mesa-vulkan-drivers/);
  });
});

describe('WebGPU flag constants exported for TypeScript 7 (whose DOM library lacks them)', () => {
  it("equal Dawn's globals, flag by flag", async () => {
    const wgml = await import('../src/index.js');
    const { globals } = (await import('webgpu')) as unknown as { globals: Record<string, Record<string, number>> };
    for (const ns of ['GPUBufferUsage', 'GPUTextureUsage', 'GPUMapMode', 'GPUShaderStage', 'GPUColorWrite'] as const) {
      const ours = wgml[ns] as Record<string, number>, dawn = globals[ns]!;
      expect(Object.keys(ours).sort(), ns).toEqual(Object.keys(dawn).sort());
      for (const [k, v] of Object.entries(ours)) expect(dawn[k], `${ns}.${k}`).toBe(v);
    }
  });
});
