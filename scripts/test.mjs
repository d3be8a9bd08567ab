#!/usr/bin/env node
// `npm test`: build the browser artifacts, typecheck, run the unit tests (vitest) and the browser journeys (Playwright with
// Debian's Chromium), then print the totals alone on the last line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache');
mkdirSync(cache, { recursive: true });
const bin = (name) => join(root, 'node_modules/.bin', name);
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status;

let passed = 0;
let failed = 0;
const finish = () => {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
};

if (run(process.execPath, ['scripts/build.mjs']) !== 0) {
  failed += 1; // the build is a check too: a broken or over-budget build fails the run
  finish();
}

// Types are a check too: the journeys and scripts are not compiled by the build, only by this.
if (run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) !== 0) {
  console.error('typecheck failed');
  failed += 1;
}

const vitestJson = join(cache, 'vitest.json');
rmSync(vitestJson, { force: true });
run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numRuntimeErrorTestSuites ?? 0);
  if (v.numTotalTests === 0) failed += 1;
} else {
  console.error('vitest wrote no results');
  failed += 1;
}

const pwJson = join(cache, 'playwright.json');
rmSync(pwJson, { force: true });
run(bin('playwright'), ['test']);
if (existsSync(pwJson)) {
  const { stats, errors } = JSON.parse(readFileSync(pwJson, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected + (errors?.length ?? 0);
} else {
  console.error('playwright wrote no results');
  failed += 1;
}
finish();
