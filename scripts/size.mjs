#!/usr/bin/env node
// Size budgets are data (size-budgets.json); every build checks them and writes dist/edgewise/sizes.json.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { budgets } = JSON.parse(readFileSync(join(root, 'size-budgets.json'), 'utf8'));

export function measure(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const dist = join(root, 'dist/edgewise');
const sizes = {};
if (existsSync(dist)) {
  for (const name of readdirSync(dist)) {
    const p = join(dist, name);
    if (statSync(p).isFile() && /\.(m?js|wasm)$/.test(name)) sizes[relative(root, p)] = measure(readFileSync(p));
  }
}

let failed = false;
const rows = [];
for (const b of budgets) {
  const s = sizes[b.file];
  if (!s) {
    console.error(`size: ${b.file} was not built`);
    failed = true;
    continue;
  }
  const over = s.gzip > b.gzip || s.brotli > b.brotli;
  failed ||= over;
  rows.push(`${over ? 'OVER' : 'ok  '}  ${b.file}  min ${(s.raw / 1024).toFixed(1)} KB  gzip ${(s.gzip / 1024).toFixed(2)} KB (budget ${(b.gzip / 1024).toFixed(1)})  brotli ${(s.brotli / 1024).toFixed(2)} KB (budget ${(b.brotli / 1024).toFixed(1)})`);
}
for (const [file, s] of Object.entries(sizes)) {
  if (!budgets.some((b) => b.file === file)) rows.push(`      ${file}  min ${(s.raw / 1024).toFixed(1)} KB  gzip ${(s.gzip / 1024).toFixed(2)} KB  brotli ${(s.brotli / 1024).toFixed(2)} KB`);
}
console.log(rows.join('\n'));
if (existsSync(dist)) writeFileSync(join(dist, 'sizes.json'), JSON.stringify(sizes, null, 2));
if (failed) process.exit(1);
