/**
 * Real small models shipped in npm packages, against onnxruntime-node: Silero voice activity
 * detection (legacy v4 with LSTM and nested If on the sample rate; v5 with its STFT-as-Conv front end).
 */
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as wgml from '../src/index.js';
import { hostTensor, type HostTensor } from '../src/ir/types.js';
import { testDevice } from './helpers/gpu.js';
import { relErr } from './helpers/ort.js';
import { rng, randn, testSeed } from './helpers/random.js';

const dist = dirname(createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx'));

async function ortRunAny(path: string, inputs: Record<string, HostTensor>) {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(path);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(inputs))
    feeds[k] = v.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(Array.from(v.data, (x) => BigInt(x))), v.shape) : new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
  const out = await s.run(feeds);
  await s.release();
  return out;
}

describe('Silero VAD (npm @ricky0123/vad-web)', () => {
  const seed = testSeed();
  const cases: [string, boolean, (r: () => number) => Record<string, HostTensor>][] = [
    ['silero_vad_legacy.onnx', false, (r) => ({ input: hostTensor('float32', [1, 512], randn(r, 512, 0.3)), sr: hostTensor('int64', [], [16000]), h: hostTensor('float32', [2, 1, 64], randn(r, 128, 0.1)), c: hostTensor('float32', [2, 1, 64], randn(r, 128, 0.1)) })],
    ['silero_vad_legacy.onnx', true, (r) => ({ input: hostTensor('float32', [1, 256], randn(r, 256, 0.3)), sr: hostTensor('int64', [], [8000]), h: hostTensor('float32', [2, 1, 64], randn(r, 128, 0.1)), c: hostTensor('float32', [2, 1, 64], randn(r, 128, 0.1)) })],
    ['silero_vad_v5.onnx', true, (r) => ({ input: hostTensor('float32', [1, 512], randn(r, 512, 0.3)), sr: hostTensor('int64', [], [16000]), state: hostTensor('float32', [2, 1, 128], randn(r, 256, 0.1)) })],
  ];
  for (const [file, fixSr, make] of cases) {
    it(`${file}, sr ${fixSr ? 'fixed with inputValues' : 'a runtime input (both If branches, selected on the GPU)'} (seed ${seed})`, async () => {
      const device = await testDevice();
      const path = join(dist, file);
      const inputs = make(rng(seed));
      const got = await wgml.runModel(device, path, inputs, fixSr ? { inputValues: { sr: inputs.sr! } } : {});
      const ref = await ortRunAny(path, inputs);
      for (const k of Object.keys(ref)) {
        const err = relErr(got[k]!.data, ref[k]!.data as Float32Array);
        expect(err, k).toBeLessThan(1e-4);
      }
    }, 120_000);
  }
});
