import type { ShopperSession, VisitorType } from './uci-shoppers.ts';

/**
 * Feature sets for purchase intent. `device` is what ships: every input comes from the SDK's own events, the clock
 * and the local profile (FEATURES.md maps each one to the events that produce it); the runtime computes
 * `deviceFeatures` from the same {@link DeviceIntentInput}. The other sets exist only to measure what the device
 * gives up: Google Analytics' site-wide page metrics (BounceRates, ExitRates, PageValues — the last leaks the label)
 * and the UCI data's opaque integer codes (operating system, browser, region, traffic source).
 */

/** What the runtime knows about the current session, in the units the model was trained on. */
export interface DeviceIntentInput {
  /** Account, cart and checkout pages viewed this session (UCI "Administrative"). */
  adminPages: number;
  adminSeconds: number;
  /** Information pages (about, shipping, returns, FAQ, contact) (UCI "Informational"). */
  infoPages: number;
  infoSeconds: number;
  /** Product, category and search-result pages (UCI "ProductRelated"). */
  productPages: number;
  productSeconds: number;
  /** Local month of the session start, 0 = January. */
  month: number;
  /** Saturday or Sunday, local time. */
  weekend: boolean;
  visitor: VisitorType;
}

export function deviceInputOf(s: ShopperSession): DeviceIntentInput {
  return {
    adminPages: s.administrative,
    adminSeconds: s.administrativeDuration,
    infoPages: s.informational,
    infoSeconds: s.informationalDuration,
    productPages: s.productRelated,
    productSeconds: s.productRelatedDuration,
    month: s.month,
    weekend: s.weekend,
    visitor: s.visitorType,
  };
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Counts and seconds are clamped to sane maxima so a runaway tab cannot push a feature far outside training. */
export const MAX_PAGES = 1000;
export const MAX_SECONDS = 86_400;

const clampNum = (v: number, max: number) => (Number.isFinite(v) ? Math.min(max, Math.max(0, v)) : 0);
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
  const ap = clampNum(x.adminPages, MAX_PAGES), ip = clampNum(x.infoPages, MAX_PAGES), pp = clampNum(x.productPages, MAX_PAGES);
  const am = clampNum(x.adminSeconds, MAX_SECONDS) / 60, im = clampNum(x.infoSeconds, MAX_SECONDS) / 60, pm = clampNum(x.productSeconds, MAX_SECONDS) / 60;
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

export type FeatureVariant = 'device' | 'no-pagevalues' | 'all';
export const VARIANTS: readonly FeatureVariant[] = ['device', 'no-pagevalues', 'all'];

export const VARIANT_NOTES: Record<FeatureVariant, string> = {
  device: 'only what the SDK computes from its own events, clock and profile (shipped)',
  'no-pagevalues': 'every UCI column except PageValues (incl. GA BounceRates/ExitRates, OS/browser/region/traffic codes, SpecialDay)',
  all: 'every UCI column incl. PageValues, which leaks the label (reference only)',
};

export interface FeatureSet {
  names: string[];
  rows: number[][];
}

const OS_CODES = 8, BROWSER_CODES = 13, REGION_CODES = 9, TRAFFIC_CODES = 20;
const oneHot = (v: number, n: number) => Array.from({ length: n }, (_, i) => (v === i + 1 ? 1 : 0));
const range = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}_${i + 1}`);

function analyticsColumns(s: ShopperSession, variant: FeatureVariant, engineered: boolean): number[] {
  if (variant === 'device') return [];
  const rates = engineered ? [Math.sqrt(s.bounceRates), Math.sqrt(s.exitRates)] : [s.bounceRates, s.exitRates];
  const pv = variant === 'all' ? (engineered ? [lg(s.pageValues), s.pageValues > 0 ? 1 : 0] : [s.pageValues]) : [];
  return [...rates, ...pv, s.specialDay, ...oneHot(s.operatingSystems, OS_CODES), ...oneHot(s.browser, BROWSER_CODES), ...oneHot(s.region, REGION_CODES), ...oneHot(s.trafficType, TRAFFIC_CODES)];
}

function analyticsNames(variant: FeatureVariant, engineered: boolean): string[] {
  if (variant === 'device') return [];
  const rates = engineered ? ['sqrt_bounce_rates', 'sqrt_exit_rates'] : ['bounce_rates', 'exit_rates'];
  const pv = variant === 'all' ? (engineered ? ['log_page_values', 'any_page_value'] : ['page_values']) : [];
  return [...rates, ...pv, 'special_day', ...range('os', OS_CODES), ...range('browser', BROWSER_CODES), ...range('region', REGION_CODES), ...range('traffic', TRAFFIC_CODES)];
}

const RAW_DEVICE_NAMES = ['admin_pages', 'admin_seconds', 'info_pages', 'info_seconds', 'product_pages', 'product_seconds', ...MONTH_NAMES.map((m) => `month_${m}`), 'weekend', 'visitor_returning', 'visitor_new'];

/** The columns as they come (numbers as-is, categories one-hot): the input of the plain logistic-regression baseline. */
export function rawFeatures(sessions: readonly ShopperSession[], variant: FeatureVariant): FeatureSet {
  const rows = sessions.map((s) => [
    s.administrative, s.administrativeDuration, s.informational, s.informationalDuration, s.productRelated, s.productRelatedDuration,
    ...MONTH_NAMES.map((_, m) => (m === s.month ? 1 : 0)),
    s.weekend ? 1 : 0, s.visitorType === 'returning' ? 1 : 0, s.visitorType === 'new' ? 1 : 0,
    ...analyticsColumns(s, variant, false),
  ]);
  return { names: [...RAW_DEVICE_NAMES, ...analyticsNames(variant, false)], rows };
}

/** Engineered features: {@link deviceFeatures} plus, for the reference variants, transformed analytics columns. */
export function engineeredFeatures(sessions: readonly ShopperSession[], variant: FeatureVariant): FeatureSet {
  const rows = sessions.map((s) => [...deviceFeatures(deviceInputOf(s)), ...analyticsColumns(s, variant, true)]);
  return { names: [...DEVICE_FEATURES, ...analyticsNames(variant, true)], rows };
}
