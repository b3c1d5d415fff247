/**
 * WebGPU's flag constants (spec values), importable. TypeScript 7's DOM library declares the WebGPU
 * interfaces but not the GPUBufferUsage / GPUTextureUsage / GPUMapMode / GPUShaderStage /
 * GPUColorWrite namespaces, and `@webgpu/types`, which does, clashes with that DOM library. Code that
 * type-checks on either can take them from here:
 * @example
 * import { GPUTextureUsage } from 'wgml';
 * device.createTexture({ size: [w, h], format: 'r16float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING });
 */
export const GPUBufferUsage = Object.freeze({
  MAP_READ: 0x0001, MAP_WRITE: 0x0002, COPY_SRC: 0x0004, COPY_DST: 0x0008, INDEX: 0x0010,
  VERTEX: 0x0020, UNIFORM: 0x0040, STORAGE: 0x0080, INDIRECT: 0x0100, QUERY_RESOLVE: 0x0200,
} as const);

export const GPUTextureUsage = Object.freeze({
  COPY_SRC: 0x01, COPY_DST: 0x02, TEXTURE_BINDING: 0x04, STORAGE_BINDING: 0x08, RENDER_ATTACHMENT: 0x10, TRANSIENT_ATTACHMENT: 0x20,
} as const);

export const GPUMapMode = Object.freeze({ READ: 0x0001, WRITE: 0x0002 } as const);

export const GPUShaderStage = Object.freeze({ VERTEX: 0x1, FRAGMENT: 0x2, COMPUTE: 0x4 } as const);

export const GPUColorWrite = Object.freeze({ RED: 0x1, GREEN: 0x2, BLUE: 0x4, ALPHA: 0x8, ALL: 0xf } as const);
