import type { PageType } from './events.ts';

/**
 * The shopper's local profile, kept in IndexedDB and updated incrementally per event. It never leaves the device;
 * reports are computed from it and privatized before they are sent.
 */
export interface Profile {
  schemaVersion: 1;
  updatedAt: number;
  /**
   * Random tag of the write that stored this profile. A tab whose last known profile carries the stored tag knows
   * no other tab wrote since, so it can store its own incremental result instead of folding the events again.
   */
  rev?: string;
  /** Decayed interest per top-level category (half-life {@link PROFILE_HALF_LIFE_DAYS}). */
  categoryAffinity: Record<string, number>;
  /** Decayed interest per brand. */
  brandAffinity: Record<string, number>;
  /** The most recent item ids viewed or added, oldest first, at most {@link RECENT_ITEMS_MAX}. */
  recentItems: string[];
  /** Item ids bought, most recent last, at most {@link RECENT_ITEMS_MAX}; recommendations exclude them. */
  purchasedItems: string[];
  /** Item ids currently in the cart. */
  cartItems: string[];
  /**
   * `transaction_id`s of the latest purchases, at most {@link TRANSACTIONS_MAX}: a purchase tracked again under
   * the same id (a reloaded confirmation page) counts once, as in GA4.
   */
  transactions: string[];
  /** Recency / frequency / monetary summary. */
  rfm: { lastPurchaseAt: number | null; purchases: number; revenue: number; sessions: number };
  /** Median-ish price level of viewed items, for price-band features. */
  priceLevel: { sum: number; count: number };
  /** The current session's counters, the inputs of purchase intent. */
  session: SessionFeatures;
}

/** Per-session counters, computed on the device from its own events. */
export interface SessionFeatures {
  sessionId: string;
  startedAt: number;
  lastEventAt: number;
  pageCounts: Partial<Record<PageType, number>>;
  /** Seconds on each page kind. */
  pageSeconds: Partial<Record<PageType, number>>;
  productViews: number;
  addToCarts: number;
  searches: number;
}

/** Half-life of category and brand affinities. */
export const PROFILE_HALF_LIFE_DAYS = 14;
/** Length of the item sequence the models read. */
export const RECENT_ITEMS_MAX = 50;
/** Purchases remembered for de-duplication by `transaction_id`. */
export const TRANSACTIONS_MAX = 20;
