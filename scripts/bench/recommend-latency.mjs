#!/usr/bin/env node
// Catalog scan and recommend() latency in Chromium (issue 5), in one run on this machine:
//  1. the scan alone, inside a dedicated worker, per kernel (wasm-simd-int8, js-int8, webgpu-int8, tfjs-matmul on
//     its backends) at each catalog size, next to a plain Float32Array loop, a WASM SIMD read of exactly the
//     catalog's bytes (the floor any scan of them has) and a 256 MiB read (memory bandwidth → the issue's floor =
//     catalog bytes / bandwidth). Kernels are the runtime's own classes (packages/runtime/bench/scan-worker.ts,
//     bundled here with esbuild); tfjs is the shipped dist/edgewise/edgewise-tfjs.js.
//  2. recommend() from the page's main thread to the result, through comlink and the built worker
//     (dist/edgewise/edgewise-worker.js), per backend/kernel and with the default choice, on synthetic models in the
//     shipped format (manifest, SHA-256s, items.json), cold (first call after init) and warm.
// The page is served cross-origin isolated (COOP + COEP) so performance.now() has 5 µs steps instead of 100 µs;
// that also lets tfjs-wasm use threads (noted in the output). No assertions: numbers only.
// Usage: node scripts/bench/recommend-latency.mjs [--sizes 1000,10000,100000,1000000] [--reps 50] [--e2e-reps 30]
//        [--warm N (= --e2e-reps)] [--kernels a,b] [--combos backend/kernel,...] [--skip scan,e2e,bytes,memory]
//        [--cold-delay-ms N] [--no-isolation] [--json out.json]
// onnxruntime-web rows (ort-wasm, ort-wasm-2t) need ../shared/tools/peer-bench installed (`npm ci` there).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';
import { machine, median, percentile } from './stats.mjs';
import { startPageServer } from './page-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/edgewise');
const cacheDir = join(root, '.cache/bench');
// onnxruntime-web, when ../shared/tools/peer-bench has been installed (`npm ci` there): same run, same catalog.
const peerBench = resolve(root, '../shared/tools/peer-bench');
const ortDist = join(peerBench, 'node_modules/onnxruntime-web/dist');
const HAVE_ORT = existsSync(join(ortDist, 'ort.wasm.min.js')) && existsSync(join(peerBench, 'pages/onnx-model.js'));
if (!HAVE_ORT) console.error('[recommend-latency] onnxruntime-web not found (cd ../shared/tools/peer-bench && npm ci): its rows are skipped');
const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000,1000000' },
    reps: { type: 'string', default: '50' },
    'e2e-reps': { type: 'string', default: '30' },
    warm: { type: 'string' }, // the older recommend-latency.ts's name for --e2e-reps, as run.mjs passes it
    kernels: { type: 'string', default: 'wasm-simd-int8,wasm-simd-int8-2t,js-int8,webgpu-int8,tfjs-matmul@wasm,tfjs-matmul@cpu,tfjs-matmul@webgl,tfjs-matmul@webgpu,float32-loop,ort-wasm,ort-wasm-2t' },
    combos: { type: 'string', default: 'default,wasm/wasm-simd-int8,cpu/js-int8,webgpu/webgpu-int8,wasm/tfjs-matmul' },
    skip: { type: 'string', default: '' },
    'no-isolation': { type: 'boolean', default: false },
    'budget-ms': { type: 'string', default: '4000' },
    'cold-delay-ms': { type: 'string', default: '0' }, // idle time between init and the first recommend()
    json: { type: 'string', default: join(cacheDir, 'recommend-latency.json') },
  },
});
const SIZES = opts.sizes.split(',').map(Number);
const REPS = Number(opts.reps);
const E2E_REPS = Number(opts.warm ?? opts['e2e-reps']);
const BUDGET_MS = Number(opts['budget-ms']);
const KERNELS = opts.kernels.split(',').filter(Boolean).filter((k) => HAVE_ORT || !k.startsWith('ort-'));
const COMBOS = opts.combos.split(',').filter(Boolean);
const SKIP = new Set(opts.skip.split(',').filter(Boolean));
const ISOLATED = !opts['no-isolation'];
const DIM = 64;
const CATEGORIES = 16;
/** GPU paths emulated on the CPU here (SwiftShader): at most this many warm calls each, they take up to seconds. */
const SLOW_REPS = 8;
const SLOW = (name) => /webgpu|webgl/.test(name);

