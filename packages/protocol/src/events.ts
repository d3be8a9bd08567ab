/**
 * Shopper events, in the GA4 ecommerce vocabulary. These are the only event names the SDK records; anything
 * else given to `track()` is dropped with a debug message.
 */

/** GA4 ecommerce and engagement event names that Edgewise understands. */
export const EVENT_NAMES = [
  'page_view',
  'view_item_list',
  'select_item',
  'view_item',
  'add_to_cart',
  'remove_from_cart',
  'view_cart',
  'begin_checkout',
  'add_payment_info',
  'purchase',
  'refund',
  'search',
  'view_promotion',
  'select_promotion',
  'user_engagement',
] as const;

/** One of the GA4 event names in {@link EVENT_NAMES}. */
export type EventName = (typeof EVENT_NAMES)[number];

/** A product as GA4 describes it inside `items[]`. */
export interface EventItem {
  item_id: string;
  item_name?: string;
  item_brand?: string;
  item_category?: string;
  item_category2?: string;
  item_category3?: string;
  item_category4?: string;
  item_category5?: string;
  item_variant?: string;
  item_list_id?: string;
  item_list_name?: string;
  index?: number;
  price?: number;
  quantity?: number;
  discount?: number;
  coupon?: string;
}

/** Parameters of an event; which ones matter depends on the event name (GA4 semantics). */
export interface EventParams {
  items?: EventItem[];
  currency?: string;
  value?: number;
  transaction_id?: string;
  search_term?: string;
  item_list_id?: string;
  item_list_name?: string;
  promotion_id?: string;
  promotion_name?: string;
  creative_name?: string;
  creative_slot?: string;
  page_type?: PageType;
  /**
   * `user_engagement`: seconds the page was visible since the last such event for the same page (the SDK caps a
   * page at 30 minutes).
   */
  engagement_time_sec?: number;
  /** `user_engagement`: how far down the page the shopper has seen, 0..100 (% of the page's height). */
  scroll_percent?: number;
}

/** Coarse page kinds; the purchase-intent features count pages and durations by kind. */
export type PageType = 'home' | 'category' | 'product' | 'cart' | 'checkout' | 'confirmation' | 'search' | 'info' | 'other';

/** Where an event came from, so the debug panel and the inventory can explain it. */
export type EventSource = 'api' | 'datalayer' | 'jsonld' | 'microdata' | 'dom' | 'history' | 'auto';

/**
 * An event as stored on the device (IndexedDB). It never leaves the device: reports are built from profiles,
 * never from raw events.
 */
export interface StoredEvent {
  /** Random id, unique on this device; used to deduplicate across tabs. */
  id: string;
  name: EventName;
  params: EventParams;
  /** Milliseconds since the epoch, from the SDK's clock. */
  ts: number;
  /** Random id of the browsing session (30 minutes of inactivity starts a new one). Local only. */
  sessionId: string;
  source: EventSource;
}
