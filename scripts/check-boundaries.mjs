#!/usr/bin/env node
// A thread boundary is a package boundary: sdk (page), runtime (worker) and server share only @edgewise/protocol,
// and protocol itself depends on nothing of ours. Fails on any import that crosses otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['protocol', 'sdk', 'runtime', 'server'];
const ALLOWED = { protocol: [], sdk: ['protocol'], runtime: ['protocol'], server: ['protocol'] };
const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

const problems = [];
for (const pkg of PACKAGES) {
  const src = join(root, 'packages', pkg, 'src');
  let files;
  try { files = [...sourceFiles(src)]; } catch { continue; }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      let target = null;
      const named = spec.match(/^@edgewise\/([^/]+)/);
      if (named) target = named[1];
      else if (spec.startsWith('.')) {
        const abs = resolve(dirname(file), spec);
        const rel = relative(join(root, 'packages'), abs).split(/[\\/]/)[0];
        if (!abs.startsWith(join(root, 'packages'))) target = 'outside packages/';
        else if (rel !== pkg) target = rel;
      }
      if (target && target !== pkg && !ALLOWED[pkg].includes(target)) {
        problems.push(`${relative(root, file)}: imports '${spec}' — ${pkg} may only import ${ALLOWED[pkg].join(', ') || 'nothing of ours'}`);
      }
    }
  }
}
if (problems.length) {
  console.error('Package boundary violations:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('package boundaries ok');
