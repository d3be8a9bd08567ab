#!/usr/bin/env node
// intent(), understand() and segment() latency in Chromium (issue 5), on the demo shop's shipped models
// (models/artifacts/demo) and the built worker (dist/edgewise/edgewise-worker.js): for each task, `--calls`
// sequential calls from the page's main thread through comlink after a warm-up, timing the round trip on the page and
// reading the worker's own `workerMs` from each answer. Inputs vary per call: the sessions and texts of the test
// vectors the training commands wrote beside the models (for understand, short texts and one 1,280-character
// message apart). The page is cross-origin isolated, so performance.now() has 5 µs steps (100 µs otherwise).
// No assertions: numbers only.
// Usage: node scripts/bench/task-latency.mjs [--calls 300] [--warmup 30] [--runs 3] [--no-isolation] [--json out.json]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';
import { machine, median, percentile } from './stats.mjs';
import { startPageServer } from './page-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/edgewise');
const models = join(root, 'models/artifacts/demo');
const cacheDir = join(root, '.cache/bench');
const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    runs: { type: 'string', default: '3' },
    'no-isolation': { type: 'boolean', default: false },
    json: { type: 'string', default: join(cacheDir, 'task-latency.json') },
  },
});
const CALLS = Number(opts.calls);
const WARMUP = Number(opts.warmup);
const RUNS = Number(opts.runs);
const ISOLATED = !opts['no-isolation'];
/** understand texts longer than this are timed as "long messages", apart from search-box-sized ones. */
const SHORT_TEXT_MAX_CHARS = 200;

if (!existsSync(join(dist, 'edgewise-worker.js'))) {
  console.error('[task-latency] dist/edgewise is not built: run `npm run build` (or EDGEWISE_BUILD_ONLY=runtime npx rollup -c) first');
  process.exit(2);
}
const index = JSON.parse(readFileSync(join(models, 'index.json'), 'utf8'));
for (const task of ['intent', 'understand', 'segment']) {
  if (!index.models.some((m) => m.task === task)) {
    console.error(`[task-latency] ${models}/index.json lists no ${task} model: run npm run train:demo`);
    process.exit(2);
  }
}
mkdirSync(cacheDir, { recursive: true });
const vectors = (task) => JSON.parse(readFileSync(join(models, task, 'test-vectors.json'), 'utf8'));

/** An SDK session with the given UCI-kind pages and seconds (protocol deviceInputFromSession maps it back). */
function sessionOf(input) {
  let start = new Date(2026, Math.max(0, Math.min(11, input.month | 0)), 1, 12);
  while (start.getDay() !== (input.weekend ? 6 : 3)) start = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1, 12);
  return {
    sessionId: 'bench', startedAt: start.getTime(), lastEventAt: start.getTime() + 60_000,
    pageCounts: { product: input.productPages, cart: input.adminPages, info: input.infoPages },
    pageSeconds: { product: input.productSeconds, cart: input.adminSeconds, info: input.infoSeconds },
    productViews: input.productPages, addToCarts: 0, searches: 0,
  };
}
const sessions = vectors('intent').map((v) => ({ session: sessionOf(v.input), returningVisitor: v.input.visitor === 'returning' }));
const texts = vectors('understand').map((v) => v.text);
const WORKLOADS = [
  { name: 'intent', method: 'intent', args: sessions },
  { name: 'segment', method: 'segment', args: sessions.map((s) => ({ session: s.session })) },
  { name: `understand, texts ≤ ${SHORT_TEXT_MAX_CHARS} chars`, method: 'understand', args: texts.filter((t) => t.length <= SHORT_TEXT_MAX_CHARS) },
  { name: `understand, long message`, method: 'understand', args: texts.filter((t) => t.length > SHORT_TEXT_MAX_CHARS) },
];

const comlinkEsm = readFileSync(join(dirname(createRequire(import.meta.url).resolve('comlink/package.json')), 'dist/esm/comlink.mjs'));
const PAGE = `<!doctype html><meta charset="utf-8"><title>task latency</title>
<script type="module">
  import { wrap } from '/comlink.mjs';
  window.taskBench = async (config, workloads, calls, warmup) => {
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const api = wrap(worker);
    try {
      const t0 = performance.now();
      const status = await api.init(config);
      const initMs = performance.now() - t0;
      const out = [];
      for (const w of workloads) {
        const once = async (i) => { const t = performance.now(); const r = await api[w.method](w.args[i % w.args.length]); return [performance.now() - t, r.workerMs]; };
        const [coldMs] = await once(0);
        for (let i = 1; i <= warmup; i++) await once(i);
        const roundTripMs = [], workerMs = [];
        for (let i = 0; i < calls; i++) { const [ms, inWorker] = await once(i); roundTripMs.push(ms); workerMs.push(inWorker); }
        out.push({ name: w.name, coldMs, roundTripMs, workerMs, inputs: w.args.length });
      }
      return { initMs, models: status.models, errors: status.errors, timerStepMs: (() => { let a = performance.now(), b; while ((b = performance.now()) === a); return b - a; })(), isolated: self.crossOriginIsolated, out };
    } finally { worker.terminate(); }
  };
  window.pageReady = true;
</script>`;

