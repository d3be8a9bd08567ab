import type { CategoryInterestReport, StoredEvent } from '@edgewise/protocol';
import { REPORT_MIN_INTEREST_EVENTS } from '../shared/constants.ts';
import { REPORT_SCHEMA_VERSION } from '../shared/report-limits.ts';
import { oue } from '../privatize/oue.ts';
import type { Domain } from './domain.ts';

/** Events that show interest in their items' category. */
const INTEREST = new Set<string>(['view_item', 'add_to_cart', 'purchase']);

/**
 * Whether a day's events warrant a report: at least {@link REPORT_MIN_INTEREST_EVENTS} interest events whose
 * category is in the domain, or any purchase.
 */
export function dayQualifies(events: StoredEvent[], domain: Domain): boolean {
  let n = 0;
  for (const e of events) {
    if (e.name === 'purchase') return true;
    if (INTEREST.has(e.name) && (e.params.items ?? []).some((it) => domain.match(it.item_category) >= 0)) n++;
  }
  return n >= REPORT_MIN_INTEREST_EVENTS;
}

/** The bucket of the category with the highest decayed affinity that the domain knows; -1 when none. */
export function topCategory(affinity: Record<string, number>, domain: Domain): number {
  let best = -1;
  let bestScore = -Infinity;
  for (const [cat, score] of Object.entries(affinity)) {
    const i = domain.match(cat);
    if (i >= 0 && score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

export interface ReportInput {
  site: string;
  period: string;
  domain: Domain;
  trueIndex: number;
  epsilon: number;
  reportId: string;
  sdkVersion: string;
  random: () => number;
}

/** Builds the privatized report. Only schema fields: no ids, URLs, items or anything about the true value. */
export function buildCategoryReport(r: ReportInput): CategoryInterestReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: r.reportId,
    site: r.site,
    kind: 'category_interest',
    period: r.period,
    mechanism: { name: 'oue', epsilon: r.epsilon },
    buckets: r.domain.buckets.slice(),
    bits: oue(r.trueIndex, r.domain.buckets.length, r.epsilon, r.random),
    sdkVersion: r.sdkVersion,
  };
}
