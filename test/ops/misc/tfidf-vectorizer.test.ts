// TfIdfVectorizer's modes and weights, batches and int64 ids, on the GPU and in the CPU reference, against counts
// worked out by hand (the ONNX backend cases, in test/conformance.test.ts, are all mode TF without weights).
import { describe, it, expect } from 'vitest';
import { runNode, referenceNode } from '../../../src/runtime/single.js';
import { hostTensor, type AttrValue, type Node } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';

// X row [1, 2, 1, 2, 3]: 1-gram 1 twice, 1-gram 3 once; 2-gram [1, 2] twice at distance 1; [1, 1] once at distance 2
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const node = (mode: string, weights: boolean): Node => ({
  name: 'tfidf', opType: 'TfIdfVectorizer', domain: '', inputs: ['x'], outputs: ['y'], attrs: {
    mode: { kind: 'string', value: mode }, min_gram_length: { kind: 'int', value: 1 }, max_gram_length: { kind: 'int', value: 2 },
    max_skip_count: { kind: 'int', value: 1 }, ngram_counts: ints([0, 2]), ngram_indexes: ints([0, 1, 2, 3]), pool_int64s: ints([1, 3, 1, 2, 1, 1]),
    ...(weights ? { weights: { kind: 'floats', value: [0.5, 2, 3, 0.25] } } : {}),
  },
});

describe('TfIdfVectorizer', () => {
  const one = hostTensor('int32', [5], [1, 2, 1, 2, 3]);
  const two = hostTensor('int64', [2, 5], [1, 2, 1, 2, 3, 3, 3, 3, 0, 0]);
  const cases: [string, boolean, number[], number[]][] = [
    ['TF', false, [2, 1, 2, 1], [2, 1, 2, 1, 0, 3, 0, 0]],
    ['IDF', true, [0.5, 2, 3, 0.25], [0.5, 2, 3, 0.25, 0, 2, 0, 0]],
    ['IDF', false, [1, 1, 1, 1], [1, 1, 1, 1, 0, 1, 0, 0]],
    ['TFIDF', true, [1, 2, 6, 0.25], [1, 2, 6, 0.25, 0, 6, 0, 0]],
  ];
  for (const [mode, weights, want1, want2] of cases) {
    it(`${mode}${weights ? ' with weights' : ''}: a row and a batch of two (int64 ids)`, async () => {
      const device = await testDevice();
      for (const [x, want] of [[one, want1], [two, want2]] as const) {
        const n = node(mode, weights);
        const [gpu] = await runNode(device, n, [x], { opset: 9 });
        const [ref] = referenceNode(n, [x], 9);
        expect(gpu!.shape).toEqual(x.shape.length === 2 ? [2, 4] : [4]);
        expect(Array.from(gpu!.data)).toEqual(want);
        expect(Array.from(ref!.data)).toEqual(want);
      }
    });
  }

  it('refuses a pool of strings and n-gram counts that do not hold whole n-grams, naming the node', () => {
    const bad = node('TF', false);
    bad.attrs.ngram_counts = ints([0, 3]);
    expect(() => referenceNode(bad, [one], 9)).toThrow(/'tfidf' \(TfIdfVectorizer\).*ngram_counts 1 \(3…6\) does not hold whole 2-grams/);
    const strings = node('TF', false);
    strings.attrs.pool_strings = { kind: 'strings', value: ['a'] };
    expect(() => referenceNode(strings, [one], 9)).toThrow(/a pool of strings/);
  });
});
