/**
 * Model families beyond the torchvision classifiers, against onnxruntime-node's outputs stored beside
 * them (test/fixtures/coverage-2: bench/coverage/export_families.py writes the models and inputs,
 * bench/coverage/expect_families.mjs adds onnxruntime's outputs):
 * - GPT-2 decoder stacks, int64 ids through Gather, causal masks built in the graph (GPT-2's boolean
 *   buffer + Where with finfo.min; triu/masked_fill over ConstantOfShape), a left-padded row, and a KV
 *   cache: past length 5 and 0 (zero-size tensors) through dynamic axes, and exports traced at 0 and 5;
 * - T5 relative-position buckets (Abs, Log, Cast to int64, Min, Where, Gather) and RMSNorm, opsets 17 and 18;
 * - a Stable-Diffusion UNet block left unfolded (timestep embedding's Range/Exp/Sin/Cos, GroupNorm,
 *   self- and cross-attention, nearest Resize, skip Concat), with GroupNorm as torch's InstanceNormalization
 *   pattern (17) and as GroupNormalization with per-group (18) and per-channel (21) scale;
 * - a YOLOv8 detector head without NMS (SiLU convs, Split, anchors from Range/Expand, DFL softmax);
 * - a Whisper encoder stem (Conv1d, Erf GELU, positions sliced to the frames given, attention);
 * - float16 models (initializers, I/O and Casts converted), also on a device without shader-f16.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import * as wgml from '../src/index.js';
import type { HostTensor } from '../src/ir/types.js';
import { requestDevice } from '../src/gpu/device.js';
import { debugModel } from '../src/debug/model.js';
import { testDevice } from './helpers/gpu.js';

const DIR = 'test/fixtures/coverage-2';

interface Spec { dtype: string; shape: number[]; data: (number | string)[] }
interface Case { model: string; inputs: Record<string, Spec>; outputs: Record<string, Spec>; tol?: { rel?: number; abs?: number } }

const cases = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => ({ name: f.slice(0, -5), c: JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')) as Case }));

function hostInputs(c: Case): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, {
    dtype: v.dtype as HostTensor['dtype'], shape: v.shape,
    data: v.dtype.startsWith('float') ? Float32Array.from(v.data, Number) : Int32Array.from(v.data, Number),
  }]));
}

/** Every output within rtol/atol of onnxruntime's (NaN where it has NaN); returns max|a-b|/max|b|. */
function expectClose(name: string, got: Record<string, HostTensor>, c: Case): number {
  const rtol = c.tol?.rel ?? 1e-3, atol = c.tol?.abs ?? 1e-4;
  let worst = 0;
  for (const [k, ref] of Object.entries(c.outputs)) {
    const a = got[k];
    expect(a, `${name}: output ${k}`).toBeDefined();
    expect(a!.shape, `${name}: shape of ${k}`).toEqual(ref.shape);
    let num = 0, den = 0, bad = -1;
    ref.data.forEach((r, i) => {
      const b = Number(r), v = a!.data[i]!;
      if (Number.isNaN(b) ? !Number.isNaN(v) : !(Math.abs(v - b) <= atol + rtol * Math.abs(b))) bad = bad < 0 ? i : bad;
      if (Number.isFinite(b)) { num = Math.max(num, Math.abs(v - b)); den = Math.max(den, Math.abs(b)); }
    });
    expect(bad, `${name}: ${k}[${bad}] = ${a!.data[bad]}, onnxruntime ${ref.data[bad]} (rtol ${rtol}, atol ${atol})`).toBe(-1);
    worst = Math.max(worst, num / (den || 1));
  }
  return worst;
}

describe('model families match onnxruntime', () => {
  it('has its fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(15));
  for (const { name, c } of cases) {
    it(name, async () => {
      const got = await wgml.runModel(await testDevice(), `${DIR}/${c.model}`, hostInputs(c));
      console.log(`${name}: max|wgml-ort|/max|ort| = ${expectClose(name, got, c).toExponential(2)}`);
    });
  }

  it('a float16 model runs on a device without shader-f16, with the same results', async () => {
    // float16 values are f32 words on the GPU (ir/types.ts storageType), so nothing depends on the
    // feature; one model keeps that so (each device compiles its kernels anew: seconds on lavapipe)
    const plain = await requestDevice({ quiet: true, disableFeatures: ['shader-f16'] });
    expect(plain.features.has('shader-f16')).toBe(false);
    try {
      for (const { name, c } of cases.filter((k) => k.name === 'cnn_f16')) {
        const got = await wgml.runModel(plain, `${DIR}/${c.model}`, hostInputs(c));
        expectClose(`${name} without shader-f16`, got, c);
        expect(Object.values(got).every((t) => t.dtype === 'float16')).toBe(true);
      }
    } finally {
      plain.destroy();
    }
  });

  it('debug --reference compares a float16 model node by node (float16 feeds and outputs through onnxruntime)', async () => {
    const { c } = cases.find((k) => k.name === 'cnn_f16')!;
    const { report } = await debugModel(await testDevice(), `${DIR}/${c.model}`, { reference: true, inputs: hostInputs(c) });
    expect(report.firstBadNode).toBeNull();
    const compared = report.nodes.filter((n) => 'relErr' in n && n.relErr != null);
    expect(compared.length).toBe(report.nodes.length);
  });
});
