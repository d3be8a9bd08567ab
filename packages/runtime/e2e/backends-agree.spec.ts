import { test, expect, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { buildFixture, referenceTopK, type Fixture } from '../src/test-support/fixture-model.ts';

// Journey: a page starts the built worker (dist/edgewise/edgewise-worker.js) through comlink and asks it for
// recommendations on each backend in turn — WebGPU (SwiftShader here), WebGL, WASM and CPU, each forced through
// RuntimeConfig.backends — and every one must return the float32 reference's top-10 within quantization
// tolerance. A tampered model file must be refused, and the worker must still answer. Self-contained: it serves
// its own page, the built worker and a fixture model from an ephemeral localhost port.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = join(root, 'dist/edgewise');
const comlinkEsm = join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream', '.html': 'text/html', '.map': 'application/json' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>runtime e2e</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  window.runWorker = async (config, requests) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const errors = [];
    worker.addEventListener('error', (e) => errors.push(String(e.message)));
    const api = wrap(worker);
    const t0 = performance.now();
    try {
      const status = await api.init(config);
      const initMs = performance.now() - t0;
      const results = [];
      for (const r of requests) {
        const t = performance.now();
        try {
          const value = r === 'loseDevice' ? await api.debugLoseDevice() : r === 'status' ? await api.status() : await api.recommend(r);
          results.push({ ok: true, value, ms: performance.now() - t });
        } catch (e) { results.push({ ok: false, error: e }); }
      }
      return { status, initMs, results, errors };
    } finally {
      worker.terminate();
    }
  };
  window.pageReady = true;
