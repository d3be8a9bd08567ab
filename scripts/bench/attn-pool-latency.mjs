#!/usr/bin/env node
// recommend() latency in Chromium with a real 'attn-pool' model folder (e.g. models/runs/neural-diginetica):
//  1. from the page's main thread to the result, through comlink and the built worker (dist/edgewise), per
//     backend/kernel: init, the first call after init ("cold", in a fresh worker each time) and warm calls, with the
//     worker's own `workerMs` beside each;
//  2. the encoder's forward pass alone (packages/runtime/src/models/attn-pool-query.ts, bundled here with esbuild) and
//     the exact re-scoring of the scan's candidates, timed in a dedicated worker on the same folder's bytes, per
//     history length.
// Histories are random known items of the catalog (the cost depends on their number, not on which they are). The
// page is cross-origin isolated so performance.now() has 5 µs steps. No assertions: numbers only.
// Usage: node scripts/bench/attn-pool-latency.mjs [--model models/runs/neural-diginetica] [--combos default,wasm/wasm-simd-int8,cpu/js-int8]
//        [--workers 5] [--calls 200] [--history 10] [--lengths 1,10,50] [--repeat-bonus 1,0.5] [--json out.json]
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';
import { machine, median, percentile } from './stats.mjs';
import { startPageServer } from './page-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/edgewise');
const cacheDir = join(root, '.cache/bench');
const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/runs/neural-diginetica' },
    combos: { type: 'string', default: 'default,wasm/wasm-simd-int8,cpu/js-int8' },
    workers: { type: 'string', default: '5' },
    calls: { type: 'string', default: '200' },
    history: { type: 'string', default: '10' },
    lengths: { type: 'string', default: '1,10,50' },
    'repeat-bonus': { type: 'string', default: '' },
    json: { type: 'string', default: join(cacheDir, 'attn-pool-latency.json') },
  },
});
const modelDir = resolve(root, opts.model);
const WORKERS = Number(opts.workers);
const CALLS = Number(opts.calls);
const HISTORY = Number(opts.history);
const LENGTHS = opts.lengths.split(',').map(Number);
const COMBOS = opts.combos.split(',').filter(Boolean);
const K = 20;

if (!existsSync(join(dist, 'edgewise-worker.js'))) {
  console.error('[attn-pool-latency] dist/edgewise is not built: run `npm run build` first');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
if (manifest.kind !== 'attn-pool') {
  console.error(`[attn-pool-latency] ${modelDir} is a '${manifest.kind}' model, not 'attn-pool'`);
  process.exit(2);
}
// The manifest is not covered by a digest, so a bonus can be added here to time that path too.
if (opts['repeat-bonus']) manifest.contract.repeatBonus = opts['repeat-bonus'].split(',').map(Number);
mkdirSync(cacheDir, { recursive: true });
// The built files, read once: the working tree is shared, and a build elsewhere empties dist/ while it runs.
const distFiles = new Map(readdirSync(dist).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => [f, readFileSync(join(dist, f))]));
const modelFiles = new Map([
  ['index.json', JSON.stringify({ format: 'edgewise-model-index', models: [{ task: 'recommend', path: 'recommend', version: manifest.version }], domains: { category: [] } })],
  ['recommend/manifest.json', JSON.stringify(manifest)],
  ...manifest.files.map((f) => [`recommend/${f.path}`, readFileSync(join(modelDir, f.path))]),
]);
const ids = JSON.parse(readFileSync(join(modelDir, manifest.contract.items ?? 'items.json'), 'utf8')).map((v) => (typeof v === 'string' ? v : v.id));

