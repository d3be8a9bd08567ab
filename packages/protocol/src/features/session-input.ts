import type { PageType } from '../events.ts';
import type { SessionFeatures } from '../profile.ts';

/**
 * What purchase intent and segments know about the current session, in the units the models were trained on
 * (UCI online shoppers' three page kinds), and how the SDK's session counters map onto it. The mapping is
 * models/src/intent/FEATURES.md §1; the worker applies it to every intent and segment request.
 */
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
  /** UCI's `Other` has no device counterpart; the device only ever says 'returning' or 'new'. */
  visitor: 'returning' | 'new' | 'other';
}

/** Page kinds per UCI column. `confirmation` is in none: the thank-you page is the purchase, counting it leaks the label. */
export const PRODUCT_PAGE_TYPES: readonly PageType[] = ['product', 'category', 'search', 'home'];
export const ADMIN_PAGE_TYPES: readonly PageType[] = ['cart', 'checkout', 'other'];
export const INFO_PAGE_TYPES: readonly PageType[] = ['info'];

function sum(counts: SessionFeatures['pageCounts'] | undefined, kinds: readonly PageType[]): number {
  let s = 0;
  for (const k of kinds) {
    const v = counts?.[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) s += v;
  }
  return s;
}

/**
 * The model input for a session of the SDK's profile: pages and seconds summed per UCI page kind, month and
 * weekend from `startedAt` in the local calendar, visitor from whether the profile saw an earlier session.
 */
export function deviceInputFromSession(session: Pick<SessionFeatures, 'startedAt' | 'pageCounts' | 'pageSeconds'>, returningVisitor: boolean): DeviceIntentInput {
  const start = new Date(session.startedAt);
  const valid = Number.isFinite(start.getTime());
  const day = valid ? start.getDay() : -1;
  return {
    adminPages: sum(session.pageCounts, ADMIN_PAGE_TYPES),
    adminSeconds: sum(session.pageSeconds, ADMIN_PAGE_TYPES),
    infoPages: sum(session.pageCounts, INFO_PAGE_TYPES),
    infoSeconds: sum(session.pageSeconds, INFO_PAGE_TYPES),
    productPages: sum(session.pageCounts, PRODUCT_PAGE_TYPES),
    productSeconds: sum(session.pageSeconds, PRODUCT_PAGE_TYPES),
    month: valid ? start.getMonth() : -1,
    weekend: day === 0 || day === 6,
    visitor: returningVisitor ? 'returning' : 'new',
  };
}

/** Counts and seconds are clamped to sane maxima so a runaway tab cannot push a feature far outside training. */
export const MAX_PAGES = 1000;
export const MAX_SECONDS = 86_400;

export const clampInput = (v: number, max: number): number => (Number.isFinite(v) ? Math.min(max, Math.max(0, v)) : 0);
