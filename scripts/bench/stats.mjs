// Small helpers shared by the benchmark scripts: robust summaries and a description of the machine.
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { findChromium } from '../find-chromium.mjs';

export function percentile(samples, p) {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export const median = (samples) => percentile(samples, 50);

export function machine() {
  let chromium = 'unknown';
  try { chromium = execFileSync(findChromium(), ['--version'], { encoding: 'utf8' }).trim(); } catch {}
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, chromium };
}
