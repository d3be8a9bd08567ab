import { HISTOGRAM_MAX_BUCKETS } from '../shared/report-limits.ts';
import { isPlainObject } from '../collect/validate.ts';

/**
 * The site's public category domain, from `<modelBaseUrl>/index.json` (`ModelIndex.domains.category`). It is the
 * same for every shopper, so bucketing by it reveals nothing; an event's `item_category` is matched against each
 * entry's id or name, ignoring case, accents and punctuation.
 */

export interface Domain {
  /** Report buckets: the category ids, in index order. */
  buckets: string[];
  /** Index of the bucket a raw category string falls in, or -1. */
  match(category: string | undefined): number;
}

const BUCKET = /^[^\u0000-\u001f<>]{1,64}$/;

/** Lower-case, accents stripped, every run of other characters collapsed to one dash. */
export function slug(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Reads the domain out of a parsed index.json; null when it is missing or too small to report on. */
export function parseDomain(index: unknown): Domain | null {
  const list = isPlainObject(index) && isPlainObject(index.domains) ? index.domains.category : null;
  if (!Array.isArray(list)) return null;
  const buckets: string[] = [];
  const lookup = new Map<string, number>();
  for (const c of list) {
    if (buckets.length >= HISTOGRAM_MAX_BUCKETS) break;
    if (!isPlainObject(c) || typeof c.id !== 'string' || !BUCKET.test(c.id) || buckets.includes(c.id)) continue;
    const i = buckets.push(c.id) - 1;
    for (const key of [c.id, c.name]) if (typeof key === 'string' && slug(key) && !lookup.has(slug(key))) lookup.set(slug(key), i);
  }
  if (buckets.length < 2) return null;
  return { buckets, match: (cat) => (cat ? lookup.get(slug(cat)) ?? -1 : -1) };
}
