import { EVENT_NAMES, type EventItem, type EventName, type EventParams } from '@edgewise/protocol';
import { ID_MAX, ITEMS_MAX, STRING_MAX } from '../shared/constants.ts';
import { PAGE_SECONDS_MAX } from './engagement.ts';

/**
 * Validation of everything the page hands the SDK. Input is copied field by field into fresh objects of known
 * shape, so cycles, getters on unknown keys, prototypes and huge payloads never reach storage. Unknown keys are
 * ignored; a field of the wrong type is dropped; an event that loses what it needs is dropped whole.
 */

/** Events that mean nothing without at least one item. */
const NEEDS_ITEMS = ['view_item', 'add_to_cart', 'remove_from_cart', 'select_item'];
/** Every PageType: the kinds page_type may hold and a merchant's meta tag may declare (page.ts). */
export const PAGE_TYPES = ['home', 'category', 'product', 'cart', 'checkout', 'confirmation', 'search', 'info', 'other'];

// Field kinds: text (truncated), id (dropped when too long), currency code, page type, then the numeric ones:
// number, count (integer ≥ 0), seconds on one page and percent (counts, clamped to their maximum).
const T = 0, ID = 1, CUR = 2, PAGE = 3, NUM = 4, INT = 5, SEC = 6, PCT = 7;
type Kind = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
type Fields = Record<string, Kind | undefined>;

// Null-prototype tables: a page key such as `toString` or `constructor` is not a field.
const fields = (kinds: Record<string, Kind>): Fields => Object.assign(Object.create(null), kinds);
const ITEM_FIELDS = fields({
  item_id: ID, item_name: T, item_brand: T, item_category: T, item_category2: T, item_category3: T,
  item_category4: T, item_category5: T, item_variant: T, item_list_id: ID, item_list_name: T,
  index: INT, price: NUM, quantity: INT, discount: NUM, coupon: T,
});
const PARAM_FIELDS = fields({
  currency: CUR, value: NUM, transaction_id: ID, search_term: T, item_list_id: ID,
  item_list_name: T, promotion_id: ID, promotion_name: T, creative_name: T, creative_slot: T,
  page_type: PAGE, engagement_time_sec: SEC, scroll_percent: PCT,
});

/** True for `{}` literals and `Object.create(null)`, false for arrays, class instances, DOM nodes, dates, ... */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (!x || typeof x !== 'object' || Object.prototype.toString.call(x) !== '[object Object]') return false;
  const p = Object.getPrototypeOf(x);
  return !p || !Object.getPrototypeOf(p);
}

function field(v: unknown, kind: Kind): unknown {
  if (kind >= NUM) {
    // dataLayer setups often push prices as strings; accept plain decimal strings, with thousands separated by
    // commas too (Shopify's `money_without_currency`: "1,299.00"). No GA4 amount or count is negative (a refund's
    // value is what was refunded): a negative one would subtract from the shopper's revenue.
    if (typeof v === 'string' && /^\s*(\d{1,3}(,\d{3})+|\d{1,12})(\.\d{1,8})?\s*$/.test(v)) v = +v.replace(/,/g, '');
    if (typeof v !== 'number' || !(v >= 0 && v <= 1e9)) return;
    // A tracked user_engagement may not claim more than the SDK itself would measure for one page.
    return kind === NUM ? v : v === Math.round(v) ? Math.min(v, kind === SEC ? PAGE_SECONDS_MAX : kind === PCT ? 100 : v) : undefined;
  }
  if (typeof v === 'number' && isFinite(v) && kind === ID) v = String(v);
  if (typeof v !== 'string' || !(v = v.trim())) return;
  const s = v as string;
  if (kind === CUR) return /^[a-z]{3}$/i.test(s) ? s.toUpperCase() : undefined;
  if (kind === PAGE) return PAGE_TYPES.includes(s) ? s : undefined;
  if (kind === ID) return s.length <= ID_MAX ? s : undefined;
  return s.slice(0, STRING_MAX);
}

function copy(src: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The page's keys, not the table's: an event names a few of the 16 fields, and each value (a getter, maybe) is
  // read once.
  for (const k in src) {
    const kind = fields[k];
    if (kind === undefined) continue;
    const raw = src[k];
    const v = raw == null ? undefined : field(raw, kind);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Universal Analytics' item fields, which gtag.js still accepts and renames: read when `item_id` is missing. */
const UA_ITEM_FIELDS = { id: 'item_id', name: 'item_name', brand: 'item_brand', category: 'item_category', variant: 'item_variant' } as const;

/** Validates one GA4 item; returns the clean copy or the reason it was dropped. */
export function validateItem(x: unknown): EventItem | string {
  if (!isPlainObject(x)) return 'not an object';
  const out = copy(x, ITEM_FIELDS);
  if (!out.item_id)
    for (const [ua, ga4] of Object.entries(UA_ITEM_FIELDS)) {
      const raw = out[ga4] === undefined ? x[ua] : undefined;
      const v = raw == null ? undefined : field(raw, ITEM_FIELDS[ga4]!);
      if (v !== undefined) out[ga4] = v;
    }
  return out.item_id ? (out as unknown as EventItem) : 'no valid item_id';
}

/** A validated event: a known name and params of known shape. */
export interface ValidEvent {
  name: EventName;
  params: EventParams;
}

/**
 * Validates `track(name, params)` input. Returns the clean event, or a reason string when it is dropped. `note`
 * hears what was dropped inside an otherwise valid event (items without ids, ...), for the debug log.
 */
export function validateEvent(name: unknown, params: unknown, note?: (message: string) => void): ValidEvent | string {
  if (!(EVENT_NAMES as readonly unknown[]).includes(name)) return 'unknown event name ' + String(typeof name === 'string' ? name.slice(0, 40) : typeof name);
  const n = name as EventName;
  params ??= {};
  if (!isPlainObject(params)) return n + ': params not an object';
  const out = copy(params, PARAM_FIELDS) as EventParams;
  const items = params.items;
  if (items != null) {
    if (!Array.isArray(items)) return n + ': items not an array';
    const clean: EventItem[] = [];
    for (let i = 0, end = Math.min(items.length, ITEMS_MAX); i < end; i++) {
      const it = validateItem(items[i]);
      if (typeof it === 'string') note?.(n + ': items[' + i + '] dropped, ' + it);
      else clean.push(it);
    }
    if (clean.length) out.items = clean;
  }
  if (NEEDS_ITEMS.includes(n) && !out.items) return n + ': no valid item';
  // Engagement is folded into the profile per page kind; GA4's own user_engagement (no kind) means nothing here.
  return n === 'user_engagement' && !out.page_type ? n + ': no page_type' : { name: n, params: out };
}
