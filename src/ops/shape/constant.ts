/**
 * Constant — https://onnx.ai/onnx/operators/onnx__Constant.html
 * One of `value` (tensor), `value_float(s)`, `value_int(s)` (opset 12+); strings and `sparse_value`
 * are refused. The compiler folds it; small constants also have a kernel for runtime use.
 */
import type { OpDef } from '../types.js';
import { hostTensor, type HostTensor } from '../../ir/types.js';
import { listFillKernel, MAX_LIST_FILL } from './fill.js';

interface A { value: HostTensor }

export const Constant: OpDef<A> = {
  type: 'Constant',
  attrs(a) {
    const t = a.tensor('value');
    if (t) return { value: t };
    if (a.has('value_float')) return { value: hostTensor('float32', [], [a.float('value_float')]) };
    if (a.has('value_floats')) { const v = a.floats('value_floats'); return { value: hostTensor('float32', [v.length], v) }; }
    if (a.has('value_int')) return { value: hostTensor('int64', [], [a.int('value_int')]) };
    if (a.has('value_ints')) { const v = a.ints('value_ints'); return { value: hostTensor('int64', [v.length], v) }; }
    const other = ['sparse_value', 'value_string', 'value_strings'].find((k) => a.has(k));
    if (other) throw a.error(`attribute '${other}' is not supported`, 'wgml has no string or sparse tensors; convert the constant to a dense numeric tensor');
    throw a.error('no value attribute', 'a Constant needs exactly one value_* attribute');
  },
  infer: (_ctx, a) => [{ dtype: a.value.dtype, shape: [...a.value.shape] }],
  reference: (_inputs, a) => [{ dtype: a.value.dtype, shape: [...a.value.shape], data: a.value.data.slice() }],
  gpu: (ctx, a) => (a.value.data.length <= MAX_LIST_FILL
    ? { kernels: [listFillKernel(ctx, 'constant', a.value.dtype, a.value.data)] }
    : `a Constant of ${a.value.data.length} elements is folded into the weights at compile time; it should not reach the GPU as a node`),
};
