import type { Aggregate, AggregatesResponse } from '@edgewise/protocol';
import type { Tally } from '../storage/types.ts';
import { estimateOue, Z_95 } from './oue.ts';

/** Numbers in the answer are rounded to this many decimals: more would be noise about noise. */
const DECIMALS = 4;
const round = (x: number) => Math.round(x * 10 ** DECIMALS) / 10 ** DECIMALS;

/**
 * Turns a site's tallies into the published answer: groups with at least `minReports` reports get de-biased cells
 * with 95 % intervals; smaller groups are withheld and only counted (k-anonymity, architecture invariant 2).
 */
export function publishAggregates(site: string, tallies: readonly Tally[], minReports: number): AggregatesResponse {
  const aggregates: Aggregate[] = [];
  let withheld = 0;
  for (const t of tallies) {
    if (t.reports < minReports) {
      withheld += 1;
      continue;
    }
    aggregates.push({
      kind: t.kind as Aggregate['kind'],
      period: t.period,
      epsilon: t.epsilon,
      reports: t.reports,
      cells: t.buckets.map((bucket, i) => {
        const { estimate, variance } = estimateOue(t.ones[i] ?? 0, t.reports, t.epsilon);
        return { bucket, estimate: round(estimate), ci95: round(Z_95 * Math.sqrt(variance)), share: round(estimate / t.reports) };
      }),
    });
  }
  return { site, minReports, aggregates, withheld };
}
