/**
 * The graph page's script, as one inline <script>: the page is written in TypeScript modules
 * (src/debug/page/), tsc compiles them to dist/debug/page/*.js, and this links those ES modules into
 * a single function scope so the HTML file works offline, from file://, with no module loader.
 *
 * The link is deliberately small: it understands exactly what tsc emits for these modules (named
 * `import { a, b as c } from './x.js'` of sibling modules, `export function|class|const|let` at the
 * start of a line) and throws on anything else, so a new construct fails loudly in the tests rather
 * than producing a broken page. esbuild would do this too, but it is a dev dependency and the CLI
 * writes pages from the installed package.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { WgmlError } from '../errors.js';

const ENTRY = 'main.js';

/** Where the compiled page modules are: next to this file in dist/, or dist/ when running from src/ (tests). */
function pageDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return join(here, 'page');
  const dist = join(here, '../../dist/debug/page'), src = join(here, 'page');
  for (const f of readdirSync(src).filter((f) => f.endsWith('.ts') && f !== 'types.ts')) {
    const js = join(dist, f.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(src, f)).mtimeMs)
      throw new WgmlError('E_PAGE_SCRIPT', `the graph page's compiled script ${js} is missing or older than src/debug/page/${f}`, 'build first: npx tsc -p .', { file: js });
  }
  return dist;
}

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'\.\/([\w-]+\.js)';?\s*$/;
const EXPORT = /^export (?:async )?(?:function\*?|class|const|let) ([\w$]+)/;

interface Mod { deps: string[]; code: string }

function linkModule(name: string, src: string): Mod {
  const deps: string[] = [], names: string[] = [];
  const lines = src.replace(/^\/\/# sourceMappingURL=.*$/m, '').split('\n').map((line) => {
    const imp = IMPORT.exec(line);
    if (imp) {
      deps.push(imp[2]!);
      const binds = imp[1]!.split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
      return `const { ${binds.join(', ')} } = __mod[${JSON.stringify(imp[2])}];`;
    }
    const exp = EXPORT.exec(line);
    if (exp) { names.push(exp[1]!); return line.slice('export '.length); }
    if (/^export \{\s*\};?\s*$/.test(line)) return '';
    if (/^(import|export)\b/.test(line)) throw new WgmlError('E_PAGE_SCRIPT', `page module ${name}: the linker does not understand '${line.trim()}'`, "write named imports of sibling modules and 'export function/class/const' declarations");
    return line;
  });
  return { deps, code: `__mod[${JSON.stringify(name)}] = (() => {\n${lines.join('\n')}\nreturn { ${names.join(', ')} };\n})();` };
}

/**
 * Link ES modules into one script: every module reachable from `entry` (read by `read(name)`),
 * dependencies first, each in its own function scope, then `entry`'s main().
 */
export function linkModules(read: (name: string) => string, entry: string): string {
  const mods = new Map<string, Mod>(), order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new WgmlError('E_PAGE_SCRIPT', `page modules import each other in a cycle: ${[...path, name].join(' → ')}`, 'move the shared code into a module both import');
    const m = mods.get(name) ?? linkModule(name, read(name));
    mods.set(name, m);
    for (const d of m.deps) visit(d, [...path, name]);
    order.push(name);
  };
  visit(entry, []);
  // '</script' inside the code would end the inline script early.
  return `(() => {\n'use strict';\nconst __mod = {};\n${order.map((n) => mods.get(n)!.code).join('\n')}\n__mod[${JSON.stringify(entry)}].main();\n})();`.replace(/<\/script/gi, '<\\/script');
}

let cached: string | null = null;

/** The graph page's script (compiled src/debug/page/*.ts, linked from main.js). */
export function graphPageScript(): string {
  if (!cached) { const dir = pageDir(); cached = linkModules((name) => readFileSync(join(dir, name), 'utf8'), ENTRY); }
  return cached;
}