if (!existsSync(join(dist, 'edgewise-worker.js')) || !existsSync(join(dist, 'edgewise-tfjs.js'))) {
  console.error('[recommend-latency] dist/edgewise is not built: run `npm run build` (or EDGEWISE_BUILD_ONLY=runtime npx rollup -c) first');
  process.exit(2);
}
mkdirSync(cacheDir, { recursive: true });
// The built files, read once: the working tree is shared, and a build elsewhere empties dist/ while it runs.
const distFiles = new Map(readdirSync(dist).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => [f, readFileSync(join(dist, f))]));

// The benchmark worker, and the fixture builder (TypeScript, shared with the tests) for Node.
const benchWorker = (
  await build({
    entryPoints: [join(root, 'packages/runtime/bench/scan-worker.ts')],
    bundle: true, format: 'iife', target: 'es2020', write: false, minify: true, tsconfig: join(root, 'tsconfig.json'), logLevel: 'error',
  })
).outputFiles[0].contents;
const fixtureModule = join(cacheDir, 'fixture-model.mjs');
await build({
  entryPoints: [join(root, 'packages/runtime/src/test-support/fixture-model.ts')],
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: fixtureModule, tsconfig: join(root, 'tsconfig.json'), logLevel: 'error',
});
const { buildFixture } = await import(pathToFileURL(fixtureModule).href);
const comlinkEsm = readFileSync(join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs'));

const PAGE = `<!doctype html><meta charset="utf-8"><title>recommend latency</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  window.scanBench = async (n, d, categories, kernels, reps, slowReps, budgetMs) => {
    const worker = new Worker('/bench/scan-worker.js');
    const api = wrap(worker);
    try {
      const { bytes } = await api.setup(n, d, categories, 7);
      const base = new URL('/edgewise/', location.href).href;
      const timings = [];
      for (const k of kernels) timings.push(await api.time(k, /webgpu|webgl/.test(k) ? slowReps : reps, budgetMs, base));
      const floors = await api.floors(bytes, reps);
      return { bytes, timings, floors };
    } finally { worker.terminate(); }
  };
  window.e2eBench = async (config, histories, reps, measureMemory, coldDelayMs = 0) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const api = wrap(worker);
    try {
      const t0 = performance.now();
      const status = await api.init(config);
      const initMs = performance.now() - t0;
      if (coldDelayMs) await sleep(coldDelayMs);
      const call = async (i) => { const t = performance.now(); const r = await api.recommend({ count: 10, recentItems: histories[i % histories.length] }); return [performance.now() - t, r]; };
      const [coldMs, first] = await call(0);
      const warmMs = [], workerMs = [];
      for (let i = 1; i <= reps; i++) { const [ms, r] = await call(i); warmMs.push(ms); workerMs.push(r.workerMs); }
      // Memory of the worker (its attribution in the UA's measurement: JS heap, typed arrays, WASM memory) and of the page.
      let memory = null;
      if (measureMemory && self.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
        try {
          const m = await Promise.race([performance.measureUserAgentSpecificMemory(), sleep(20000).then(() => null)]);
          if (m) memory = { total: m.bytes, worker: m.breakdown.filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')).reduce((t, b) => t + b.bytes, 0) };
        } catch {}
      }
      const after = await api.status();
      return { initMs, coldMs, coldWorkerMs: first.workerMs, warmMs, workerMs, memory, accounted: after.memoryBytes ?? null, initParts: after.initMs ?? null, backend: first.backend, source: first.source, items: first.items.length, kernel: status.kernel, errors: after.errors, probed: status.probed };
    } finally { worker.terminate(); }
  };
  window.pageReady = true;
</script>`;

const fixtures = new Map();
const server = await startPageServer({
  page: PAGE,
  isolated: ISOLATED,
  files: (path) => {
    if (path === '/comlink.mjs') return comlinkEsm;
    if (path === '/bench/scan-worker.js') return benchWorker;
    if (HAVE_ORT && path === '/ort-model.js') return readFileSync(join(peerBench, 'pages/onnx-model.js'));
    if (HAVE_ORT && /^\/ort\/ort[\w.-]*\.(m?js|wasm)$/.test(path)) return readFileSync(join(ortDist, path.slice(5)));
    const m = /^\/models-(\d+)\/(.+)$/.exec(path);
    if (m) return fixtures.get(Number(m[1]))?.files.get(m[2]);
    return path.startsWith('/edgewise/') ? distFiles.get(path.slice('/edgewise/'.length)) : null;
  },
});
const { origin } = server;

// One browser for the whole run; each measurement gets a fresh page (and so a fresh worker and Cache Storage).
const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS, '--enable-blink-features=ForceEagerMeasureMemory'] });
const fresh = async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.pageReady === true);
  return { page, close: () => context.close() };
};