// The forward-pass worker: the runtime's own model builder and encoder, nothing else.
const forwardWorker = (
  await build({
    stdin: {
      contents: `
        import { buildRecommendModel } from './packages/runtime/src/models/recommend-model.ts';
        import { attnPoolQuery, attnPoolScore } from './packages/runtime/src/models/attn-pool-query.ts';
        onmessage = async (e) => {
          const { base, lengths, reps, candidates } = e.data;
          const manifest = await (await fetch(base + 'recommend/manifest.json')).json();
          const files = new Map();
          for (const f of manifest.files) files.set(f.path, await (await fetch(base + 'recommend/' + f.path)).arrayBuffer());
          let t = performance.now();
          const model = buildRecommendModel(manifest, files);
          const buildMs = performance.now() - t;
          const net = model.attnPool;
          let seed = 7;
          const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
          const out = { buildMs, forward: [], rescore: [] };
          const scratch = new Float32Array(model.dim);
          for (const len of lengths) {
            const n = Math.min(len, net.maxLen);
            const histories = Array.from({ length: reps }, () => Int32Array.from({ length: n }, () => Math.floor(rnd() * model.size)));
            const samples = [];
            let sink = 0;
            // One sample = 20 queries (a single one is a few timer steps); per-query µs = sample / 20.
            for (let i = 0; i + 20 <= reps; i += 20) {
              t = performance.now();
              for (let j = i; j < i + 20; j++) sink += attnPoolQuery(model, net, histories[j])[0];
              samples.push(((performance.now() - t) / 20) * 1000);
            }
            const rows = Array.from({ length: candidates }, () => Math.floor(rnd() * model.size));
            const q = attnPoolQuery(model, net, histories[0]);
            const rs = [];
            // One sample = 50 re-scorings of all candidates, for the same reason.
            for (let i = 0; i < 100; i++) {
              t = performance.now();
              for (let j = 0; j < 50; j++) for (const r of rows) sink += attnPoolScore(model, net, q, r, scratch);
              rs.push(((performance.now() - t) / 50) * 1000);
            }
            out.forward.push({ length: n, samples, sink });
            out.rescore.push({ length: n, samples: rs });
          }
          postMessage(out);
        };`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, format: 'iife', target: 'es2020', write: false, minify: true, tsconfig: join(root, 'tsconfig.json'), logLevel: 'error',
  })
).outputFiles[0].contents;
const comlinkEsm = readFileSync(join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs'));

const PAGE = `<!doctype html><meta charset="utf-8"><title>attn-pool latency</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  window.e2e = async (config, histories, calls) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const api = wrap(worker);
    try {
      const t0 = performance.now();
      const status = await api.init(config);
      const initMs = performance.now() - t0;
      const call = async (i) => { const t = performance.now(); const r = await api.recommend({ count: ${K}, recentItems: histories[i % histories.length] }); return [performance.now() - t, r]; };
      const [coldMs, first] = await call(0);
      const warmMs = [], workerMs = [], sources = {};
      for (let i = 1; i <= calls; i++) { const [ms, r] = await call(i); warmMs.push(ms); workerMs.push(r.workerMs); sources[r.source] = (sources[r.source] ?? 0) + 1; }
      const after = await api.status();
      return { initMs, coldMs, coldWorkerMs: first.workerMs, warmMs, workerMs, sources, backend: first.backend, kernel: status.kernel, items: first.items.length, errors: after.errors, initParts: after.initMs ?? null };
    } finally { worker.terminate(); }
  };
  window.forward = (lengths, reps, candidates) => new Promise((resolve, reject) => {
    const w = new Worker('/bench/forward-worker.js');
    w.onmessage = (e) => { w.terminate(); resolve(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
    w.postMessage({ base: new URL('/models/', location.href).href, lengths, reps, candidates });
  });
  window.pageReady = true;
</script>`;

const server = await startPageServer({
  page: PAGE,
  files: (path) =>
    path === '/comlink.mjs' ? comlinkEsm
    : path === '/bench/forward-worker.js' ? forwardWorker
    : path.startsWith('/models/') ? modelFiles.get(path.slice('/models/'.length))
    : path.startsWith('/edgewise/') ? distFiles.get(path.slice('/edgewise/'.length))
    : null,
});
const { origin } = server;

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
const fresh = async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.pageReady === true);
  return { page, close: () => context.close() };
};
const log = (line) => console.error(`[attn-pool-latency] ${line}`);
const f = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));

let seed = 11;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const histories = Array.from({ length: 64 }, () => Array.from({ length: HISTORY }, () => ids[Math.floor(rnd() * ids.length)]));
const result = { date: new Date().toISOString(), machine: machine(), model: opts.model, items: ids.length, dim: manifest.contract.dim, maxLen: manifest.contract.maxLen, repeatBonus: manifest.contract.repeatBonus ?? null, k: K, history: HISTORY, e2e: [], forward: null };

