/**
 * wgml: machine learning on the GPU timeline, beside rendering, for WebGPU.
 *
 * @example
 * import * as wgml from 'wgml';
 * const device = await wgml.requestDevice();
 * const lib = await wgml.loadLibrary(device, 'model.wgml');
 * const pipeline = await wgml.createPipeline(device, lib.function('main'), { inputDimensions: { input: [1, 4, 270, 480] } });
 * const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
 * const args = pipeline.bind({ input: x, output: y }, heap);
 * const encoder = device.createCommandEncoder();
 * wgml.encodeNetwork(encoder, args);
 * device.queue.submit([encoder.finish()]);
 */
export * from './errors.js';
export { requestDevice, useDevice, deviceInfo, deviceLimits, type DeviceInfo, type RequestDeviceOptions } from './gpu/device.js';
export { GPUBufferUsage, GPUTextureUsage, GPUMapMode, GPUShaderStage, GPUColorWrite } from './gpu/constants.js';
export { resolveWgsl, type WgslModule, type WgslShader, type WgslBinding } from './gpu/wgsl.js';
export * from './tensor/index.js';
export type { Graph, HostTensor, ElemType, ValueType } from './ir/types.js';
export { loadOnnx } from './onnx/load.js';
export { loadLibrary, Library, type NetworkFunction } from './runtime/library.js';
export { createPipeline, NetworkPipeline, type PipelineOptions, type ProgressCallback, type TensorSpec } from './runtime/pipeline.js';
export { createHeap, Heap } from './runtime/heap.js';
export { BoundNetwork, type NetworkArgs, type TextureArg } from './runtime/bind.js';
export { encodeNetwork, type EncodeOptions } from './runtime/encode.js';
export { runModel, runPipeline, warmUpNetwork, type RunOptions } from './runtime/run.js';
export { writePackage, readPackage } from './runtime/package.js';
export { ShaderMLP, type MlpWgsl, type MlpWgslOptions, type MlpPrecision, type MlpScope, type MlpStorage } from './shaderml/mlp.js';
export { subgroupBatchKernel, type BatchKernel, type BatchKernelOptions } from './shaderml/subgroup-batch.js';
export { subgroupSupport } from './shaderml/subgroup.js';
export { decodeMaterialGpu, loadMaterial, materialWgsl, type LoadedMaterial, type LoadMaterialOptions, type LatentStorage, type MaterialDecodeOptions } from './shaderml/material/wgmat.js';
export * from './debug/index.js';
