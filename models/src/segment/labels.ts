import { SEGMENT_FEATURES } from '@edgewise/protocol/features';

/**
 * Plain-language names for clusters, read off their centroids. Each page kind scores the mean z-score of its page
 * count and minutes (the centroid in standardized units). Below average everywhere: "quick visitors"; well above
 * average on all three kinds: "thorough researchers"; otherwise the kinds above average name it, product pages first
 * (they are most of every session). The description gives the centroid back in pages and minutes.
 */

export interface SegmentLabel {
  id: string;
  label: string;
  description: string;
}

const KINDS = [
  { key: 'product', noun: 'product browsers', pages: 'product pages' },
  { key: 'admin', noun: 'account & checkout users', pages: 'account/cart/checkout pages' },
  { key: 'info', noun: 'information readers', pages: 'information pages' },
] as const;
/** z above which a page kind characterises a segment. */
const NOTABLE_Z = 0.3;
/** z of product use above which browsers are "heavy". */
const HEAVY_Z = 1.2;

function typical(logValue: number): number {
  return Math.expm1(Math.max(0, logValue));
}

function round(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

/**
 * `centroidZ` is [k, d] in standardized units, `centroidLog` the same centroids in the features' own (log) units.
 */
export function labelSegments(centroidZ: Float64Array, centroidLog: Float64Array, k: number): SegmentLabel[] {
  const d = SEGMENT_FEATURES.length;
  const labels: SegmentLabel[] = [];
  for (let j = 0; j < k; j++) {
    const z = (f: number) => centroidZ[j * d + f]!;
    const score = { product: (z(0) + z(1)) / 2, admin: (z(2) + z(3)) / 2, info: (z(4) + z(5)) / 2 };
    const notable = KINDS.filter((kd) => score[kd.key] > NOTABLE_Z).sort((a, b) => score[b.key] - score[a.key]);
    let label: string;
    if (!notable.length) label = Math.max(score.product, score.admin, score.info) < -NOTABLE_Z ? 'Quick visitors' : 'Average visitors';
    else if (notable.length === KINDS.length) label = 'Thorough researchers';
    else {
      const head = notable.find((kd) => kd.key === 'product') ?? notable[0]!;
      const others = notable.filter((kd) => kd !== head);
      const heavy = head.key === 'product' && score.product > HEAVY_Z ? 'Heavy ' : '';
      label = heavy + head.noun + (others.length ? ` who also use ${others.map((kd) => kd.pages).join(' and ')}` : '');
      label = label[0]!.toUpperCase() + label.slice(1);
    }
    const v = (f: number) => typical(centroidLog[j * d + f]!);
    const description = `typical session: ${round(v(0))} product pages (${round(v(1))} min), ${round(v(2))} account/cart/checkout pages (${round(v(3))} min), ${round(v(4))} information pages (${round(v(5))} min)`;
    labels.push({ id: `s${j}`, label, description });
  }
  // Two clusters can earn the same words; number them so the runtime's labels stay distinct.
  const seen = new Map<string, number>();
  for (const l of labels) {
    const n = (seen.get(l.label) ?? 0) + 1;
    seen.set(l.label, n);
    if (n > 1) l.label = `${l.label} (${n})`;
  }
  return labels;
}
