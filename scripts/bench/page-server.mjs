// The local server of the in-browser benches: one HTML page at `/` and whatever `files(path)` returns for the other
// paths (404 when nothing), uncached, optionally cross-origin isolated (SharedArrayBuffer, WASM threads and 5 µs
// timers need COOP/COEP).
import { createServer } from 'node:http';
import { extname } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream' };
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };

/** @returns {Promise<{ origin: string, close(): void }>} */
export async function startPageServer({ page, files, isolated = true }) {
  const headers = isolated ? ISOLATION : {};
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const body = path === '/' ? page : files(path);
    if (body == null) return void res.writeHead(404, headers).end();
    res.writeHead(200, { 'content-type': path === '/' ? 'text/html' : (TYPES[extname(path)] ?? 'application/octet-stream'), 'cache-control': 'no-store', ...headers });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://localhost:${server.address().port}`, close: () => server.close() };
}
