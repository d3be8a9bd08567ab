import { cpus } from 'node:os';

/**
 * report.json (every metric, machine-readable) and report.md (the same, for people) of a training run. Both are
 * written by every task so that BENCHMARKS.md rows can be copied from what the command printed.
 */

/** Relative quality change that int8 may cost (`benchmarks.md`: at most 1 % relative). */
export const INT8_MAX_RELATIVE_LOSS = 0.01;

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`;
}

export function commandLine(): string {
  return `npm run train -- ${process.argv.slice(2).join(' ')}`;
}

/** (int8 − float32) / float32 per metric, for metrics where higher is better. */
export function relativeChange(f32: Record<string, number>, q8: Record<string, number>, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const a = f32[k];
    const b = q8[k];
    if (a === undefined || b === undefined) continue;
    out[k] = a === 0 ? (b === 0 ? 0 : Infinity) : (b - a) / a;
  }
  return out;
}

export const pct = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '—' : (v * 100).toFixed(digits));
export const fixed = (v: number | undefined, digits = 4): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function markdownTable(header: string[], rows: string[][], rightAligned: (i: number) => boolean = (i) => i > 0): string {
  const sep = header.map((_, i) => (rightAligned(i) ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
