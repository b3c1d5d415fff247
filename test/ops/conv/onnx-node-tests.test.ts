// The ONNX backend node tests of the conv family (libonnx-testdata): both the CPU reference and the
// GPU kernels against the expected outputs ONNX ships.
import { describe, expect, it } from 'vitest';
import { listCases, loadCase } from '../../helpers/onnx-testdata.js';
import { loadOnnxSync } from '../../../src/onnx/load.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import type { HostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose } from '../../helpers/random.js';

const FAMILY = /^test_(conv|convtranspose|basic_conv|maxpool|averagepool|globalaveragepool|globalmaxpool|batchnorm)(_|$)/;
// 3D windows, argmax outputs, training mode and integer inputs are refused by design; the global-pool
// cases import opset 1, which the ONNX loader refuses (they are covered by test/ops/conv/global-average-pool.test.ts and global-max-pool.test.ts).
const SKIP = /3d|argmax|training_mode|uint8|convinteger|^test_global/;

const cases = listCases().filter((c) => FAMILY.test(c.name) && !SKIP.test(c.name));

describe.skipIf(cases.length === 0)('ONNX node tests (conv family)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const data = loadCase(c);
      const g = loadOnnxSync(data.model);
      expect(g.nodes.length).toBe(1);
      const n = g.nodes[0]!;
      const byName = new Map<string, HostTensor>(g.inputs.map((v, i) => [v.name, data.inputs[i]!]));
      for (const [k, v] of g.initializers) byName.set(k, v);
      const ins = n.inputs.map((name) => (name ? byName.get(name) ?? null : null));
      const opset = g.opsets[''] ?? 17;
      const refs = referenceNode(n, ins, opset);
      const gpus = await runNode(await testDevice(), n, ins, { opset });
      data.outputs.forEach((want, i) => {
        expect(refs[i]!.shape, `${c.name} reference shape`).toEqual(want.shape);
        expect(compareClose(refs[i]!.data, want.data, 1e-4, 1e-5), `${c.name} reference`).toBeNull();
        expect(compareClose(gpus[i]!.data, want.data, 1e-4, 1e-5), `${c.name} gpu`).toBeNull();
      });
    });
  }
});
