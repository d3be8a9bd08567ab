import { randomUUID } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, type CategoryInterestReport } from '@edgewise/protocol';
import type { StoredReport } from '../storage/types.ts';

/** Test helpers: seeded randomness and report builders. Not used by the server itself. */

/** A small seeded PRNG (mulberry32): deterministic noise for statistical tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A v4-shaped UUID from a seeded source, so test runs are reproducible. */
export function seededUuid(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

/** OUE as the SDK applies it: one-hot of `value`, bit kept with p = 1/2, flipped on with q = 1/(e^ε+1). */
export function privatizeOue(value: number, size: number, epsilon: number, random: () => number): (0 | 1)[] {
  const q = 1 / (Math.exp(epsilon) + 1);
  return Array.from({ length: size }, (_, i) => ((i === value ? random() < 0.5 : random() < q) ? 1 : 0));
}

export const DEMO_BUCKETS = ['apparel', 'books', 'electronics', 'garden', 'grocery', 'toys'];

/** A valid category-interest report; override any field. */
export function makeReport(overrides: Partial<CategoryInterestReport> & Record<string, unknown> = {}): CategoryInterestReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: randomUUID(),
    site: 'demo-shop',
    kind: 'category_interest',
    period: '2025-01-15',
    mechanism: { name: 'oue', epsilon: 2 },
    buckets: [...DEMO_BUCKETS],
    bits: [0, 1, 0, 0, 1, 0],
    sdkVersion: '0.1.0',
    ...overrides,
  } as CategoryInterestReport;
}

/** A report as storage takes it. */
export function makeStored(overrides: Partial<StoredReport> = {}): StoredReport {
  return {
    reportId: randomUUID(),
    site: 'demo-shop',
    kind: 'category_interest',
    period: '2025-01-15',
    epsilon: 2,
    buckets: [...DEMO_BUCKETS],
    bits: [0, 1, 0, 0, 1, 0],
    receivedAt: 1_736_900_000_000,
    ...overrides,
  };
}