</script>`;

let server: Server;
let origin = '';
const fixture: Fixture = buildFixture({ items: 3000, dim: 64, categories: 8, seed: 11 });
const tamperedFiles = new Map(fixture.files);
{
  const bin = fixture.files.get('recommend/embeddings.bin')!.slice();
  bin[1234] = bin[1234]! ^ 0x10;
  tamperedFiles.set('recommend/embeddings.bin', bin);
}

test.beforeAll(async () => {
  expect(existsSync(join(dist, 'edgewise-worker.js')), 'build the worker first: EDGEWISE_BUILD_ONLY=runtime npx rollup -c').toBe(true);
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (body: Uint8Array | string, type: string) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      if (path === '/') return send(PAGE, 'text/html');
      if (path === '/comlink.mjs') return send(await readFile(comlinkEsm), 'text/javascript');
      for (const [prefix, files] of [['/models/', fixture.files], ['/tampered/', tamperedFiles]] as const) {
        if (path.startsWith(prefix)) {
          const body = files.get(path.slice(prefix.length));
          if (body) return send(body, TYPES[extname(path)] ?? 'application/octet-stream');
        }
      }
      if (path.startsWith('/edgewise/')) {
        const file = normalize(join(dist, path.slice('/edgewise/'.length)));
        if (file.startsWith(dist) && existsSync(file)) return send(await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
      }
      res.writeHead(404).end();
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  origin = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

async function openPage(page: Page) {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
}

type Run = {
  status: { ready: boolean; backend: string | null; kernel: string | null; probed: Array<{ backend: string; ok: boolean; reason?: string }>; errors: Array<{ code: string }>; models: unknown[] };
  initMs: number;
  results: Array<{ ok: boolean; value?: { items: Array<{ itemId: string; score: number; category?: string }>; source: string; backend: string | null }; error?: { code: string }; ms?: number }>;
  errors: string[];
};

const HISTORIES = [['sku-5'], ['sku-100', 'sku-205', 'sku-310'], Array.from({ length: 12 }, (_, i) => `sku-${i * 97 + 3}`)];
const QUANTIZATION_TOL = 0.01;

function expectMatchesReference(items: Array<{ itemId: string; score: number }>, recent: string[], k: number, category?: string) {
  const ref = referenceTopK(fixture, recent, k, [], category);
  const all = new Map(referenceTopK(fixture, recent, fixture.items.length, [], category).map((r) => [r.id, r.score]));
  expect(items).toHaveLength(k);
  const kth = ref.at(-1)!.score;
  for (const it of items) {
    expect(all.has(it.itemId), `${it.itemId} may be returned`).toBe(true);
    expect(all.get(it.itemId)!, `${it.itemId} belongs in the top ${k}`).toBeGreaterThanOrEqual(kth - QUANTIZATION_TOL);
    expect(Math.abs(it.score - all.get(it.itemId)!)).toBeLessThan(QUANTIZATION_TOL);
  }
  const overlap = items.filter((i) => ref.some((r) => r.id === i.itemId)).length;
  expect(overlap).toBeGreaterThanOrEqual(k - 2);
}

const COMBOS = [
  ['webgpu', 'webgpu-int8'],
  ['webgpu', 'tfjs-matmul'],
  ['webgl', 'tfjs-matmul'],
  ['wasm', 'wasm-simd-int8'],
  ['wasm', 'tfjs-matmul'],
  ['cpu', 'js-int8'],
  ['cpu', 'tfjs-matmul'],
] as const;

for (const [backend, kernel] of COMBOS) {
  test(`${backend}/${kernel}: top-10 agrees with the float32 reference, filters hold`, async ({ page }) => {
    await openPage(page);
    const requests = [
      ...HISTORIES.map((recentItems) => ({ count: 10, recentItems })),
      { count: 10, recentItems: HISTORIES[1], category: 'cat-2' },
      { count: 0, recentItems: [] },
    ];
    const run = (await page.evaluate(([c, r]) => (window as any).runWorker(c, r), [{ modelBaseUrl: `${origin}/models/`, backends: [backend], kernel }, requests] as const)) as Run;
    console.log(`[${backend}/${kernel}] init ${run.initMs.toFixed(0)} ms; first recommend ${run.results[0]?.ms?.toFixed(1)} ms; probed ${JSON.stringify(run.status.probed)}`);
    expect(run.errors).toEqual([]);
    expect(run.status.errors).toEqual([]);
    expect(run.status.backend).toBe(backend);
    expect(run.status.kernel).toBe(kernel);
    HISTORIES.forEach((recent, i) => {
      const r = run.results[i]!;
      expect(r.ok).toBe(true);
      expect(r.value!.source).toBe('model');
      expect(r.value!.backend).toBe(backend);
      expectMatchesReference(r.value!.items, recent, 10);
    });
    const filtered = run.results[3]!.value!;
    expect(filtered.items.every((i) => i.category === 'cat-2')).toBe(true);
    expectMatchesReference(filtered.items, HISTORIES[1]!, 10, 'cat-2');
    expect(run.results[4]).toMatchObject({ ok: false, error: { code: 'EW_BAD_REQUEST' } });
  });
}

test('default ranking picks a usable backend and reports why the others were skipped', async ({ page }) => {
  await openPage(page);
  const run = (await page.evaluate(([c, r]) => (window as any).runWorker(c, r), [{ modelBaseUrl: `${origin}/models/` }, [{ count: 10, recentItems: HISTORIES[0] }]] as const)) as Run;
  console.log(`[default] chose ${run.status.backend}/${run.status.kernel} in ${run.initMs.toFixed(0)} ms; first recommend ${run.results[0]?.ms?.toFixed(1)} ms; probed ${JSON.stringify(run.status.probed)}`);
  expect(run.status.ready).toBe(true);
  expect(run.status.probed.map((p) => p.backend)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  for (const p of run.status.probed) if (p.backend !== run.status.backend) expect(p.reason, p.backend).toBeTruthy();
  expectMatchesReference(run.results[0]!.value!.items, HISTORIES[0]!, 10);
});

test('a tampered model file is refused with EW_MODEL_INTEGRITY and the worker still answers', async ({ page }) => {
  await openPage(page);
  const run = (await page.evaluate(([c, r]) => (window as any).runWorker(c, r), [{ modelBaseUrl: `${origin}/tampered/`, backends: ['wasm', 'cpu'] }, [{ count: 5, recentItems: ['sku-1'] }]] as const)) as Run;
  expect(run.status.models).toEqual([]);
  expect(run.status.errors.map((e) => e.code)).toContain('EW_MODEL_INTEGRITY');
  expect(run.results[0]).toMatchObject({ ok: true, value: { items: [], source: 'popular' } });
  expect(run.errors).toEqual([]);
});

test('a lost WebGPU device mid-session: the call that hits it is answered by the next backend', async ({ page }) => {
  await openPage(page);
  const recent = HISTORIES[1]!;
  const steps = [{ count: 10, recentItems: recent }, 'loseDevice', { count: 10, recentItems: recent }, 'status'];
  const run = (await page.evaluate(([c, r]) => (window as any).runWorker(c, r), [{ modelBaseUrl: `${origin}/models/`, backends: ['webgpu', 'wasm'] }, steps] as const)) as Run;
  expect(run.status.kernel).toBe('webgpu-int8');
  expect(run.results[0]!.value!.backend).toBe('webgpu');
  expect(run.results[1]!.value).toBe(true);
  const after = run.results[2]!;
  expect(after.ok).toBe(true);
  expect(after.value!.source).toBe('model');
  expect(after.value!.backend).toBe('wasm');
  expectMatchesReference(after.value!.items, recent, 10);
  const status = run.results[3]!.value as unknown as Run['status'];
  expect(status.backend).toBe('wasm');
  expect(status.errors.map((e) => e.code)).toContain('EW_DEVICE_LOST');
  expect(run.errors).toEqual([]);
});
