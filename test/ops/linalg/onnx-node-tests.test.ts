/**
 * The ONNX backend node tests (libonnx-testdata) for the linalg family's single-node cases, run on the
 * GPU through runNode: an independent check of both the kernels and the CPU references' reading of
 * the spec. A typed refusal (WgmlError) is allowed but listed; any wrong number fails.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { loadOnnxSync } from '../../../src/onnx/load.js';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { WgmlError } from '../../../src/errors.js';
import { OPS } from '../../../src/ops/tables/linalg.js';
import { testDevice } from '../../helpers/gpu.js';
import { compareClose } from '../../helpers/random.js';
import { listCases, loadCase } from '../../helpers/onnx-testdata.js';

const MINE = new Set(OPS.map((o) => o.type));
const refused: string[] = [];
let ran = 0;
const cases = listCases(['node']).filter((c) => /^test_(matmul|gemm|softmax|logsoftmax|layer_norm|reduce|argm|instancenorm|lpnorm|lstm|gru)/.test(c.name) && !c.name.endsWith('_expanded'));

describe('linalg ONNX node tests', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const data = loadCase(c);
      let g;
      try { g = loadOnnxSync(data.model); } catch (e) {
        if (e instanceof WgmlError) { refused.push(`${c.name}: ${e.message.split('\n')[0]}`); return; }
        throw e;
      }
      if (g.nodes.length !== 1 || !MINE.has(g.nodes[0]!.opType)) return;
      const n = g.nodes[0]!;
      const values = new Map([...g.initializers]);
      g.inputs.filter((v) => !g.initializers.has(v.name)).forEach((v, k) => values.set(v.name, data.inputs[k]!));
      const ins = n.inputs.map((x) => (x ? values.get(x) ?? null : null));
      const consts = n.inputs.flatMap((x, k) => (g.initializers.has(x) ? [k] : []));
      const opset = g.opsets[''] ?? 1;
      let outs;
      try {
        outs = await runNode(await testDevice(), n, ins, { opset, constants: consts });
      } catch (e) {
        if (e instanceof WgmlError && e.code !== 'E_GPU_VALIDATION') { refused.push(`${c.name}: ${e.message.split('\n')[0]}`); return; }
        throw e;
      }
      ran++;
      const ref = referenceNode(n, ins, opset);
      g.outputs.forEach((o, k) => {
        const idx = n.outputs.indexOf(o.name);
        expect(outs[idx]!.shape, `${o.name} shape`).toEqual(data.outputs[k]!.shape);
        expect(compareClose(outs[idx]!.data, data.outputs[k]!.data, 1e-3, 1e-4), `${o.name} (GPU)`).toBeNull();
        expect(compareClose(ref[idx]!.data, data.outputs[k]!.data, 1e-3, 1e-4), `${o.name} (CPU reference)`).toBeNull();
      });
    });
  }
  afterAll(() => { console.log(`${ran} single-node cases compared`); if (refused.length) console.log(`refused (${refused.length}):\n${refused.join('\n')}`); });
});
