#!/usr/bin/env node
// Main-thread cost per tracked event in Chromium, deferred work included (batching, the IndexedDB writes, the
// profile update), against a bare GA4 `dataLayer.push` of the same event as the floor, in the same run. Per run:
// fresh context → page with the SDK (consent granted) → settle → N `track()` calls, 10 per task → wait until the SDK
// has written everything → 2 s settle; main-thread time is CDP Performance.getMetrics TaskDuration over that window.
// Also counts the events that reached IndexedDB, so a fast number cannot come from dropped events.
// Usage: node scripts/bench/event-cost.mjs [--calls 10000] [--runs 5] [--json out.json]   (needs `npm run build`)
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';
import { machine, median, percentile } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({ options: { calls: { type: 'string', default: '10000' }, runs: { type: 'string', default: '5' }, json: { type: 'string' } } });
const CALLS = Number(opts.calls);
const RUNS = Number(opts.runs);

// The same event for both: GA4 add_to_cart with one item (not view_item, which the SDK counts once per product and page).
const EVENT = `function ev(i) { return { currency: 'EUR', value: 19.99 + (i % 100), items: [{ item_id: 'SKU-' + String(i % 5000).padStart(6, '0'), price: 19.99 + (i % 100), item_category: 'shoes' }] }; }`;
const pages = {
  '/floor': `<!doctype html><meta charset="utf-8"><script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());gtag('config','G-BENCH');${EVENT}
window.__track=(i)=>gtag('event','add_to_cart',ev(i));window.__settled=async()=>true;window.__stored=async()=>-1;</script>`,
  '/edgewise': `<!doctype html><meta charset="utf-8"><script>window.edgewise=window.edgewise||[];${EVENT}
window.__track=(i)=>window.edgewise.track('add_to_cart',ev(i));
window.__settled=async()=>{for(let t=0;t<600;t++){if(window.edgewise.debug&&window.edgewise.debug.pendingEvents===0)return true;await new Promise(r=>setTimeout(r,50));}return false};
window.__stored=async()=>{const db=await new Promise((r,j)=>{const q=indexedDB.open('edgewise');q.onsuccess=()=>r(q.result);q.onerror=j});return await new Promise(r=>{const q=db.transaction('batches').objectStore('batches').getAll();q.onsuccess=()=>{db.close();r(new Set(q.result.flatMap(b=>JSON.parse(b.json).map(e=>e.id))).size)}})};</script>
<script src="/edgewise/edgewise.js" data-site="bench" data-consent="granted" data-allow-automation></script>`,
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (pages[path]) return res.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
  const m = /^\/edgewise\/([\w.-]+\.js)$/.exec(path);
  if (m) {
    try {
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(join(root, 'dist/edgewise', m[1])));
    } catch {}
  }
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://localhost:${server.address().port}`;

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
async function run(which) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(origin + '/' + which);
  if (which === 'edgewise') await page.waitForFunction(() => window.edgewise && !Array.isArray(window.edgewise) && window.edgewise.debug.storage === 'indexeddb');
  await page.waitForTimeout(1000);
  const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const before = await task();
  const longTasks = await page.evaluate(async (calls) => {
    const long = [];
    new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    for (let i = 0; i < calls; i += 10) {
      for (let j = i; j < i + 10 && j < calls; j++) window.__track(j);
      await new Promise((r) => setTimeout(r, 0));
    }
    await window.__settled();
    await new Promise((r) => setTimeout(r, 2000));
    return long;
  }, CALLS);
  const after = await task();
  const stored = await page.evaluate(() => window.__stored());
  await context.close();
  // The 2 s settle and the waits are idle time; TaskDuration counts only the main thread's busy time.
  return { perEventUs: ((after - before) * 1e6) / CALLS, longTasks: longTasks.length, longestMs: Math.max(0, ...longTasks), stored };
}

const results = { floor: [], edgewise: [] };
for (let r = 0; r < RUNS; r++) for (const which of r % 2 ? ['edgewise', 'floor'] : ['floor', 'edgewise']) results[which].push(await run(which));
await browser.close();
server.close();

const rows = Object.entries(results).map(([name, rs]) => {
  const us = rs.map((x) => x.perEventUs);
  return { name, p50: median(us), p95: percentile(us, 95), longTasks: rs.map((x) => x.longTasks), longestMs: Math.max(...rs.map((x) => x.longestMs)), stored: rs.map((x) => x.stored) };
});
const floor = rows[0].p50;
const m = machine();
console.log(`Main-thread time per event, ${CALLS.toLocaleString('en')} calls × ${RUNS} runs, deferred work included; ${new Date().toISOString()}, ${m.cores} cores ${m.cpu}, ${m.chromium}\n`);
console.log('| SDK | µs/event p50 | p95 | × floor | long tasks per run | longest ms | events in IndexedDB |');
console.log('|---|---:|---:|---:|---|---:|---|');
for (const r of rows) console.log(`| ${r.name === 'floor' ? 'dataLayer.push (GA4 floor)' : 'Edgewise (edgewise.js)'} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p50 / floor).toFixed(1)} | ${r.longTasks.join(', ')} | ${r.longestMs.toFixed(0)} | ${r.stored[0] < 0 ? '—' : r.stored.join(', ')} |`);
if (opts.json) await writeFile(opts.json, JSON.stringify({ date: new Date().toISOString(), machine: m, calls: CALLS, rows, raw: results }, null, 2));
