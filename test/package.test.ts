/**
 * The npm package as a new user gets it: `npm pack`, installed into a fresh project (its
 * dependencies linked from this checkout's node_modules, so no network), then `npx wgml info`, the
 * README's API snippet type-checked with TypeScript 7 under --strict without skipLibCheck and run, and
 * every file the README links present in the tarball.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHOWCASE_MATERIALS } from '../src/demo/showcase.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'wgml-package-'));
const project = join(tmp, 'consumer');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
let files: string[] = [];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => execFile(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 32 << 20 }, (e, out, err) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err })));
}

/** The README's API example: the first ```ts block after "## Networks in your frame". */
function readmeSnippet(): string {
  const at = readme.indexOf('## Networks in your frame');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !m) throw new Error('README: no ```ts block under "## Networks in your frame"');
  return m[1]!;
}

beforeAll(async () => {
  // dist/ is built by `npm test`'s pretest (tsc); the pages' bundles here. Then pack as npm would publish.
  execFileSync(process.execPath, ['web/build.mjs'], { cwd: root, stdio: 'pipe' });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  // `npm install ./wgml.tgz` without the network: unpack into node_modules/wgml, link its dependencies.
  const pkgDir = join(project, 'node_modules', 'wgml');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['xzf', join(tmp, packed[0]!.filename), '-C', pkgDir, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
  const link = (name: string) => {
    const to = join(project, 'node_modules', name);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(realpathSync(join(root, 'node_modules', name)), to);
  };
  for (const d of Object.keys(pkg.dependencies)) link(d);
  link('typescript');
  mkdirSync(join(project, 'node_modules', '.bin'));
  // npm's bin-links: a link in .bin and the target made executable (tsc writes it 644).
  for (const [name, path] of Object.entries(pkg.bin)) { symlinkSync(join('..', 'wgml', path), join(project, 'node_modules', '.bin', name)); chmodSync(join(pkgDir, path), 0o755); }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { wgml: `file:${packed[0]!.filename}` } }));
}, 120_000);

describe('the npm package', () => {
  it('holds every file the README links, the CLI, the types and the browser pages', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThanOrEqual(4);
    const commands = [...readme.matchAll(/(?:bash|node) (node_modules\/wgml\/)?((?:scripts|web)\/[\w./-]+)/g)].map((m) => m[2]!);
    expect(commands).toEqual(expect.arrayContaining(['scripts/setup.sh', 'web/serve.mjs']));
    for (const f of [...links, ...commands, 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'models/ao/ao.onnx', 'models/ao/ao-gbuffer.onnx', 'examples/materials/bricks.wgmat', 'web/demo.html', 'web/three.html', 'web/dist/demo.js', 'web/dist/three.js'])
      expect(files, f).toContain(f);
    // What `wgml demo` and the page load: the showcase's materials and the textures they were compressed from.
    for (const m of SHOWCASE_MATERIALS) for (const f of [`${m}.wgmat`, `${m}/albedo.png`, `${m}/normal.png`, `${m}/roughness.png`]) expect(files, f).toContain(`examples/materials/${f}`);
    // what the pages load
    for (const page of ['web/demo.html', 'web/three.html'])
      for (const m of readFileSync(join(root, page), 'utf8').matchAll(/src="([^"]+)"/g)) expect(files).toContain(join('web', m[1]!));
  });

  it('`npx wgml info` runs from a fresh project', async () => {
    const r = await run('npx', ['--no-install', 'wgml', 'info'], project);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^adapter: /m);
    expect(r.out).toMatch(/maxStorageBufferBindingSize/);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it("the README's API snippet type-checks (TypeScript 7, --strict, no skipLibCheck, no @webgpu/types) and runs", async () => {
    const snippet = readmeSnippet();
    const size = 'const width = 1920, height = 1088;';
    expect(snippet).toContain(size);
    const device = 'const device = await wgml.requestDevice();';
    expect(snippet).toContain(device);
    // Small frame for a software GPU; GPU errors caught; what it made printed.
    const program = snippet.replace(size, 'const width = 64, height = 64;').replace(device, `${device}\ndevice.pushErrorScope('validation');`)
      + `\nawait device.queue.onSubmittedWorkDone();\nconst gpuError = await device.popErrorScope();\nif (gpuError) throw new Error(gpuError.message);\n`
      + 'console.log(JSON.stringify({ outputs: pipeline.outputs, heap: pipeline.intermediatesHeapSize }));\nprocess.exit(0);\n';
    writeFileSync(join(project, 'main.ts'), program);
    copyFileSync(join(root, 'models/ao/ao-gbuffer.onnx'), join(project, 'ao-gbuffer.onnx'));
    copyFileSync(join(root, 'models/ao/ao.onnx'), join(project, 'ao.onnx'));
    // `types: ["node"]` only for the test's process.exit; the package itself needs no @types/node (next test).
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', outDir: 'out', types: ['node'] }, files: ['main.ts'] }));
    mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
    symlinkSync(realpathSync(join(root, 'node_modules/@types/node')), join(project, 'node_modules/@types/node'), 'dir');
    const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], project);
    expect(tsc.out + tsc.err).toBe('');
    expect(tsc.code).toBe(0);
    const r = await run(process.execPath, ['out/main.js'], project);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop()!) as { outputs: { name: string; shape: number[] }[]; heap: number };
    expect(j.outputs).toEqual([expect.objectContaining({ name: 'ao', shape: [1, 1, 64, 64] })]);
    expect(j.heap).toBeGreaterThan(0);
  }, 120_000);

  it('the types check with @webgpu/types installed; listed in `types` the only errors are its clashes with DOM, none in wgml', async () => {
    mkdirSync(join(project, 'node_modules/@webgpu'), { recursive: true });
    symlinkSync(realpathSync(join(root, 'node_modules/@webgpu/types')), join(project, 'node_modules/@webgpu/types'), 'dir');
    writeFileSync(join(project, 'use.ts'), "import * as wgml from 'wgml';\nexport async function ao(device: GPUDevice): Promise<number> {\n  const lib = await wgml.loadLibrary(device, 'ao.onnx');\n  const p = await wgml.createPipeline(device, lib.function('main'), { inputDimensions: { gbuffer: [1, 4, 8, 8] } });\n  const t: wgml.Tensor = wgml.tensor(device, { dtype: 'f32', shape: [1, 4, 8, 8] });\n  t.destroy();\n  return p.intermediatesHeapSize;\n}\n");
    const check = async (types: string[]) => {
      writeFileSync(join(project, 'tsconfig.check.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, types }, files: ['use.ts'] }));
      return run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.check.json'], project);
    };
    const [none, listed] = [await check([]), await check(['@webgpu/types'])];
    expect(none.out + none.err).toBe('');
    expect(none.code).toBe(0);
    const errs = listed.out.split('\n').filter((l) => /error TS/.test(l));
    expect(errs.length).toBeGreaterThan(0);
    for (const e of errs) expect(e).toMatch(/lib\.dom\.d\.ts|@webgpu[/\\]types/);
  }, 120_000);
});
