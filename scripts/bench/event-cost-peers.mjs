#!/usr/bin/env node
// Issue 4: main-thread time per tracked event, deferred work included, for Edgewise and the peers IN THE SAME RUN:
// a bare GA4 dataLayer.push (floor), Edgewise, posthog-js (rate limit lifted, and with its defaults), Segment
// analytics-next, Snowplow browser-tracker (RudderStack optional). The peers and the measurement are the shared
// harness's own (../shared/tools/peer-bench): its build (`buildAll`, which writes into its own build/ folder), its
// product page (pages/tracker.html: long-task observer, 10 calls per task), its sink and its `trackerRun` (fresh
// browser context per run, CDP Performance.getMetrics TaskDuration + ThreadTime from the first call until the SDK is
// quiet, long tasks). Nothing of it is copied here; this script only adds Edgewise to its list:
//  - scripts/bench/event-cost-peers-shim.js, bundled to a temp dir and served as /build/sdk-edgewise.js, loads our
//    built dist/edgewise/edgewise.js (served as /edgewise/*, chunks beside it) with consent granted;
//  - "quiet" for Edgewise: peer-bench waits until its sink has seen no request for 2 s (at least 3.5 s after the
//    loop). Edgewise sends no per-event traffic, so for it the sink also counts as busy while
//    `edgewise.debug.pendingEvents` > 0 (read with a tiny Runtime.evaluate every 200 ms, the harness's poll period:
//    these reads fall inside Edgewise's measured window, a small cost the peers do not pay);
//  - after the metrics are read, before the page closes, the events in its IndexedDB are counted (peers: the
//    distinct events their sink received). An event leaves `pendingEvents` only once its write has committed, so
//    when the count is complete every event was in IndexedDB when the window closed.
// Usage: node scripts/bench/event-cost-peers.mjs [--runs 3] [--calls 10000] [--batch 10]
//          [--trackers datalayer,edgewise,posthog,posthog/defaults,segment,snowplow[,rudderstack][,edgewise/reports]]
//          [,datalayer/polled: the floor with Edgewise's drain reads, to size them] [--no-audit] [--json out.json]
// Needs `npm run build` (dist/edgewise) and `cd ../shared/tools/peer-bench && npm ci`.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { median, percentile } from './stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PB = path.resolve(root, '../shared/tools/peer-bench');
const dist = path.join(root, 'dist/edgewise');
const pb = (p) => import(pathToFileURL(path.join(PB, p)).href);

const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    calls: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '10' },
    trackers: { type: 'string', default: 'datalayer,edgewise,posthog,posthog/defaults,segment,snowplow' },
    'no-audit': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const RUNS = Number(o.runs);
const CALLS = Number(o.calls);
const BATCH = Number(o.batch);
const TRACKERS = o.trackers.split(',');

for (const [what, p, fix] of [
  ['Edgewise build', path.join(dist, 'edgewise.js'), 'npm run build'],
  ['peer-bench', path.join(PB, 'lib/tracker-bench.mjs'), 'the shared checkout (../shared/tools/peer-bench)'],
  ['peer-bench packages', path.join(PB, 'node_modules/playwright-core'), `cd ${PB} && npm ci`],
]) {
  if (!fs.existsSync(p)) throw new Error(`${what} missing (${p}): run ${fix}`);
}

const { buildAll } = await pb('lib/build.mjs');
const { startSink, trackerRun, trackerAudit } = await pb('lib/tracker-bench.mjs');
const { launchRaw } = await pb('lib/cdp.mjs');
const { launch } = await pb('lib/browser.mjs');

const log = (...x) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...x);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');
const loadStart = load();
log(`load average (1, 5, 15 min) at start: ${loadStart}`);

// ---- build: peers with peer-bench's own buildAll, Edgewise's shim into a temp dir ------------------------------------
log('build: peer-bench buildAll (its build/ folder) + the Edgewise shim');
const built = await buildAll(PB);
for (const [k, v] of Object.entries(built.trackers)) if (v.warnings) log(`  ${k}: esbuild warnings: ${v.warnings.join('; ')}`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'event-cost-peers-'));
const shimFile = path.join(tmp, 'sdk-edgewise.js');
await esbuild.build({
  entryPoints: [path.join(root, 'scripts/bench/event-cost-peers-shim.js')], outfile: shimFile,
  bundle: true, minify: true, format: 'iife', platform: 'browser', target: 'es2020', legalComments: 'none', logLevel: 'silent',
});

