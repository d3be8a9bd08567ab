// `recommend()` latency in Chromium from the main-thread call to the result, per backend and kernel, at several
// catalog sizes, cold (first call after init) and warm, against a plain Float32Array scan in the page and the
// memory-bandwidth floor measured in the same run. Uses the built worker (dist/edgewise) and synthetic int8 models
// (packages/runtime/src/test-support/fixture-model.ts), served from an ephemeral localhost port.
// Usage: node --import tsx scripts/bench/recommend-latency.ts [--sizes 1000,10000,100000] [--warm 30] [--json out.json]
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { buildFixture, type Fixture } from '../../packages/runtime/src/test-support/fixture-model.ts';
import { CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';
import { machine, median, percentile } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/edgewise');
const comlinkEsm = join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs');
const { values: opts } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000,100000' }, warm: { type: 'string', default: '30' }, json: { type: 'string' } } });
const sizes = opts.sizes!.split(',').map(Number);
const WARM = Number(opts.warm);
const DIM = 64;
const COMBOS = [
  ['wasm', 'wasm-simd-int8'],
  ['cpu', 'js-int8'],
  ['wasm', 'tfjs-matmul'],
  ['webgpu', 'webgpu-int8'],
  ['webgl', 'tfjs-matmul'],
] as const;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>recommend latency</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  window.bench = async (config, histories, warm) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const api = wrap(worker);
    try {
      const t0 = performance.now();
      const status = await api.init(config);
      const initMs = performance.now() - t0;
      const call = async (i) => { const t = performance.now(); const r = await api.recommend({ count: 10, recentItems: histories[i % histories.length] }); return [performance.now() - t, r]; };
      const [coldMs, first] = await call(0);
      const warmMs = [];
      for (let i = 1; i <= warm; i++) warmMs.push((await call(i))[0]);
      return { initMs, coldMs, warmMs, backend: first.backend, kernel: status.kernel, source: first.source, workerMs: first.workerMs };
    } finally { worker.terminate(); }
  };
  // The floor and the plain baseline, on this page's thread: read N×D int8 once (bandwidth) and a Float32Array scan.
  window.baseline = (n, d, reps) => {
    const f32 = new Float32Array(n * d);
    for (let i = 0; i < f32.length; i++) f32[i] = (i * 2654435761 % 1000) / 1000 - 0.5;
    const q = new Float32Array(d).map((_, i) => Math.sin(i));
    const times = [];
    let sink = 0;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      let best = new Float32Array(10).fill(-Infinity);
      for (let row = 0, base = 0; row < n; row++, base += d) {
        let s = 0;
        for (let c = 0; c < d; c++) s += f32[base + c] * q[c];
        if (s > best[9]) { best[9] = s; best.sort((a, b) => b - a); }
      }
      times.push(performance.now() - t);
      sink += best[0];
    }
    // Bandwidth: sum a 256 MiB Int32Array (more than any cache) several times; bytes / best time.
    const big = new Int32Array(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1024) big[i] = i;
    let bw = 0;
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      let acc = 0;
      for (let i = 0; i < big.length; i += 4) acc = (acc + big[i] + big[i + 1] + big[i + 2] + big[i + 3]) | 0;
      bw = Math.max(bw, big.byteLength / ((performance.now() - t) / 1000));
      sink += acc;
    }
    return { f32ScanMs: times, bandwidthBytesPerS: bw, sink };
  };
  window.pageReady = true;
</script>`;

const fixtures = new Map<number, Fixture>();
for (const n of sizes) fixtures.set(n, buildFixture({ items: n, dim: DIM, categories: 16, seed: 7 }));

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const send = (body: Uint8Array | string, type: string) => (res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }), res.end(body));
  try {
    if (path === '/') return send(PAGE, 'text/html');
    if (path === '/comlink.mjs') return send(await readFile(comlinkEsm), 'text/javascript');
    const m = /^\/models-(\d+)\/(.+)$/.exec(path);
    if (m) {
      const body = fixtures.get(Number(m[1]))?.files.get(m[2]!);
      if (body) return send(body, TYPES[extname(path)] ?? 'application/octet-stream');
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
const origin = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
const rows: Array<Record<string, unknown>> = [];
const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const lines = ['| items | backend / kernel | init ms | cold ms | warm p50 ms | warm p95 ms | worker ms (cold) |', '|---:|---|---:|---:|---:|---:|---:|'];
const baseLines = ['| items | Float32Array scan p50 ms (page) | int8 bytes | bandwidth GB/s | int8 floor ms | float32 floor ms |', '|---:|---:|---:|---:|---:|---:|'];
for (const n of sizes) {
  const fx = fixtures.get(n)!;
  const histories = [0, 1, 2, 3].map((h) => Array.from({ length: 5 }, (_, i) => fx.items[(h * 7919 + i * 104729) % n]!.id));
  for (const [backend, kernel] of COMBOS) {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
    try {
      const r = await page.evaluate(([c, h, w]) => (window as any).bench(c, h, w), [{ modelBaseUrl: `${origin}/models-${n}/`, backends: [backend], kernel }, histories, WARM] as const);
      const ok = r.backend === backend && r.kernel === kernel && r.source === 'model';
      rows.push({ items: n, backend, kernel, ok, initMs: r.initMs, coldMs: r.coldMs, warmP50: median(r.warmMs), warmP95: percentile(r.warmMs, 95), workerMs: r.workerMs });
      lines.push(`| ${n.toLocaleString('en')} | ${backend} / ${kernel}${ok ? '' : ` (ran ${r.backend}/${r.kernel})`} | ${f(r.initMs)} | ${f(r.coldMs)} | ${f(median(r.warmMs))} | ${f(percentile(r.warmMs, 95))} | ${r.workerMs === undefined ? '—' : f(r.workerMs)} |`);
    } catch (e) {
      lines.push(`| ${n.toLocaleString('en')} | ${backend} / ${kernel} | failed: ${String((e as Error).message).split('\n')[0]!.slice(0, 80)} | | | | |`);
    }
    await page.close();
    console.error(lines.at(-1));
  }
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
  const b = await page.evaluate(([nn, d]) => (window as any).baseline(nn, d, 7), [n, DIM] as const);
  await page.close();
  const bytes = n * DIM;
  const floorMs = (bytes / b.bandwidthBytesPerS) * 1000;
  rows.push({ items: n, baseline: 'float32-loop', p50: median(b.f32ScanMs), bandwidth: b.bandwidthBytesPerS, int8FloorMs: floorMs, f32FloorMs: floorMs * 4 });
  baseLines.push(`| ${n.toLocaleString('en')} | ${f(median(b.f32ScanMs))} | ${bytes.toLocaleString('en')} | ${(b.bandwidthBytesPerS / 1e9).toFixed(1)} | ${f(floorMs)} | ${f(floorMs * 4)} |`);
}
await browser.close();
server.close();

const m = machine();
console.log(`recommend() from the main thread to the result (top-10, ${DIM}-dim int8 catalog, 5-item history), ${WARM} warm calls; ${new Date().toISOString()}, ${m.cores} cores ${m.cpu}, ${m.chromium}\n`);
console.log(lines.join('\n'));
console.log('\nSame run, on the page thread: a plain Float32Array scan with a top-10, and the floor = catalog bytes / measured read bandwidth.\n');
console.log(baseLines.join('\n'));
if (opts.json) await writeFile(opts.json, JSON.stringify({ date: new Date().toISOString(), machine: m, rows }, null, 2));
