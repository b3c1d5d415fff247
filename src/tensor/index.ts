/** Tensors as GPU resources: creation and views, WGSL bindings for any stage, texture conversion. */
export { Tensor, tensor, tensorView, denseStrides, numel, liveTensorCount, MAX_RANK, type TensorDesc, type TensorViewDesc } from './tensor.js';
export { DTYPES, dtypeBytes, isDType, f32ToF16Bits, f16BitsToF32, f32ArrayToF16Bits, f16BitsToF32Array, type DType, type AnyTypedArray, type TypedArrayFor } from './dtype.js';
export { tensorBinding, type TensorBinding, type TensorBindingOptions, type TensorAccess } from './wgsl.js';
export { encodeTextureToTensor, encodeTensorToTexture, prepareTextureToTensor, prepareTensorToTexture, TEXTURE_TENSOR_FORMATS, type TextureBridge, texturePipelineCount, type TextureTensorLayout, type TextureTensorOptions, type TextureToTensorOptions } from './texture.js';
