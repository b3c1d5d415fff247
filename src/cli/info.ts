/** `wgml info`: the adapter, its features and the limits that matter to wgml. */
import type { Command } from 'commander';
import { deviceInfo } from '../gpu/device.js';
import { action, cliDevice, fmtBytes } from './common.js';

const LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'minStorageBufferOffsetAlignment'] as const;

export async function infoJson(device: GPUDevice) {
  const info = deviceInfo(device);
  const limits = Object.fromEntries(LIMITS.map((l) => [l, (device.limits as unknown as Record<string, number>)[l]]));
  const subgroupMatrix = (device.adapterInfo as unknown as { subgroupMatrixConfigs?: unknown[] })?.subgroupMatrixConfigs ?? [];
  return { adapter: info.adapter, software: info.software, features: [...device.features].sort(), limits, subgroupMatrixConfigs: subgroupMatrix };
}

export function register(program: Command): void {
  program.command('info').description('print the GPU adapter, features and limits wgml uses').option('--json', 'print JSON')
    .action(action(async (opts: { json?: boolean }) => {
      const device = await cliDevice();
      const j = await infoJson(device);
      if (opts.json) console.log(JSON.stringify(j, null, 2));
      else {
        const a = j.adapter;
        console.log(`adapter:   ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ')}${j.software ? `  (software: ${j.software})` : ''}`);
        console.log(`features:  ${j.features.join(', ')}`);
        for (const [k, v] of Object.entries(j.limits)) console.log(`  ${k.padEnd(36)} ${k.endsWith('Size') && (v as number) > 65536 ? fmtBytes(v as number) : v}`);
        if (j.subgroupMatrixConfigs.length) console.log(`subgroup matrices: ${JSON.stringify(j.subgroupMatrixConfigs)}`);
      }
      device.destroy();
    }));
}
