/**
 * With WGML_PIPELINE_DUMP=DIR, every compute pipeline a test creates is written to DIR as JSON (label, entry point,
 * override constants, WGSL), one file per distinct shader + constants: what `bench/compile-times.mjs` compiles one by
 * one on an empty Mesa cache to rank the suite's kernels by compile time (DEVELOPERS.md, "Tests").
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { globals } from 'webgpu';

export function dumpPipelines(dir: string): void {
  mkdirSync(dir, { recursive: true });
  // webgpu's typings give `globals` as a plain Object; its GPUDevice is the class every device is made from.
  const proto = (globals as unknown as { GPUDevice: { prototype: GPUDevice } }).GPUDevice.prototype;
  const codes = new WeakMap<GPUShaderModule, string>();
  const createModule = proto.createShaderModule;
  proto.createShaderModule = function (this: GPUDevice, d: GPUShaderModuleDescriptor) {
    const m = createModule.call(this, d);
    codes.set(m, d.code);
    return m;
  };
  const save = (d: GPUComputePipelineDescriptor) => {
    const code = codes.get(d.compute.module) ?? '', constants = d.compute.constants ?? {}, entryPoint = d.compute.entryPoint ?? 'main';
    const key = createHash('sha1').update(JSON.stringify([code, constants, entryPoint])).digest('hex').slice(0, 16);
    writeFileSync(`${dir}/${key}.json`, JSON.stringify({ label: d.label ?? '', entryPoint, constants, code }));
  };
  const create = proto.createComputePipeline, createAsync = proto.createComputePipelineAsync;
  proto.createComputePipeline = function (this: GPUDevice, d: GPUComputePipelineDescriptor) { save(d); return create.call(this, d); };
  proto.createComputePipelineAsync = function (this: GPUDevice, d: GPUComputePipelineDescriptor) { save(d); return createAsync.call(this, d); };
}
