import { defineConfig } from '@playwright/test';
import { findChromium, CHROMIUM_ARGS } from './scripts/find-chromium.mjs';

// Browser journeys run against the built bundle (`npm run build` first; `npm test` does it), a real ingestion
// server with a fresh SQLite file and the demo shop, all on loopback ports reserved for tests.
// EDGEWISE_E2E_PORT moves both (shop on it, API on it + 707) so that two checkouts can run their journeys at once.
export const E2E_SHOP_PORT = Number(process.env.EDGEWISE_E2E_PORT) || 18080;
export const E2E_API_PORT = E2E_SHOP_PORT + 707;

export default defineConfig({
  testDir: '.',
  testMatch: ['**/e2e/**/*.spec.ts'],
  testIgnore: ['**/node_modules/**'],
  fullyParallel: false,
  workers: 1, // two cores: one browser at a time keeps the journeys honest
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: '.cache/playwright.json' }]] : [['list'], ['json', { outputFile: '.cache/playwright.json' }]],
  use: {
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    trace: 'off',
  },
  webServer: {
    command: `node scripts/start.mjs --no-build --fresh --shop-port ${E2E_SHOP_PORT} --api-port ${E2E_API_PORT} --db .data/e2e-${E2E_SHOP_PORT}.sqlite --min-reports 1`,
    url: `http://localhost:${E2E_SHOP_PORT}/`, // start.mjs brings the shop up only after the API is healthy
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