try {
  for (const combo of COMBOS) {
    const [backend, kernel] = combo === 'default' ? [null, null] : combo.split('/');
    const config = { modelBaseUrl: `${origin}/models/`, ...(backend ? { backends: [backend], kernel } : {}) };
    const runs = [];
    for (let w = 0; w < WORKERS; w++) {
      const { page, close } = await fresh();
      try {
        runs.push(await page.evaluate(([c, h, n]) => window.e2e(c, h, n), [config, histories, CALLS]));
      } finally {
        await close();
      }
    }
    const warm = runs.flatMap((r) => r.warmMs);
    const inWorker = runs.flatMap((r) => r.workerMs);
    const cold = runs.map((r) => r.coldMs);
    const row = {
      combo, backend: runs[0].backend, kernel: runs[0].kernel, workers: runs.length,
      initP50: median(runs.map((r) => r.initMs)), coldP50: median(cold), coldMax: Math.max(...cold), coldWorkerP50: median(runs.map((r) => r.coldWorkerMs)),
      warmP50: median(warm), warmP95: percentile(warm, 95), warmWorkerP50: median(inWorker), warmWorkerP95: percentile(inWorker, 95), calls: warm.length,
      sources: runs.reduce((acc, r) => { for (const [k, v] of Object.entries(r.sources)) acc[k] = (acc[k] ?? 0) + v; return acc; }, {}),
      errors: runs.flatMap((r) => r.errors), initParts: runs.map((r) => r.initParts),
    };
    result.e2e.push(row);
    log(`${combo} → ${row.backend}/${row.kernel}: init p50 ${f(row.initP50)} ms, cold p50 ${f(row.coldP50)} ms (max ${f(row.coldMax)}), warm p50 ${f(row.warmP50)} / p95 ${f(row.warmP95)} ms, in worker p50 ${f(row.warmWorkerP50)} ms; sources ${JSON.stringify(row.sources)}${row.errors.length ? `; errors ${JSON.stringify(row.errors)}` : ''}`);
  }
  const { page, close } = await fresh();
  try {
    const fw = await page.evaluate(([l, n, c]) => window.forward(l, n, c), [LENGTHS, 2000, K + 8]);
    result.forward = {
      buildMs: fw.buildMs,
      rows: fw.forward.map((x, i) => ({ length: x.length, p50Us: median(x.samples), p95Us: percentile(x.samples, 95), rescoreP50Us: median(fw.rescore[i].samples), rescoreRows: K + 8 })),
    };
    log(`model build in a worker ${f(fw.buildMs)} ms; forward ${result.forward.rows.map((r) => `len ${r.length}: p50 ${f(r.p50Us)} µs`).join(', ')}`);
  } finally {
    await close();
  }
} finally {
  await browser.close();
  server.close();
}

const m = result.machine;
const out = [];
out.push(`attn-pool-latency: ${result.date}, ${m.cores} cores (${m.cpu}), ${m.chromium}, headless, cross-origin isolated (5 µs timer); model ${result.model} (${result.items.toLocaleString('en')} items × ${result.dim} int8, maxLen ${result.maxLen}${result.repeatBonus ? `, repeatBonus ${JSON.stringify(result.repeatBonus)}` : ''}); top-${K}, ${HISTORY}-item histories.`);
out.push('', `recommend() from the page's main thread to the result (built worker via comlink; cold = first call after init, one per fresh worker, ${WORKERS} workers; warm = ${CALLS} calls per worker):`, '');
out.push('| asked | ran | init p50 ms | cold p50 ms (max) | cold in worker p50 ms | warm p50 ms | warm p95 ms | warm in worker p50 / p95 ms | calls |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of result.e2e) out.push(`| ${r.combo} | ${r.backend}/${r.kernel} | ${f(r.initP50)} | ${f(r.coldP50)} (${f(r.coldMax)}) | ${f(r.coldWorkerP50)} | ${f(r.warmP50)} | ${f(r.warmP95)} | ${f(r.warmWorkerP50)} / ${f(r.warmWorkerP95)} | ${r.calls} |`);
if (result.forward) {
  out.push('', `The encoder alone in a worker (attnPoolQuery: history rows → unit query), and the exact re-scoring of the scan's ${K + 8} candidates; model build (validation + dequantization, after download) ${f(result.forward.buildMs)} ms:`, '');
  out.push('| history length | forward p50 µs | forward p95 µs | re-score p50 µs |', '|---:|---:|---:|---:|');
  for (const r of result.forward.rows) out.push(`| ${r.length} | ${f(r.p50Us)} | ${f(r.p95Us)} | ${f(r.rescoreP50Us)} |`);
}
console.log(out.join('\n'));
writeFileSync(opts.json, JSON.stringify(result, null, 2));
log(`JSON written to ${opts.json}`);
