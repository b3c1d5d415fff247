/**
 * training/ao_data.py reading a training split while dataset.js still writes it (train_ao.py --grow,
 * training/h200.sh STREAM=1): the .npy files come from src/demo/npy.ts's writer, left open (the header
 * still says 0 samples) and cut mid-sample, and the values must be the ones written, in order, with the
 * cut sample left out until it is whole.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyF16Writer, toHalf } from '../src/demo/npy.js';

const S = 4, C = 5;
const sample = (n: number, per: number) => Float32Array.from({ length: per }, (_, i) => n + i / 64);

// Polls the directory at each line of stdin and prints the training samples it holds: count and their first values.
const SCRIPT = `
import json, sys, torch
sys.path.insert(0, 'training')
from ao_data import GrowingData
data = GrowingData([sys.argv[1]], torch.device('cpu'), grow=True, wait=5)
out = []
for line in sys.stdin:
    data.poll()
    out.append({'n': len(data.xtr), 'x0': data.xtr[:, 0, 0, 0].float().tolist(), 'y1': data.ytr[:, 0, 0, 1].float().tolist(), 'test': len(data.xte), 'c': data.xtr.shape[1]})
json.dump(out, sys.stdout)
`;

describe('training/ao_data.py GrowingData', () => {
  it('reads the samples of a split still being written, and not the one cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgml-ao-data-'));
    try {
      for (const [name, n] of [['test', 2]] as const) {
        const xs = new NpyF16Writer(join(dir, `${name}_x.npy`), [C, S, S]), ys = new NpyF16Writer(join(dir, `${name}_y.npy`), [1, S, S]);
        for (let i = 0; i < n; i++) { xs.append(sample(100 + i, C * S * S)); ys.append(sample(200 + i, S * S)); }
        xs.close(); ys.close();
      }
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ size: S, channels: C, focalPx: 3, rays: 8, views: 2, scenes: 'arch', train: 0, test: 2 }));
      // As while dataset.js renders: the writer's header (0 samples) and whole samples after it, then half of a
      // fourth input. The inputs are appended by hand so that one sample can be cut in two; the targets by the writer.
      new NpyF16Writer(join(dir, 'train_x.npy'), [C, S, S]).close();
      const px = join(dir, 'train_x.npy'), ys = new NpyF16Writer(join(dir, 'train_y.npy'), [1, S, S]);
      const appendX = (a: Uint16Array, from = 0, to = a.byteLength) => appendFileSync(px, new Uint8Array(a.buffer, from, to - from));
      for (let i = 0; i < 3; i++) { appendX(toHalf(sample(i, C * S * S))); ys.append(sample(10 + i, S * S)); }
      const half = toHalf(sample(3, C * S * S));
      appendX(half, 0, half.byteLength / 2);
      // The python side polls once now; the rest of the fourth sample and a fifth then come before its second poll.
      const script = join(dir, 'poll.py');
      writeFileSync(script, SCRIPT);
      const first = JSON.parse(execFileSync('/usr/bin/python3', [script, dir], { input: '\n', cwd: process.cwd() }).toString()) as { n: number; x0: number[]; y1: number[]; test: number; c: number }[];
      expect(first).toEqual([{ n: 3, x0: [0, 1, 2], y1: [10 + 1 / 64, 11 + 1 / 64, 12 + 1 / 64], test: 2, c: C }]);
      appendX(half, half.byteLength / 2);
      ys.append(sample(13, S * S));
      appendX(toHalf(sample(4, C * S * S))); // an input whose target is not written yet: not a sample yet
      const again = JSON.parse(execFileSync('/usr/bin/python3', [script, dir], { input: '\n', cwd: process.cwd() }).toString()) as typeof first;
      expect(again[0]!.n).toBe(4);
      expect(again[0]!.x0).toEqual([0, 1, 2, 3]);
      expect(again[0]!.y1[3]).toBeCloseTo(13 + 1 / 64, 6);
      ys.close();
      expect(readFileSync(join(dir, 'train_y.npy')).length).toBe(128 + 4 * S * S * 2);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
