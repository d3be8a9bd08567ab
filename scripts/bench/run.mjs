#!/usr/bin/env node
// `npm run bench`: every benchmark of BENCHMARKS.md in one run on this machine — bundle sizes from the build, time
// to first recommendation in Chromium, and each package's own benchmark script when present. Writes the raw
// results to .cache/bench/*.json and a markdown summary (with date and machine) to .cache/bench/summary.md, which
// is what BENCHMARKS.md quotes. Usage: node scripts/bench/run.mjs [--only sizes,first-recommendation,...] [--skip-build]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, '.cache/bench');
mkdirSync(out, { recursive: true });
const { values: opts } = parseArgs({ options: { only: { type: 'string' }, 'skip-build': { type: 'boolean', default: false } } });
const only = opts.only ? new Set(opts.only.split(',')) : null;
const wanted = (name) => !only || only.has(name);

/** Benchmarks owned by the packages; each takes `--json <file>` and prints its own markdown table. */
const SCRIPTS = [
  { name: 'first-recommendation', script: 'scripts/bench/first-recommendation.mjs', args: ['--runs', '5'] },
  { name: 'event-cost', script: 'scripts/bench/event-cost.mjs', args: ['--runs', '3'] },
  { name: 'recommend-latency', script: 'scripts/bench/recommend-latency.ts', args: ['--sizes', '1000,10000,100000', '--warm', '30'] },
  { name: 'task-latency', script: 'scripts/bench/task-latency.mjs', args: ['--runs', '3', '--calls', '300'] },
  { name: 'recommend-latency-init', script: 'scripts/bench/recommend-latency-init.ts', args: ['--reps', '5'] },
  // These two need what a clean clone lacks: a trained model folder (`npm run train`, command C1 of BENCHMARKS.md)
  // and the peers' packages (`npm ci` in ../shared/tools/peer-bench). Without them they are skipped, saying why.
  { name: 'attn-pool-latency', script: 'scripts/bench/attn-pool-latency.mjs', args: ['--model', 'models/runs/neural-diginetica'], requires: 'models/runs/neural-diginetica/manifest.json' },
  { name: 'event-cost-peers', script: 'scripts/bench/event-cost-peers.mjs', args: ['--runs', '3'], requires: '../shared/tools/peer-bench/node_modules' },
];

const sections = [];
const kb = (bytes) => (bytes / 1024).toFixed(2);

if (!opts['skip-build']) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) console.error('[bench] build reported a problem (see above); sizes are still recorded');
}

if (wanted('sizes')) {
  const sizesFile = join(root, 'dist/edgewise/sizes.json');
  if (existsSync(sizesFile)) {
    const sizes = JSON.parse(readFileSync(sizesFile, 'utf8'));
    const rows = Object.entries(sizes)
      .filter(([file]) => !/-chunk-/.test(file))
      .map(([file, s]) => `| ${file.replace('dist/edgewise/', '')} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} |`);
    sections.push(['## Bundle sizes (KB, minified)', '', '| file | min | min+gzip | min+brotli |', '|---|---:|---:|---:|', ...rows].join('\n'));
    writeFileSync(join(out, 'sizes.json'), JSON.stringify(sizes, null, 2));
  }
}

for (const { name, script, args, requires } of SCRIPTS) {
  if (!wanted(name)) continue;
  if (requires && !existsSync(join(root, requires))) {
    console.error(`[bench] ${name}: ${requires} is missing, skipped`);
    sections.push(`## ${name}\n\nSkipped: ${requires} is missing.`);
    continue;
  }
  if (!existsSync(join(root, script))) {
    console.error(`[bench] ${name}: ${script} does not exist yet, skipped`);
    continue;
  }
  const json = join(out, `${name}.json`);
  console.error(`[bench] ${name}: node ${script} ${args.join(' ')}`);
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const res = spawnSync(process.execPath, [...loader, script, ...args, '--json', json], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  process.stdout.write(res.stdout ?? '');
  if (res.status !== 0) {
    sections.push(`## ${name}\n\nFAILED (exit ${res.status}); see the console output.`);
    continue;
  }
  sections.push(`## ${name}\n\n\`node ${script} ${args.join(' ')}\`\n\n${summarize(name, json, res.stdout)}`);
}

function summarize(name, json, stdout) {
  if (name === 'first-recommendation' && existsSync(json)) {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    const f = (x) => x.toFixed(0);
    return [
      '| visit | p50 ms | p95 ms | runs | backend |',
      '|---|---:|---:|---:|---|',
      `| cold (fresh profile, nothing cached) | ${f(r.coldMs.p50)} | ${f(r.coldMs.p95)} | ${r.coldMs.samples.length} | ${r.backend} |`,
      `| warm (second product page, models cached) | ${f(r.warmMs.p50)} | ${f(r.warmMs.p95)} | ${r.warmMs.samples.length} | ${r.backend} |`,
    ].join('\n');
  }
  // Package benchmarks print their own markdown tables; keep the table lines.
  return stdout.split('\n').filter((l) => l.startsWith('|')).join('\n');
}

const m = machine();
const header = `# Benchmark run ${new Date().toISOString()}\n\nMachine: ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB, Node ${m.node}, ${m.chromium}, headless.\n`;
const summary = [header, ...sections].join('\n\n') + '\n';
writeFileSync(join(out, 'summary.md'), summary);
console.log(`\n${summary}`);
console.error(`[bench] summary written to ${join(out, 'summary.md')}`);