const serveFrom = (base, rel) => {
  const file = normalize(join(base, rel));
  return file.startsWith(base) && existsSync(file) ? readFileSync(file) : null;
};
const server = await startPageServer({
  page: PAGE,
  isolated: ISOLATED,
  files: (path) =>
    path === '/comlink.mjs' ? comlinkEsm
    : path.startsWith('/models/') ? serveFrom(models, path.slice('/models/'.length))
    : path.startsWith('/edgewise/') ? serveFrom(dist, path.slice('/edgewise/'.length))
    : null,
});
const { origin } = server;

const f = (x) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const log = (line) => console.error(`[task-latency] ${line}`);
const result = { date: new Date().toISOString(), machine: machine(), isolated: ISOLATED, calls: CALLS, warmup: WARMUP, runs: RUNS, versions: Object.fromEntries(index.models.map((m) => [m.task, m.version])), initMs: [], timerStepMs: null, tasks: [] };

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
try {
  const pooled = new Map();
  // Each run is a fresh context: a fresh worker, and the model files downloaded and verified again (no cache).
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => window.pageReady === true);
      const r = await page.evaluate(([c, w, calls, warmup]) => window.taskBench(c, w, calls, warmup), [{ modelBaseUrl: `${origin}/models/` }, WORKLOADS, CALLS, WARMUP]);
      if (r.errors.length) throw new Error(`init reported ${JSON.stringify(r.errors)}`);
      result.initMs.push(r.initMs);
      result.timerStepMs = r.timerStepMs;
      for (const t of r.out) {
        const p = pooled.get(t.name) ?? { name: t.name, inputs: t.inputs, coldMs: [], roundTripMs: [], workerMs: [] };
        p.coldMs.push(t.coldMs);
        p.roundTripMs.push(...t.roundTripMs);
        p.workerMs.push(...t.workerMs);
        pooled.set(t.name, p);
        log(`run ${run + 1}: ${t.name}: round trip p50 ${f(median(t.roundTripMs))} ms, p95 ${f(percentile(t.roundTripMs, 95))} ms; in worker p50 ${f(median(t.workerMs))} ms`);
      }
    } finally {
      await context.close();
    }
  }
  for (const p of pooled.values()) {
    result.tasks.push({
      name: p.name, inputs: p.inputs, calls: p.roundTripMs.length, coldMs: median(p.coldMs),
      roundTrip: { p50: median(p.roundTripMs), p95: percentile(p.roundTripMs, 95), p99: percentile(p.roundTripMs, 99), max: Math.max(...p.roundTripMs) },
      worker: { p50: median(p.workerMs), p95: percentile(p.workerMs, 95), p99: percentile(p.workerMs, 99), max: Math.max(...p.workerMs) },
    });
  }
} finally {
  await browser.close();
  server.close();
}

const m = result.machine;
const out = [];
out.push(`task-latency: ${result.date}, ${m.cores} cores (${m.cpu}), ${m.chromium}, headless; page ${ISOLATED ? 'cross-origin isolated' : 'not isolated'} (timer step ${f(result.timerStepMs)} ms); demo models ${Object.entries(result.versions).filter(([t]) => t !== 'recommend').map(([t, v]) => `${t}@${v}`).join(', ')}; ${RUNS} fresh workers × ${CALLS} calls per task after ${WARMUP} warm-up calls.`);
out.push('', `init with all four demo models (download + SHA-256 + build, no cache), median of ${RUNS}: ${f(median(result.initMs))} ms`, '');
out.push('| task | inputs cycled | calls | first call ms | round trip p50 ms | p95 ms | p99 ms | max ms | in worker p50 ms | p95 ms | p99 ms |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const t of result.tasks) out.push(`| ${t.name} | ${t.inputs} | ${t.calls} | ${f(t.coldMs)} | ${f(t.roundTrip.p50)} | ${f(t.roundTrip.p95)} | ${f(t.roundTrip.p99)} | ${f(t.roundTrip.max)} | ${f(t.worker.p50)} | ${f(t.worker.p95)} | ${f(t.worker.p99)} |`);
console.log(out.join('\n'));
writeFileSync(opts.json, JSON.stringify(result, null, 2));
log(`JSON written to ${opts.json}`);
