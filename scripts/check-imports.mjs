#!/usr/bin/env node
// Import-graph checker for src/**/*.ts (issue 14: imports point one way).
//
// Fails on
//   1. any import cycle between modules (type-only imports count too: a type
//      cycle still ties two files together and is where value cycles start),
//   2. any import from a lower layer into a higher one (LAYERS below).
// Exceptions to rule 2 go in ALLOWED_UPWARD with the reason; there is no
// exception list for rule 1.
//
// Run: node scripts/check-imports.mjs   (exit 1 and a report when violated)
// Also imported by test/architecture.test.ts, so it stays dependency-free.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Lowest first: a module may import from its own layer or any layer before it.
// `errors.ts` sits under everything (every layer throws its errors);
// `index.ts` is the package entry and sits above everything.
export const LAYERS = [
  'errors', 'gpu', 'tensor', 'ir', 'onnx', 'passes', 'plan', 'ops', 'runtime',
  'shaderml', 'debug', 'demo', 'fuzz', 'cli', 'index',
];

// Imports that break the layer order on purpose: key `from -> to` (module ids:
// paths relative to src without `.ts`), value the reason it cannot point down.
// Empty today; an entry that matches no import any more fails the check.
export const ALLOWED_UPWARD = new Map([
]);

const IMPORT_RE =
  /^\s*(?:import|export)\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)\s*from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_RE = /^\s*import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC_RE = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module id: path relative to src, `/`-separated, without `.ts`. */
const idOf = (srcDir, file) => relative(srcDir, file).split(sep).join('/').replace(/\.ts$/, '');

export function layerOf(id) {
  const top = id.split('/')[0];
  const i = LAYERS.indexOf(top);
  if (i < 0) throw new Error(`check-imports: ${id} is in no layer; add '${top}' to LAYERS`);
  return i;
}

/** Relative imports of every module: Map<id, Set<id>>. */
export function importGraph(srcDir) {
  const files = walk(srcDir);
  const ids = new Set(files.map((f) => idOf(srcDir, f)));
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps = new Set();
    for (const re of [IMPORT_RE, SIDE_EFFECT_RE, DYNAMIC_RE]) {
      for (const m of text.matchAll(re)) {
        const spec = m[1];
        if (!spec.startsWith('.')) continue; // packages and node: builtins
        const target = idOf(srcDir, resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        if (ids.has(target)) deps.add(target);
        else if (!spec.endsWith('.json')) throw new Error(`check-imports: ${idOf(srcDir, file)} imports missing ${spec}`);
      }
    }
    graph.set(idOf(srcDir, file), deps);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a self-import. */
export function findCycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], sccs = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) sccs.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return sccs;
}

export function findUpward(graph) {
  const bad = [];
  for (const [from, deps] of graph) {
    for (const to of deps) {
      if (layerOf(to) > layerOf(from) && !ALLOWED_UPWARD.has(`${from} -> ${to}`)) bad.push(`${from} -> ${to}`);
    }
  }
  return bad.sort();
}

/** Allowances that no longer match an import: stale entries hide nothing, drop them. */
export function findStaleAllowances(graph) {
  return [...ALLOWED_UPWARD.keys()].filter((k) => {
    const [from, to] = k.split(' -> ');
    return !graph.get(from)?.has(to);
  });
}

export function checkImports(srcDir) {
  const graph = importGraph(srcDir);
  return { modules: graph.size, cycles: findCycles(graph), upward: findUpward(graph), stale: findStaleAllowances(graph) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const { modules, cycles, upward, stale } = checkImports(srcDir);
  for (const c of cycles) console.error(`cycle: ${c.join(' <-> ')}`);
  for (const u of upward) console.error(`against layer order (${LAYERS.join(' < ')}): ${u}`);
  for (const s of stale) console.error(`stale ALLOWED_UPWARD entry: ${s}`);
  const failed = cycles.length + upward.length + stale.length;
  if (failed) process.exit(1);
  console.log(`check-imports: ${modules} modules, no cycles, layer order respected`);
}
