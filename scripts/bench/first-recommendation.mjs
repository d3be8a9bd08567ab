#!/usr/bin/env node
// Time from navigation start to the first rendered recommendation on a product page, in headless Chromium, with
// cold caches (fresh profile) and warm ones (same profile, second visit), plus the backend the worker chose.
// Usage: node scripts/bench/first-recommendation.mjs [--runs 5] [--json out.json]   (needs `npm run build`)
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { findChromium, CHROMIUM_ARGS } from '../find-chromium.mjs';
import { median, percentile, machine } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' }, json: { type: 'string' } } });
const SHOP_PORT = 28080;
const API_PORT = 28787;
const SECOND_VISIT_AFTER_MS = 3000;
const shop = `http://localhost:${SHOP_PORT}`;

const stack = spawn(process.execPath, ['scripts/start.mjs', '--no-build', '--fresh', '--shop-port', String(SHOP_PORT), '--api-port', String(API_PORT), '--db', '.data/bench.sqlite'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const stopStack = () => stack.kill('SIGTERM');
process.on('exit', stopStack);
for (let i = 0; i < 150; i++) {
  try { if ((await fetch(`${shop}/`)).ok) break; } catch {}
  await new Promise((r) => setTimeout(r, 200));
}

/**
 * Installed before any page script: records when the first recommendation widget turns ready, so the figure does
 * not include Playwright's polling. Also opts this automated browser in, as our tests do.
 */
function watchFirstRecommendation() {
  window.edgewiseAllowAutomation = true;
  const observer = new MutationObserver(() => {
    const ready = document.querySelector('edgewise-recommendations[data-state="ready"]');
    if (ready && window.__ewFirstRecommendationMs === undefined) {
      window.__ewFirstRecommendationMs = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'], childList: true });
}

async function timeToRecommendation(page, url) {
  await page.goto(url);
  await page.locator('edgewise-recommendations[data-state="ready"]').first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => window.__ewFirstRecommendationMs !== undefined);
  return page.evaluate(() => ({
    ms: window.__ewFirstRecommendationMs,
    backend: window.edgewise?.debug?.backend ?? null,
    source: document.querySelector('edgewise-recommendations')?.getAttribute('data-source'),
  }));
}

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
const cold = [];
const warm = [];
let backend = null;
const sources = new Set();
const catalog = await (await fetch(`${shop}/edgewise/models/recommend/items.json`)).json();
const productUrl = (i) => `${shop}/product/${catalog[i % catalog.length].id}?consent=granted`;
for (let run = 0; run < Number(opts.runs); run++) {
  const context = await browser.newContext();
  await context.addInitScript(watchFirstRecommendation);
  const page = await context.newPage();
  const first = await timeToRecommendation(page, productUrl(run));
  cold.push(first.ms);
  backend = first.backend;
  sources.add(first.source);
  // A shopper reads a page for a while before the next one; the first visit's background work (saving the model
  // snapshot, revalidation, backend calibration) finishes in that time instead of being cut off by the navigation.
  await page.waitForTimeout(SECOND_VISIT_AFTER_MS);
  const second = await timeToRecommendation(page, productUrl(run + 7));
  warm.push(second.ms);
  await context.close();
}
await browser.close();
stopStack();

const result = {
  date: new Date().toISOString(),
  machine: machine(),
  command: 'node scripts/bench/first-recommendation.mjs --runs ' + opts.runs,
  backend,
  sources: [...sources],
  coldMs: { p50: median(cold), p95: percentile(cold, 95), samples: cold },
  warmMs: { p50: median(warm), p95: percentile(warm, 95), samples: warm },
};
console.log(JSON.stringify(result, null, 2));
if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
process.exit(0);
