import { clampInput, MAX_PAGES, MAX_SECONDS, type DeviceIntentInput } from './session-input.ts';

/**
 * The purchase-intent feature vector (models/src/intent/FEATURES.md §2): training computes it from UCI sessions,
 * the worker from the SDK's session counters, with this one function.
 */

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const lg = Math.log1p;

/** Names of the engineered device features, in vector order. */
export const DEVICE_FEATURES: readonly string[] = [
  'log_admin_pages', 'log_admin_minutes', 'log_info_pages', 'log_info_minutes', 'log_product_pages', 'log_product_minutes',
  'log_total_pages', 'log_total_minutes', 'log_minutes_per_product_page', 'product_page_share',
  'any_admin', 'any_info',
  ...MONTH_NAMES.map((m) => `month_${m}`),
  'weekend', 'visitor_returning', 'visitor_new',
];

/** Engineered features for the shipped model: log scales, per-page dwell, page-type mix, month, weekend, visitor. */
export function deviceFeatures(x: DeviceIntentInput): number[] {
  const ap = clampInput(x.adminPages, MAX_PAGES), ip = clampInput(x.infoPages, MAX_PAGES), pp = clampInput(x.productPages, MAX_PAGES);
  const am = clampInput(x.adminSeconds, MAX_SECONDS) / 60, im = clampInput(x.infoSeconds, MAX_SECONDS) / 60, pm = clampInput(x.productSeconds, MAX_SECONDS) / 60;
  const pages = ap + ip + pp;
  const month = Number.isInteger(x.month) && x.month >= 0 && x.month < 12 ? x.month : -1;
  return [
    lg(ap), lg(am), lg(ip), lg(im), lg(pp), lg(pm),
    lg(pages), lg(am + im + pm), lg(pp > 0 ? pm / pp : 0), pages > 0 ? pp / pages : 0,
    ap > 0 ? 1 : 0, ip > 0 ? 1 : 0,
    ...MONTH_NAMES.map((_, m) => (m === month ? 1 : 0)),
    x.weekend ? 1 : 0, x.visitor === 'returning' ? 1 : 0, x.visitor === 'new' ? 1 : 0,
  ];
}
