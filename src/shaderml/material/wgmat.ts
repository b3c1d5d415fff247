/**
 * .wgmat materials: the file format (format.ts) and their decode on the GPU (decode.ts).
 * Browser-safe: no node imports.
 */
export * from './format.js';
export * from './decode.js';
