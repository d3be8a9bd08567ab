#!/usr/bin/env node
// `npm run build`: every browser artifact through rollup, then the size budgets. A build over budget fails.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const step = (label, cmd, args) => {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[build] ${label} failed`);
    process.exit(r.status ?? 1);
  }
  console.log(`[build] ${label} ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
};

// Chunk names carry content hashes: start from empty folders so stale chunks neither ship nor count.
for (const dir of ['dist/edgewise', 'packages/sdk/dist']) rmSync(resolve(root, dir), { recursive: true, force: true });

step('boundaries', process.execPath, ['scripts/check-boundaries.mjs']);
step('rollup', process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent']);
step('size budgets', process.execPath, ['scripts/size.mjs']);
