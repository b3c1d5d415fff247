/**
 * Whole models against onnxruntime-node (CPU): torchvision classifiers and a U-Net, exported with
 * seeded random weights by scripts/export_models.py (Debian's python3-torch), run at 64×64, and a
 * tiny vision transformer (LayerNormalization, attention MatMuls, Softmax, Erf GELU).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as wgml from '../src/index.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { loadGraph } from '../src/runtime/library.js';
import { hostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { ortRun, relErr } from './helpers/ort.js';
import { rng, randn, testSeed } from './helpers/random.js';

const DIR = 'test/.cache/models';
// googlenet: ceil-mode MaxPools and 4-way Concats; regnet_y_400mf: grouped convs with squeeze-excite;
// swin_t: shifted-window attention (Slice/Concat rolls, Where masks) and Dropout(p=0) in training mode
const MODELS = ['squeezenet1_1', 'resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0', 'shufflenet_v2_x0_5', 'unet', 'vit_tiny', 'googlenet', 'regnet_y_400mf', 'swin_t'];

beforeAll(() => {
  const missing = MODELS.filter((m) => !existsSync(`${DIR}/${m}.onnx`));
  if (missing.length) execFileSync('/usr/bin/python3', ['scripts/export_models.py', DIR, ...missing], { stdio: 'inherit' });
}, 600_000);

describe('whole models match onnxruntime', () => {
  const seed = testSeed();
  for (const m of MODELS) {
    it(`${m} within 1e-4 relative (seed ${seed})`, async () => {
      const device = await testDevice();
      const path = `${DIR}/${m}.onnx`;
      const c = m === 'unet' ? 4 : 3;
      const x = hostTensor('float32', [1, c, 64, 64], randn(rng(seed), c * 64 * 64));
      const got = await wgml.runModel(device, path, { input: x });
      const ref = await ortRun(path, { input: x });
      expect(got.output!.shape).toEqual(ref.output!.dims);
      const err = relErr(got.output!.data, ref.output!.data);
      console.log(`${m}: max|wgml-ort|/max|ort| = ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
      // the planner's heap stays within 10% of the live-bytes lower bound
      const plan = planNetwork(device, (await loadGraph(path)).graph, { inputDimensions: { input: [1, c, 64, 64] } });
      expect(plan.intermediatesHeapSize).toBeLessThanOrEqual(1.1 * plan.peakLiveBytes);
    }, 300_000);
  }
});
