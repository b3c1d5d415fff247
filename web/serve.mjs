// A tiny static server for the browser page and the three.js example (127.0.0.1 only):
//   node web/serve.mjs [port]   → http://127.0.0.1:8080/web/demo.html, /web/three.html
// Serves the repository root so the page can fetch models/ao/ao.onnx and examples/materials/*.wgmat.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.onnx': 'application/octet-stream', '.wgmat': 'application/octet-stream', '.png': 'image/png' };

/** Start serving `root` on 127.0.0.1:`port` (0: any free port); resolves to { server, url }. */
export function serve(root = fileURLToPath(new URL('..', import.meta.url)), port = 0) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(base, path);
    if (!file.startsWith(base)) { res.writeHead(403); res.end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch { res.writeHead(404); res.end(); }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await serve(undefined, Number(process.argv[2] ?? 8080));
  console.log(`serving ${url}/web/demo.html and ${url}/web/three.html`);
}
