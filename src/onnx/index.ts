/** ONNX import: public entry points. */
export { loadOnnx, loadOnnxSync, decodeModel, type LoadOnnxOptions } from './load.js';
export { parseTensorProto, tensorFromProto } from './tensor-proto.js';
export { validateGraph, SUPPORTED_OPSETS } from './validate.js';
export { checkSupported, unsupportedNodes, type OpLookup } from './check.js';