const f = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));
const n0 = (n) => n.toLocaleString('en');
const result = { date: new Date().toISOString(), machine: machine(), isolated: ISOLATED, dim: DIM, k: 10, scan: [], floors: [], e2e: [] };
const log = (line) => console.error(`[recommend-latency] ${line}`);

// Bytes: what the worker ships against the full tfjs build a page would otherwise load in it.
if (!SKIP.has('bytes')) {
  const sizes = (name, buf) => ({
    name, min: buf.byteLength,
    gzip: gzipSync(buf, { level: 9 }).byteLength,
    brotli: brotliCompressSync(buf, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  });
  const full = (await build({
    stdin: { contents: ['core', 'backend-cpu', 'backend-webgl', 'backend-wasm', 'backend-webgpu'].map((p) => `import '@tensorflow/tfjs-${p}';`).join('\n'), resolveDir: root },
    bundle: true, format: 'iife', platform: 'browser', target: 'es2020', minify: true, write: false, logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' }, external: ['fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks'],
  })).outputFiles[0].contents;
  result.bytes = [
    sizes('`edgewise-worker.js` (loading, verification, own int8 kernels, backend chain, 4 tasks)', distFiles.get('edgewise-worker.js')),
    sizes('`edgewise-tfjs.js` (custom build: core base + 6 kernels × 4 backends; fetched only when a tfjs kernel runs)', distFiles.get('edgewise-tfjs.js')),
    sizes('tfjs-core + cpu, webgl, wasm, webgpu backends, full (esbuild --minify)', full),
  ];
  log(`bytes: ${result.bytes.map((b) => `${b.name.split(' ')[0]} ${(b.gzip / 1024).toFixed(1)} KB gzip`).join(', ')}`);
}


try {
  for (const n of SIZES) {
    if (!SKIP.has('scan')) {
      const { page, close } = await fresh();
      try {
        const r = await page.evaluate(([nn, d, c, k, reps, slow, budget]) => window.scanBench(nn, d, c, k, reps, slow, budget), [n, DIM, CATEGORIES, KERNELS, REPS, SLOW_REPS, BUDGET_MS]);
        const fl = r.floors;
        const floorMs = (r.bytes / fl.streamBytesPerS) * 1000;
        result.floors.push({ items: n, catalogBytes: r.bytes, streamGBps: fl.streamBytesPerS / 1e9, int8FloorMs: floorMs, float32FloorMs: floorMs * 4, catalogReadP50Ms: median(fl.catalogReadMs), timerResolutionMs: fl.timerResolutionMs, crossOriginIsolated: fl.crossOriginIsolated });
        for (const t of r.timings) {
          const row = { items: n, kernel: t.kernel, createMs: t.createMs, firstMs: t.firstMs, p50: median(t.samples), p95: percentile(t.samples, 95), scans: t.samples.length, residentBytes: t.residentBytes ?? null, note: t.note ?? null, error: t.error ?? null, samples: t.samples };
          result.scan.push(row);
          log(`scan ${n0(n)} ${t.kernel}: ${t.error ? `failed: ${t.error}` : `p50 ${f(row.p50)} ms, p95 ${f(row.p95)} ms (${row.scans} scans)`}`);
        }
        log(`floors ${n0(n)}: stream ${(fl.streamBytesPerS / 1e9).toFixed(1)} GB/s → int8 floor ${f(floorMs)} ms; catalog read p50 ${f(median(fl.catalogReadMs))} ms; timer ${fl.timerResolutionMs} ms`);
      } catch (e) {
        log(`scan ${n0(n)} failed: ${String(e.message).split('\n')[0]}`);
      } finally {
        await close();
      }
    }
    if (!SKIP.has('e2e')) {
      const fx = buildFixture({ items: n, dim: DIM, categories: CATEGORIES, seed: 7 });
      fixtures.set(n, fx);
      const histories = [0, 1, 2, 3].map((h) => Array.from({ length: 5 }, (_, i) => fx.items[(h * 7919 + i * 104729) % n].id));
      for (const combo of COMBOS) {
        const [backend, kernel] = combo === 'default' ? [null, null] : combo.split('/');
        const config = { modelBaseUrl: `${origin}/models-${n}/`, ...(backend ? { backends: [backend], kernel } : {}) };
        const reps = SLOW(combo) ? SLOW_REPS : E2E_REPS;
        const { page, close } = await fresh();
        try {
          const r = await page.evaluate(([c, h, reps, mem]) => window.e2eBench(c, h, reps, mem), [config, histories, reps, !SKIP.has('memory'), Number(opts['cold-delay-ms'])]);
          const ok = r.source === 'model' && r.items === 10 && (!backend || (r.backend === backend && r.kernel === kernel));
          const row = { items: n, combo, backend: r.backend, kernel: r.kernel, ok, initMs: r.initMs, coldMs: r.coldMs, coldWorkerMs: r.coldWorkerMs, p50: median(r.warmMs), p95: percentile(r.warmMs, 95), workerP50: median(r.workerMs), calls: r.warmMs.length, memory: r.memory, accounted: r.accounted, initParts: r.initParts, errors: r.errors };
          result.e2e.push(row);
          log(`e2e ${n0(n)} ${combo} → ${r.backend}/${r.kernel}: init ${f(r.initMs)} ms, cold ${f(r.coldMs)} ms, warm p50 ${f(row.p50)} ms${ok ? '' : ' (NOT the requested kernel or no model answer)'}`);
        } catch (e) {
          result.e2e.push({ items: n, combo, ok: false, error: String(e.message).split('\n')[0].slice(0, 200) });
          log(`e2e ${n0(n)} ${combo} failed: ${String(e.message).split('\n')[0]}`);
        } finally {
          await close();
        }
      }
      fixtures.delete(n);
    }
  }
} finally {
  await browser.close();
  server.close();
}

// Markdown for BENCHMARKS.md (run.mjs keeps the table lines).
const m = result.machine;
const out = [];
out.push(`recommend-latency: ${result.date}, ${m.cores} cores (${m.cpu}), ${m.chromium}, headless; page ${ISOLATED ? 'cross-origin isolated (5 µs timer)' : 'not isolated (100 µs timer)'}; top-10 over N × ${DIM} int8.`);
if (result.scan.length) {
  out.push('', 'Catalog scan inside the worker (ms; "first" = first scan after the kernel came up; × floor = p50 / int8 floor):', '');
  out.push('| items | kernel | up ms | first ms | p50 ms | p95 ms | × floor | scans |', '|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of result.scan) {
    const fl = result.floors.find((x) => x.items === r.items);
    if (r.error) out.push(`| ${n0(r.items)} | ${r.kernel} | failed: ${r.error.slice(0, 60)} | | | | | |`);
    else out.push(`| ${n0(r.items)} | ${r.kernel}${SLOW(r.kernel) ? ' (SwiftShader)' : ''} | ${f(r.createMs)} | ${f(r.firstMs)} | ${f(r.p50)} | ${f(r.p95)} | ${fl ? (r.p50 / fl.int8FloorMs).toFixed(1) : '—'} | ${r.scans} |`);
  }
  out.push('', 'Floors from the same run (WASM SIMD sequential reads in the same worker):', '');
  out.push('| items | int8 catalog bytes | 256 MiB read GB/s | int8 floor ms (bytes / bandwidth) | float32 floor ms | read of the catalog bytes, warm, p50 ms |', '|---:|---:|---:|---:|---:|---:|');
  for (const r of result.floors) out.push(`| ${n0(r.items)} | ${n0(r.catalogBytes)} | ${r.streamGBps.toFixed(1)} | ${f(r.int8FloorMs)} | ${f(r.float32FloorMs)} | ${f(r.catalogReadP50Ms)} |`);
}
if (result.e2e.length) {
  out.push('', 'recommend() from the page\'s main thread to the result (built worker via comlink, 5-item history, top-10):', '');
  out.push('Worker memory: its JS heap from `performance.measureUserAgentSpecificMemory()` (attributed to the worker; the catalog items live there), which does not count ArrayBuffers or WASM memory; those come from the worker\'s own `status().memoryBytes`: the model\'s buffers + the kernel\'s copy of the table.', '');
  out.push('| items | asked | ran | init ms | cold ms (in worker) | warm p50 ms | warm p95 ms | in-worker p50 ms | worker JS heap MB | model + kernel buffers MB | worker total MB |', '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const mb = (b) => (b === null || b === undefined ? '—' : (b / 2 ** 20).toFixed(1));
  for (const r of result.e2e) {
    if (r.error) out.push(`| ${n0(r.items)} | ${r.combo} | failed: ${r.error.slice(0, 60)} | | | | | | | | |`);
    else {
      const total = r.memory?.worker != null && r.accounted ? r.memory.worker + r.accounted.catalog + r.accounted.kernel : null;
      out.push(`| ${n0(r.items)} | ${r.combo} | ${r.backend}/${r.kernel}${r.ok ? '' : ' ⚠'} | ${f(r.initMs)} | ${f(r.coldMs)} (${f(r.coldWorkerMs)}) | ${f(r.p50)} | ${f(r.p95)} | ${f(r.workerP50)} | ${mb(r.memory?.worker)} | ${r.accounted ? `${mb(r.accounted.catalog)} + ${mb(r.accounted.kernel)}` : '—'} | ${mb(total)} |`);
    }
  }
}
if (result.bytes) {
  out.push('', 'Worker bytes (min / gzip -9 / brotli q11, KB): the shipped worker and its lazily loaded tfjs part against tfjs-core + the four backends as published (esbuild, minified):', '');
  out.push('| artifact | min KB | gzip KB | brotli KB |', '|---|---:|---:|---:|');
  for (const b of result.bytes) out.push(`| ${b.name} | ${(b.min / 1024).toFixed(1)} | ${(b.gzip / 1024).toFixed(1)} | ${(b.brotli / 1024).toFixed(1)} |`);
}
const scan100k = result.scan.find((r) => r.items === 100_000 && r.kernel === 'wasm-simd-int8');
const e2e100k = result.e2e.find((r) => r.items === 100_000 && r.combo === 'default');
if (scan100k || e2e100k) {
  out.push('', 'Goals (issue 5):', '');
  out.push('| goal | target | measured |', '|---|---:|---:|');
  if (scan100k) out.push(`| 100k scan p50 (wasm-simd-int8) | ≤ 0.65 ms | ${f(scan100k.p50)} ms |`);
  if (e2e100k) out.push(`| recommend() e2e at 100k, p50 (default choice: ${e2e100k.backend}/${e2e100k.kernel}) | ≤ 3 ms | ${f(e2e100k.p50)} ms |`);
}
console.log(out.join('\n'));
writeFileSync(opts.json, JSON.stringify(result, null, 2));
log(`JSON written to ${opts.json}`);