// ---- one origin: peer-bench's page and bundles, the Edgewise shim, our dist ----------------------------------------
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'application/javascript', '.mjs': 'application/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  const headers = { 'cache-control': 'no-store', 'cross-origin-resource-policy': 'same-origin' };
  const roots = [['/build/sdk-edgewise.js', shimFile], ['/edgewise/', dist + '/'], ['/pages/', path.join(PB, 'pages') + '/'], ['/build/', path.join(PB, 'build') + '/']];
  const hit = roots.find(([p]) => url.startsWith(p));
  const file = hit && path.normalize(hit[1] + url.slice(hit[0].length));
  if (url === '/favicon.ico') return res.writeHead(204, headers).end(); // as peer-bench's server
  if (!file || !file.startsWith(hit[1]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return res.writeHead(404, headers).end('not found');
  res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const pageOrigin = `http://127.0.0.1:${server.address().port}`;

// ---- Edgewise adapters around peer-bench's browser and sink --------------------------------------------------------
// The browser: remembers the run's page, and counts what reached IndexedDB just before trackerRun closes it (after
// its last metrics read).
function edgewiseBrowser(browser) {
  const w = { current: null, newPage: async () => {
    const page = await browser.newPage();
    const cur = (w.current = { page, stored: null, storedError: null });
    return { ...page, close: async () => {
      try { cur.stored = await page.evaluate('window.__bench.stored()'); } catch (e) { cur.storedError = String(e.message); }
      cur.debug = await page.evaluate('JSON.stringify({automation: edgewise.debug.automation, storage: edgewise.debug.storage, pending: edgewise.debug.pendingEvents, warn: edgewise.debug.log.filter((l) => l.level !== "debug").slice(-5)})').catch(() => null);
      await page.close();
    } };
  } };
  return w;
}
// The sink: busy while Edgewise has events waiting to be written.
// `floorCheck`: the same reads on the floor's page (key 'datalayer/polled'), to size what they cost.
function edgewiseSink(sink, eb, floorCheck = false) {
  let busyAt = Date.now();
  const w = {
    url: sink.url, polls: 0,
    async reset() { busyAt = Date.now(); w.polls = 0; await sink.reset(); },
    async stats() {
      const s = await sink.stats();
      const page = eb.current?.page;
      if (page) {
        w.polls++;
        const pending = await page.evaluate(floorCheck ? '0' : 'window.edgewise && !Array.isArray(window.edgewise) ? window.edgewise.debug.pendingEvents : -1');
        if (pending !== 0) busyAt = Date.now();
      }
      return { ...s, idleMs: Math.min(s.idleMs, Date.now() - busyAt) };
    },
  };
  return w;
}

const sink = await startSink(PB);
const data = { date: new Date().toISOString(), calls: CALLS, batch: BATCH, runs: RUNS, trackers: TRACKERS, loadStart, runs_: [], audit: [] };
try {
  if (!o['no-audit']) {
    log('audit (Playwright, 20 calls each: hosts other than 127.0.0.1, console errors, delivery; untimed)');
    const pw = await launch();
    try {
      for (const t of TRACKERS) {
        const [sdk, variant] = t.split('/');
        try {
          const a = await trackerAudit({ pwBrowser: pw, pageOrigin, sink, sdk, variant });
          data.audit.push(a);
          log(`  ${t}: external ${a.external.join(' ') || 'none'}; console ${a.consoleErrors.length ? a.consoleErrors.join(' | ') : 'clean'}; delivered ${a.delivered}/${a.calls}`);
        } catch (e) { log(`  ${t}: audit failed: ${e.message}`); }
      }
    } finally { await pw.close(); }
  }
  const browser = await launchRaw();
  data.chromium = (await browser.version()).product;
  const eb = edgewiseBrowser(browser);
  const es = edgewiseSink(sink, eb);
  const fs0 = edgewiseSink(sink, eb, true);
  try {
    for (let r = 0; r < RUNS; r++) {
      const order = TRACKERS.map((_, i) => TRACKERS[(i + r) % TRACKERS.length]); // rotated per run, as peer-bench
      log(`run ${r + 1}/${RUNS}: ${order.join(', ')} (load ${load()})`);
      for (const t of order) {
        const [sdk, variant] = t.split('/');
        const ew = sdk === 'edgewise';
        const polled = t === 'datalayer/polled';
        try {
          const out = await trackerRun({ browser: ew || polled ? eb : browser, pageOrigin, sink: ew ? es : polled ? fs0 : sink, sdk, variant, calls: CALLS, batch: BATCH, log });
          if (polled) out.calls.polls = fs0.polls;
          if (ew) {
            out.calls.stored = eb.current.stored;
            out.calls.storedError = eb.current.storedError;
            out.calls.edgewiseDebug = eb.current.debug;
            out.calls.polls = es.polls;
            log(`    edgewise: IndexedDB ${JSON.stringify(eb.current.stored ?? eb.current.storedError)}; ${es.polls} pendingEvents reads in the window; ${eb.current.debug}`);
          }
          data.runs_.push({ run: r, key: t, ...out });
        } catch (e) {
          log(`  ${t}: ERROR ${e.message}`);
          data.runs_.push({ run: r, key: t, error: String(e.message) });
        }
      }
    }
  } finally { await browser.close(); }
} finally {
  await sink.stop();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
data.loadEnd = load();
log(`load average (1, 5, 15 min) at end: ${data.loadEnd}`);

// ---- table -------------------------------------------------------------------------------------------------------
const LABEL = {
  datalayer: 'dataLayer.push (GA4 floor)', 'datalayer/polled': 'dataLayer.push + the drain reads Edgewise gets', edgewise: 'Edgewise (edgewise.js)', 'edgewise/reports': 'Edgewise, reports to the sink',
  posthog: 'posthog-js (rate limit lifted)', 'posthog/defaults': 'posthog-js (defaults: 10/s, burst 100)',
  segment: '@segment/analytics-next', snowplow: '@snowplow/browser-tracker', rudderstack: '@rudderstack/analytics-js (bundled)',
};
const EVENT = { datalayer: 'view_item', edgewise: 'add_to_cart', posthog: 'product_viewed', segment: 'Product Viewed', snowplow: 'product_view action', rudderstack: 'Product Viewed' };
const f1 = (x) => (Number.isFinite(x) ? (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)) : '—');
const ok = (k) => data.runs_.filter((r) => r.key === k && !r.error);
const busyUs = (r) => (r.calls.cpu.taskMs * 1000) / r.calls.n;
const cpuUs = (r) => (r.calls.cpu.threadMs * 1000) / r.calls.n;
const floor = median(ok('datalayer').map(busyUs));
const rows = TRACKERS.map((k) => {
  const rs = ok(k);
  const b = rs.map(busyUs);
  const ew = k.startsWith('edgewise');
  const got = rs.map((r) => (ew ? (r.calls.stored ? r.calls.stored.benchIds : NaN) : r.calls.delivered));
  return {
    key: k, runs: rs.length, errors: data.runs_.filter((r) => r.key === k && r.error).map((r) => r.error),
    p50: median(b), p95: percentile(b, 95), cpuP50: median(rs.map(cpuUs)), syncP50: median(rs.map((r) => (r.calls.syncMs * 1000) / r.calls.n)),
    longTasks: rs.map((r) => r.calls.longtasks.count), longestMs: Math.max(0, ...rs.map((r) => r.calls.longtasks.maxMs)),
    got, requests: median(rs.map((r) => r.calls.requests)), drainTimedOut: rs.filter((r) => r.calls.drainTimedOut).length,
    stored: ew ? rs.map((r) => r.calls.stored) : null,
  };
});
data.rows = rows;
const hdr = `Main-thread time per event, ${CALLS.toLocaleString('en-US')} calls (${BATCH} per task) × ${RUNS} runs (order rotated), deferred work included (until the SDK is quiet); ` +
  `${data.date.slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores ${os.cpus()[0]?.model}; ${data.chromium}; Node ${process.version}; ` +
  `load average ${data.loadStart} at start, ${data.loadEnd} at end`;
console.log('\n' + hdr + '\n');
console.log('| SDK | event | µs/event p50 | p95 | × floor | CPU µs/event p50 | sync µs/call p50 | long tasks per run | longest task ms | events stored (IndexedDB) / delivered (sink) |');
console.log('|---|---|---:|---:|---:|---:|---:|---|---:|---|');
for (const r of rows) {
  const base = r.key.split('/')[0];
  const got = r.got.map((x) => (Number.isFinite(x) ? x.toLocaleString('en-US') : '?')).join(', ');
  const gotCol = base === 'datalayer' ? '— (no sink)' : base === 'edgewise' ? `stored ${got} / ${CALLS.toLocaleString('en-US')}` : `delivered ${got} / ${CALLS.toLocaleString('en-US')}`;
  const fail = r.errors.length ? ` (${r.errors.length} failed run${r.errors.length > 1 ? 's' : ''})` : '';
  const to = r.drainTimedOut ? ` (${r.drainTimedOut} drain timeout)` : '';
  console.log(`| ${LABEL[r.key] ?? r.key}${fail}${to} | ${EVENT[base] ?? '?'} | ${f1(r.p50)} | ${f1(r.p95)} | ${r.key === 'datalayer' ? '1' : f1(r.p50 / floor)} | ${f1(r.cpuP50)} | ${f1(r.syncP50)} | ${r.longTasks.join(', ')} | ${r.longestMs.toFixed(0)} | ${gotCol} |`);
}
console.log(`
µs/event = CDP Performance.getMetrics TaskDuration (main-thread task time) from the first call until the SDK is quiet,
÷ calls; CPU = ThreadTime; p50/p95 over runs (nearest rank). Peers and floor: peer-bench's sdk/*.js, unmodified
(product viewed / GA4 view_item); Edgewise: the same productViewed(i) payload as GA4 add_to_cart (view_item is counted
once per product and page). Edgewise sends no per-event traffic (aggregated, noised reports only), so its last column is
the distinct bench events found in its IndexedDB after the window, not deliveries; peers: distinct events their sink
received. Edgewise's window also holds ~${median(ok('edgewise').map((r) => r.calls.polls)) || '?'} pendingEvents reads (tiny Runtime.evaluate) that the peers do not pay.`);
for (const r of rows) if (r.errors.length) console.log(`${r.key}: ${r.errors.join('; ')}`);
if (o.json) fs.writeFileSync(o.json, JSON.stringify(data, null, 1));
