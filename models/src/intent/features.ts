import { DEVICE_FEATURES, deviceFeatures, type DeviceIntentInput } from '@edgewise/protocol/features';
import type { ShopperSession } from './uci-shoppers.ts';

/**
 * Feature sets for purchase intent. `device` is what ships: every input comes from the SDK's own events, the clock
 * and the local profile (FEATURES.md maps each one to the events that produce it); `deviceFeatures` lives in
 * @edgewise/protocol/features so that the worker computes it with the same code. The other sets exist only to
 * measure what the device gives up: Google Analytics' site-wide page metrics (BounceRates, ExitRates, PageValues — the last leaks the label)
 * and the UCI data's opaque integer codes (operating system, browser, region, traffic source).
 */

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
const lg = Math.log1p;

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
