import { createHash } from 'node:crypto';
import type { StoredReport, Tally } from './types.ts';

/** Stable key of a category domain: the buckets in order. Hashed, because a domain can be ~4 KB (too long for a key). */
export function domainKey(buckets: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(buckets)).digest('hex');
}

/** What one insert adds to one group's running sums. */
export interface TallyDelta {
  site: string;
  kind: string;
  period: string;
  epsilon: number;
  domain: string;
  buckets: readonly string[];
  reports: number;
  ones: number[];
}

/**
 * Sums newly stored reports per group. Sorted by key, so concurrent writers (PostgreSQL) take row locks in the same
 * order and cannot deadlock.
 */
export function tallyDeltas(reports: readonly StoredReport[]): TallyDelta[] {
  const groups = new Map<string, TallyDelta>();
  for (const r of reports) {
    const domain = domainKey(r.buckets);
    const key = JSON.stringify([r.site, r.kind, r.period, r.epsilon, domain]);
    let g = groups.get(key);
    if (!g) {
      g = { site: r.site, kind: r.kind, period: r.period, epsilon: r.epsilon, domain, buckets: r.buckets, reports: 0, ones: new Array<number>(r.buckets.length).fill(0) };
      groups.set(key, g);
    }
    g.reports += 1;
    r.bits.forEach((bit, i) => {
      if (bit === 1 && i < g.ones.length) g.ones[i]! += 1;
    });
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** The order {@link Storage.tallies} promises: newest period first, then kind, then epsilon, then domain. */
export function sortTallies(tallies: Tally[]): Tally[] {
  return tallies.sort(
    (a, b) =>
      b.period.localeCompare(a.period) ||
      a.kind.localeCompare(b.kind) ||
      a.epsilon - b.epsilon ||
      JSON.stringify(a.buckets).localeCompare(JSON.stringify(b.buckets)),
  );
}

/** Bits as stored: a compact `0101…` string. */
export function encodeBits(bits: readonly (0 | 1)[]): string {
  return bits.join('');
}
