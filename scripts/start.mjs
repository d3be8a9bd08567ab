#!/usr/bin/env node
// `npm start`: build the browser artifacts, start the ingestion server (SQLite) and the demo shop, print the URLs.
// Options: --no-build, --fresh (delete the database first), --shop-port N, --api-port N, --db PATH, --min-reports K,
// --catalog NAME|PATH (bigbasket, a catalog.json or a BigBasket-layout CSV; the generated catalog otherwise),
// --models DIR (the model folder served at /edgewise/models/; models/artifacts/demo otherwise).
import { spawn } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    'shop-port': { type: 'string', default: process.env.SHOP_PORT ?? '8080' },
    'api-port': { type: 'string', default: process.env.EDGEWISE_PORT ?? '8787' },
    db: { type: 'string', default: process.env.EDGEWISE_DB ?? '.data/edgewise.sqlite' },
    'min-reports': { type: 'string', default: process.env.EDGEWISE_MIN_REPORTS ?? '50' },
    catalog: { type: 'string' },
    models: { type: 'string' },
  },
});

const HEALTH_WAIT_MS = 30_000;
const children = [];

function run(cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[edgewise] ${args.join(' ')} exited (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  return child;
}

async function waitFor(url) {
  const deadline = Date.now() + HEALTH_WAIT_MS;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${HEALTH_WAIT_MS} ms`);
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!opts['no-build']) {
  const build = spawn(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const code = await new Promise((r) => build.on('exit', r));
  if (code !== 0) process.exit(code ?? 1);
}

const db = resolve(root, opts.db);
mkdirSync(dirname(db), { recursive: true });
if (opts.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });

const apiUrl = `http://localhost:${opts['api-port']}`;
const shopUrl = `http://localhost:${opts['shop-port']}`;
const shopOrigins = [shopUrl, `http://127.0.0.1:${opts['shop-port']}`];

run(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
  EDGEWISE_PORT: opts['api-port'],
  EDGEWISE_DB: db,
  EDGEWISE_MIN_REPORTS: opts['min-reports'],
  EDGEWISE_SITES: process.env.EDGEWISE_SITES ?? JSON.stringify({ 'demo-shop': { origins: shopOrigins } }),
});
await waitFor(`http://127.0.0.1:${opts['api-port']}/healthz`);

const shopArgs = ['--import', 'tsx', 'demo-shop/main.ts', '--port', opts['shop-port'], '--endpoint', apiUrl];
if (opts.catalog) shopArgs.push('--catalog', opts.catalog);
if (opts.models) shopArgs.push('--models', opts.models);
run(process.execPath, shopArgs);
await waitFor(`${shopUrl}/`);

console.log(`
  Edgewise demo is running
    shop        ${shopUrl}
    ingestion   ${apiUrl}   (reports in ${db})
    dashboard   ${apiUrl}/dashboard   (admin token: ${process.env.EDGEWISE_ADMIN_TOKEN ?? 'dev-admin-token'})
  Ctrl+C stops both.
`);
