// Worker start-up on the demo shop's four models (models/artifacts/demo), downloaded and then cached, in Chromium:
// init() from the page (round trip), where the worker says its time went (status().initMs: models = index,
// manifests, files, SHA-256, building; probe = backend probes, side by side with models; attach = catalog on the
// kernel + warm-up) and the first recommend() after it. Each rep is a fresh browser context (empty Cache Storage)
// that starts three workers one after another: 'download', then two 'cached' visits. The runtime e2e harness
// serves the page, the built worker and the models. No assertions: numbers only.
// Usage: node --import tsx scripts/bench/recommend-latency-init.ts [--reps 5] [--backends wasm] [--json out.json]
//        (EDGEWISE_RUNTIME_DIST=dir to time another build of the worker)
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { findChromium, CHROMIUM_ARGS } from '../find-chromium.mjs';
import { dist, openPage, root, runWorker, startHarness } from '../../packages/runtime/e2e/support/harness.ts';
import { machine, median } from './stats.mjs';

const { values: opts } = parseArgs({ options: { reps: { type: 'string', default: '5' }, backends: { type: 'string' }, json: { type: 'string' } } });
const dir = resolve(root, 'models/artifacts/demo');
const files = new Map<string, Uint8Array>();
const walk = (d: string) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else files.set(relative(dir, p), readFileSync(p));
  }
};
walk(dir);

type Parts = { models: number; probe: number; attach: number; total: number };
const rows: Record<string, { initMs: number[]; firstMs: number[]; parts: Parts[] }> = {};
const harness = await startHarness({ models: files });
const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
const config = { modelBaseUrl: `${harness.origin}/models/`, ...(opts.backends ? { backends: opts.backends.split(',') } : {}) };
try {
  for (let rep = 0; rep < Number(opts.reps); rep++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openPage(page, harness.origin);
    for (const visit of ['download', 'cached', 'cached again']) {
      const r = await runWorker(page, config, [{ count: 8, recentItems: ['x'] }, 'status']);
      const status = r.results[1]!.value as unknown as { initMs: Parts; backend: string };
      const row = (rows[visit] ??= { initMs: [], firstMs: [], parts: [] });
      row.initMs.push(r.initMs);
      row.firstMs.push(r.results[0]!.ms!);
      row.parts.push(status.initMs);
      console.error(`[init] ${visit}: init ${r.initMs.toFixed(1)} ms ${JSON.stringify(status.initMs)} first ${r.results[0]!.ms!.toFixed(1)} ms on ${status.backend}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await harness.close();
}

const f = (x: number) => x.toFixed(1);
const m = machine();
console.log(`recommend-latency-init: ${new Date().toISOString()}, ${m.cores} cores (${m.cpu}), ${m.chromium}; worker ${dist}; backends ${opts.backends ?? 'default order'}; medians of ${opts.reps} fresh contexts\n`);
console.log('| visit | init() round trip ms | in worker: total | models | probe | attach | first recommend() ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [visit, r] of Object.entries(rows)) {
  const p = (k: keyof Parts) => f(median(r.parts.map((x) => x[k])));
  console.log(`| ${visit} | ${f(median(r.initMs))} | ${p('total')} | ${p('models')} | ${p('probe')} | ${p('attach')} | ${f(median(r.firstMs))} |`);
}
if (opts.json) writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), machine: m, config: opts, rows }, null, 2));
