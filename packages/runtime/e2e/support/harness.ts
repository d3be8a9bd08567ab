// Shared by the runtime's browser journeys: a static localhost server for one test file (a page that starts the
// built worker through comlink, the built worker from dist/edgewise, model folders from memory), and the page-side
// runner. Self-contained: the journeys need neither the demo shop nor the ingestion server.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built worker; EDGEWISE_RUNTIME_DIST points at a copy when a shared working tree's builds keep replacing dist/. */
export const dist = process.env.EDGEWISE_RUNTIME_DIST ? resolve(process.env.EDGEWISE_RUNTIME_DIST) : join(root, 'dist/edgewise');
const comlinkEsm = join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.bin': 'application/octet-stream', '.html': 'text/html', '.map': 'application/json',
};

/**
 * The page: `runWorker(config, steps)` starts a fresh worker, calls `init(config)`, then each step in order — a
 * RecommendRequest (or any junk) for `recommend`, 'status', 'loseDevice', or `{ $call: 'intent' | 'understand' |
 * 'segment' | 'recommend', arg }` for another method — and reports every answer or rejection, plus any uncaught
 * error the worker raised. `before` steps run before init (a bare value is a recommend request).
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>runtime e2e</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  window.runWorker = async (config, steps, before = []) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const errors = [];
    worker.addEventListener('error', (e) => errors.push(String(e.message)));
    worker.addEventListener('messageerror', () => errors.push('messageerror'));
    const api = wrap(worker);
    const settle = async (fn) => {
      const t = performance.now();
      try { return { ok: true, value: await fn(), ms: performance.now() - t }; }
      catch (e) { return { ok: false, error: e && typeof e === 'object' ? { code: e.code, message: e.message, name: e.name } : String(e) }; }
    };
    try {
      const early = [];
      const call = (r) => r && typeof r === 'object' && typeof r.$call === 'string' ? api[r.$call](r.arg) : api.recommend(r);
      for (const r of before) early.push(await settle(() => call(r)));
      const t0 = performance.now();
      const init = await settle(() => api.init(config));
      const initMs = performance.now() - t0;
      const results = [];
      for (const r of steps) {
        results.push(await settle(() => r === 'loseDevice' ? api.debugLoseDevice() : r === 'status' ? api.status() : call(r)));
      }
      return { status: init.ok ? init.value : null, initError: init.ok ? null : init.error, initMs, early, results, errors };
    } finally {
      worker.terminate();
    }
  };
  window.pageReady = true;
</script>`;

export type Files = ReadonlyMap<string, Uint8Array>;

export interface Harness {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the page at `/`, comlink, the built worker under `/edgewise/`, and each model folder under
 * `/<prefix>/` (prefix → relative path → bytes). Requests are recorded in `requests`; `isolated` serves
 * everything with COOP + COEP.
 */
export async function startHarness(folders: Record<string, Files>, requests: string[] = [], opts: { isolated?: boolean } = {}): Promise<Harness> {
  // COOP + COEP make the page (and its worker) cross-origin isolated: SharedArrayBuffer, 5 µs timers, wasm threads.
  const isolation: Record<string, string> = opts.isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' }
    : {};
  expect(existsSync(join(dist, 'edgewise-worker.js')), 'build the worker first: npm run build (or EDGEWISE_BUILD_ONLY=runtime npx rollup -c)').toBe(true);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const send = (body: Uint8Array | string, type: string) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...isolation });
      res.end(body);
    };
    try {
      if (path === '/') return send(PAGE, 'text/html');
      if (path === '/comlink.mjs') return send(await readFile(comlinkEsm), 'text/javascript');
      const m = /^\/([a-z0-9-]+)\/(.+)$/.exec(path);
      const files = m && m[1] !== 'edgewise' ? folders[m[1]!] : undefined;
      if (files) {
        const body = files.get(m![2]!);
        if (body) return send(body, TYPES[extname(path)] ?? 'application/octet-stream');
      }
      if (path.startsWith('/edgewise/')) {
        const file = normalize(join(dist, path.slice('/edgewise/'.length)));
        if (file.startsWith(dist) && existsSync(file)) return send(await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
      }
      res.writeHead(404, isolation).end();
    } catch {
      res.writeHead(500, isolation).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const origin = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
  return { origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function openPage(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
}

export interface StatusLike {
  ready: boolean;
  backend: string | null;
  kernel?: string | null;
  probed: Array<{ backend: string; ok: boolean; reason?: string; calibrationMs?: number }>;
  errors: Array<{ code: string; message: string }>;
  models: Array<{ task: string; version: string; kind: string; items?: number }>;
}

export interface ItemLike {
  itemId: string;
  score: number;
  title?: string;
  category?: string;
  brand?: string;
  price?: number;
  currency?: string;
  url?: string;
  image?: string;
}

export interface ResultLike {
  items: ItemLike[];
  source: 'model' | 'popular';
  backend: string | null;
  modelVersion: string | null;
  workerMs: number;
}

export interface Settled<T = ResultLike> {
  ok: boolean;
  value?: T;
  error?: { code?: string; message?: string; name?: string };
  ms?: number;
}

export interface Run {
  status: StatusLike | null;
  initError: { code?: string; message?: string } | null;
  initMs: number;
  early: Settled[];
  results: Settled[];
  errors: string[];
}

/** A step that calls `method(arg)` on the worker (see PAGE). */
export const call = (method: 'intent' | 'understand' | 'segment' | 'recommend', arg: unknown) => ({ $call: method, arg });

/** Runs `steps` against a fresh worker on the page; see PAGE. */
export async function runWorker(page: Page, config: unknown, steps: unknown[], before: unknown[] = []): Promise<Run> {
  return (await page.evaluate(([c, s, b]) => (window as any).runWorker(c, s, b), [config, steps, before] as const)) as Run;
}

/** The run's init status, which the journeys expect (init answers even when a model is refused). */
export function statusOf(run: Run): Run & { status: StatusLike } {
  expect(run.initError, 'init must answer').toBeNull();
  expect(run.status).not.toBeNull();
  return run as Run & { status: StatusLike };
}
