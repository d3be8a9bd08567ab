import { MAX_PAGES, MAX_SECONDS, type DeviceIntentInput } from '../intent/features.ts';

/**
 * Segment features: how a session spends its pages and time across the three page kinds, on a log scale. They come
 * from the same session counters as purchase intent (models/src/intent/FEATURES.md says which SDK events feed
 * them); month, weekend and visitor type are left out so that segments describe behaviour, not the calendar.
 */

export const SEGMENT_FEATURES = ['log_product_pages', 'log_product_minutes', 'log_admin_pages', 'log_admin_minutes', 'log_info_pages', 'log_info_minutes'] as const;

const clampNum = (v: number, max: number) => (Number.isFinite(v) ? Math.min(max, Math.max(0, v)) : 0);

export function segmentFeatures(x: DeviceIntentInput): number[] {
  return [
    Math.log1p(clampNum(x.productPages, MAX_PAGES)),
    Math.log1p(clampNum(x.productSeconds, MAX_SECONDS) / 60),
    Math.log1p(clampNum(x.adminPages, MAX_PAGES)),
    Math.log1p(clampNum(x.adminSeconds, MAX_SECONDS) / 60),
    Math.log1p(clampNum(x.infoPages, MAX_PAGES)),
    Math.log1p(clampNum(x.infoSeconds, MAX_SECONDS) / 60),
  ];
}
