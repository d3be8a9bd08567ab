import { clampInput, MAX_PAGES, MAX_SECONDS, type DeviceIntentInput } from './session-input.ts';

/**
 * Segment features: how a session spends its pages and time across the three page kinds, on a log scale. They come
 * from the same session input as purchase intent; month, weekend and visitor type are left out so that segments
 * describe behaviour, not the calendar.
 */

export const SEGMENT_FEATURES = ['log_product_pages', 'log_product_minutes', 'log_admin_pages', 'log_admin_minutes', 'log_info_pages', 'log_info_minutes'] as const;

export function segmentFeatures(x: DeviceIntentInput): number[] {
  return [
    Math.log1p(clampInput(x.productPages, MAX_PAGES)),
    Math.log1p(clampInput(x.productSeconds, MAX_SECONDS) / 60),
    Math.log1p(clampInput(x.adminPages, MAX_PAGES)),
    Math.log1p(clampInput(x.adminSeconds, MAX_SECONDS) / 60),
    Math.log1p(clampInput(x.infoPages, MAX_PAGES)),
    Math.log1p(clampInput(x.infoSeconds, MAX_SECONDS) / 60),
  ];
}
