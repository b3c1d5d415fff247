/**
 * The graph page's writer without a browser: the top-down layout's invariants, what each source
 * (inspect, capture, reference, profile) puts on the page, and the linker that inlines the page's
 * compiled modules into one script.
 */
import { describe, it, expect } from 'vitest';
import { inspectJson } from '../src/cli/models.js';
import { graphPageData, inspectOfProgram, opFamily } from '../src/debug/html.js';
import { graphPageScript, linkModules } from '../src/debug/page-script.js';
import { debugRun } from '../src/debug/capture.js';
import { loadGraph } from '../src/runtime/library.js';
import { hostTensor } from '../src/ir/types.js';
import { WgmlError } from '../src/errors.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, testSeed } from './helpers/random.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformerModel, nanModel } from './fixtures/debug/models.js';

describe('graph page data', () => {
  it('lays a transformer out top-down: every edge runs downward, no two nodes overlap', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'wgml-gd-')), 't.onnx');
    writeFileSync(f, transformerModel(2));
    const j = await inspectJson(f, {}, await testDevice());
    const d = graphPageData(j);
    expect(d.nodes.filter((n) => n.kind === 'op')).toHaveLength(j.nodes.length);
    const at = new Map(d.nodes.map((n) => [n.id, n]));
    for (const e of d.edges) expect(at.get(e.to)!.y, `${e.from} → ${e.to}`).toBeGreaterThan(at.get(e.from)!.y);
    for (const a of d.nodes) for (const b of d.nodes) {
      if (a === b) continue;
      const apart = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= (a.h + b.h) / 2;
      expect(apart, `${a.label} / ${b.label}`).toBe(true);
    }
    for (const n of d.nodes) {
      expect(n.x - n.w / 2).toBeGreaterThanOrEqual(0);
      expect(n.y + n.h / 2).toBeLessThanOrEqual(d.height);
    }
    expect(d.mode).toBe('inspect');
    expect(d.overlays).toEqual(['op', 'flops']);
    expect(d.firstBad).toBeNull();
  });

  it('puts the debugger and profiler numbers on the nodes, infinite errors as MAX_VALUE', async () => {
    const x = hostTensor('float32', [2, 8], randn(rng(testSeed()), 16));
    const cap = await debugRun(await testDevice(), (await loadGraph(nanModel())).graph, { x });
    const j = inspectOfProgram(cap.program);
    const relErr = new Map<string, number | null>([['proj', 1e-7], ['sqrt_planted', Infinity], ['bias', null]]);
    const d = graphPageData(j, { capture: cap, relErr, times: new Map([['proj', 1500]]), firstBad: { name: 'sqrt_planted', op: 'Pow', index: 1, reason: 'planted' } });
    const byName = new Map(d.nodes.map((n) => [n.label, n]));
    expect(byName.get('sqrt_planted')!.metrics.err).toBe(Number.MAX_VALUE);
    expect(byName.get('bias')!.metrics.err).toBeNull();
    expect(byName.get('proj')!.metrics.time).toBe(1500);
    expect(byName.get('bias')!.metrics.time).toBeUndefined();
    expect(byName.get('sqrt_planted')!.metrics.naninf).toBe([...cap.values.get('s')!.data].filter((v) => !Number.isFinite(v)).length);
    expect(d.firstBad).toEqual({ id: byName.get('sqrt_planted')!.id, reason: 'planted' });
    expect(d.overlays).toEqual(['op', 'time', 'err', 'naninf', 'absmax', 'flops']);
    expect(d.defaultOverlay).toBe('time');
    expect(JSON.parse(JSON.stringify(d)).nodes[byName.get('sqrt_planted')!.index + 1].metrics.err).toBe(Number.MAX_VALUE);
  });

  it('colours ops by family', () => {
    expect(['Conv', 'com.microsoft.MatMul', 'Relu', 'MaxPool', 'LayerNormalization', 'Reshape', 'DequantizeLinear', 'com.wgml.FusedElementwise', 'Add'].map(opFamily))
      .toEqual(['conv', 'conv', 'act', 'pool', 'norm', 'shape', 'quant', 'fused', 'math']);
  });
});

describe('page script linker', () => {
  const mods: Record<string, string> = {
    'main.js': "import { twice as double } from './b.js';\nimport { K } from './c.js';\nexport function main() { globalThis.__out.push(double(K)); }\n//# sourceMappingURL=main.js.map",
    'b.js': "import { K } from './c.js';\nexport const twice = (v) => v * 2 + K - K;\nexport class Unused {}",
    'c.js': "globalThis.__out.push('c');\nexport const K = 21;\nexport {};",
  };

  it('links named imports (with renames) of sibling modules, each evaluated once, dependencies first', () => {
    const code = linkModules((n) => mods[n]!, 'main.js');
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    const g = globalThis as { __out?: unknown[] };
    g.__out = [];
    new Function(code)();
    expect(g.__out).toEqual(['c', 42]);
    delete g.__out;
  });

  it('refuses what it does not understand, and import cycles, with a typed error', () => {
    expect(() => linkModules((n) => ({ ...mods, 'c.js': 'export default 1;' })[n]!, 'main.js')).toThrow(/does not understand 'export default 1;'/);
    expect(() => linkModules((n) => ({ ...mods, 'c.js': "import { twice } from './b.js';\nexport const K = 1;" })[n]!, 'main.js')).toThrow(WgmlError);
    expect(() => linkModules((n) => ({ ...mods, 'c.js': "import { twice } from './b.js';\nexport const K = 1;" })[n]!, 'main.js')).toThrow(/cycle: main\.js → b\.js → c\.js → b\.js/);
  });

  it('links the real page into one script that parses', () => {
    const code = graphPageScript();
    expect(() => new Function(code)).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    expect(code).not.toMatch(/<\/script/i);
  });
});
