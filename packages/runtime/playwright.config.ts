import { defineConfig } from '@playwright/test';
import { findChromium, CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';

// The runtime's browser journeys alone, without the demo stack the root config starts: each spec serves its own
// page, the built worker (dist/edgewise) and fixture models. `npx playwright test -c packages/runtime`.
// The root config (`npm test`) runs the same specs.
export default defineConfig({
  testDir: 'e2e',
  testMatch: ['**/*.spec.ts'],
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  use: { launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS }, trace: 'off' },
});
