/**
 * Ops wgml refuses by design say why and what to do instead, naming the node: the data-shaped and
 * control-flow ops of the default domain, and onnxruntime's com.microsoft quantization ops (QOperator
 * contrib ops, 4-bit MatMulNBits, the optimizer's fusions); an op nobody listed still gets the plain reason.
 */
import { describe, it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { UnsupportedOpsError } from '../src/errors.js';
import { testDevice } from './helpers/gpu.js';
import { DT, encodeModel, node, valueInfo } from './helpers/onnx-testdata.js';

async function refusal(op: string, domain = ''): Promise<UnsupportedOpsError> {
  const bytes = encodeModel({
    nodes: [node(op, ['x'], ['y'], [], { name: `the_${op}`, ...(domain ? { domain } : {}) })], opset: 17, ...(domain ? { domains: { [domain]: 1 } } : {}),
    inputs: [valueInfo('x', DT.FLOAT, [2, 3])], outputs: [valueInfo('y', DT.FLOAT, [2, 3])],
  });
  const err = await wgml.runModel(await testDevice(), bytes, { x: { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnsupportedOpsError);
  return err as UnsupportedOpsError;
}

describe('refused ops say why', () => {
  it('NonMaxSuppression: its output size depends on the values; the node is named (NonZero and Compress fold on constants: test/ops/misc/data-shaped.test.ts)', async () => {
    const e = await refusal('NonMaxSuppression');
    expect(e.message).toMatch(/the_NonMaxSuppression: NonMaxSuppression \(opset 17\): its output size depends on the values it reads.*run NMS on the network's boxes/);
  });
  it('onnxruntime\'s QOperator contrib ops that are not rewritten (test/qoperator.test.ts) point at the QDQ format and quantize_dynamic', async () => {
    for (const op of ['QLinearReduceMean', 'QAttention', 'QOrderedMatMul']) {
      const e = await refusal(op, 'com.microsoft');
      expect(e.message, op).toMatch(new RegExp(`the_${op}: com\\.microsoft\\.${op} .*QOperator contrib op wgml does not rewrite: quantize in onnxruntime's QDQ format`));
    }
  });
  it('MatMulNBits (4-bit weights) and the optimizer\'s DynamicQuantizeMatMul say what to export instead', async () => {
    expect((await refusal('MatMulNBits', 'com.microsoft')).message).toMatch(/4-bit block-quantized weights/);
    expect((await refusal('DynamicQuantizeMatMul', 'com.microsoft')).message).toMatch(/save the model before onnxruntime optimizes it/);
  });
  it('an op no table lists gets the plain reason, in any domain', async () => {
    expect((await refusal('NoSuchOp', 'com.example')).message).toMatch(/the_NoSuchOp: com\.example\.NoSuchOp \(opset \d+\): wgml has no kernel for this op/);
  });
});

describe('UnsupportedOpsError message', () => {
  it('lists up to five nodes of one op, then counts the rest; every node stays in `nodes`', () => {
    const entry = (opType: string, k: number) => ({ name: `${opType.toLowerCase()}_${k}`, opType, domain: '', opset: 11, reason: 'why' });
    const nodes = [...Array.from({ length: 7 }, (_, k) => entry('NonZero', k)), ...Array.from({ length: 5 }, (_, k) => entry('Unique', k)), entry('NonMaxSuppression', 0)];
    const e = new UnsupportedOpsError(nodes);
    const lines = e.message.split('\n').slice(1);
    // NonZero: 4 listed and the other 3 counted; Unique (5) and NonMaxSuppression (1) listed whole.
    expect(lines.filter((l) => l.includes(': NonZero (')).map((l) => l.trim().split(':')[0])).toEqual(['- nonzero_0', '- nonzero_1', '- nonzero_2', '- nonzero_3']);
    expect(lines).toContain("  - … and 3 more NonZero node(s) (the error's `nodes` lists them all)");
    expect(lines.filter((l) => l.includes(': Unique (')).length).toBe(5);
    expect(lines.filter((l) => l.includes('NonMaxSuppression')).length).toBe(1);
    expect(e.message.split('\n')[0]).toBe('13 node(s) cannot run on the GPU with wgml:');
    expect(e.nodes).toEqual(nodes);
  });
});
