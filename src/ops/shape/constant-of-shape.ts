/**
 * ConstantOfShape — https://onnx.ai/onnx/operators/onnx__ConstantOfShape.html
 * Shape is input 0 (a compile-time constant here); `value` is a one-element tensor, default float32 0.
 */
import type { OpDef } from '../types.js';
import { hostArrayFor, hostTensor, shapeSize, type HostTensor } from '../../ir/types.js';
import { checkRank, constInts } from './common.js';
import { progressionKernel } from './fill.js';

interface A { value: HostTensor }

export const ConstantOfShape: OpDef<A> = {
  type: 'ConstantOfShape', opsets: [9, 99], constInputs: [0],
  attrs(a) {
    const v = a.tensor('value') ?? hostTensor('float32', [1], [0]);
    if (v.data.length !== 1) throw a.error(`'value' has ${v.data.length} elements`, 'value must be a one-element tensor');
    return { value: v };
  },
  infer(ctx, a) {
    const shape = constInts(ctx, 0, 'shape');
    if (shape.some((d) => d < 0)) throw ctx.error(`negative dim in shape [${shape.join(', ')}]`, 'dims must be >= 0', { shape });
    checkRank(ctx, shape, 'output');
    return [{ dtype: a.value.dtype, shape }];
  },
  reference(inputs, a) {
    const shape = Array.from(inputs[0]!.data);
    const data = hostArrayFor(a.value.dtype, shapeSize(shape));
    data.fill(a.value.data[0]!);
    return [{ dtype: a.value.dtype, shape, data }];
  },
  gpu: (ctx, a) => ({ kernels: [progressionKernel(ctx, 'constant_of_shape', a.value.dtype, shapeSize(ctx.outputs[0]!.shape), a.value.data[0]!, 0)] }),
};
