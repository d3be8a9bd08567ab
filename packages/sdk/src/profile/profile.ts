import { PROFILE_HALF_LIFE_DAYS, RECENT_ITEMS_MAX, TRANSACTIONS_MAX, type EventItem, type Profile, type StoredEvent } from '@edgewise/protocol';
import { AFFINITY_KEYS_MAX, AFFINITY_MIN, SESSION_GAP_MS, STRING_MAX } from '../shared/constants.ts';

/**
 * The local profile, folded one event at a time. Each update touches only the event's items and the handful of
 * affinity keys (bounded by {@link AFFINITY_KEYS_MAX}), never the stored history.
 */

const HALF_LIFE_MS = PROFILE_HALF_LIFE_DAYS * 86_400_000;
const DECAY_STEP_MS = 60_000;
/** How much one event says about interest in its items' category and brand. */
const WEIGHT: Partial<Record<StoredEvent['name'], number>> = { select_item: 0.5, view_item: 1, add_to_cart: 3, begin_checkout: 2, purchase: 5 };

export function emptyProfile(now: number): Profile {
  return {
    schemaVersion: 1,
    updatedAt: now,
    categoryAffinity: {},
    brandAffinity: {},
    recentItems: [],
    purchasedItems: [],
    cartItems: [],
    transactions: [],
    rfm: { lastPurchaseAt: null, purchases: 0, revenue: 0, sessions: 0 },
    priceLevel: { sum: 0, count: 0 },
    session: { sessionId: '', startedAt: 0, lastEventAt: 0, pageCounts: {}, pageSeconds: {}, productViews: 0, addToCarts: 0, searches: 0 },
  };
}

/** A deep copy, within the lists' bounds. */
export function cloneProfile(p: Profile): Profile {
  return settleProfile(JSON.parse(JSON.stringify(p)) as Profile);
}

/** The cart holds more items than the recent lists: a big basket is still one basket. */
const CART_ITEMS_MAX = 200;

/**
 * The ids in each recent-items list, so that a new id (the usual case) is not searched for in up to 200 others.
 * Only {@link pushRecent} and {@link settleProfile} change a list in place; lists replaced or copied get their own
 * set on first use.
 */
const members = new WeakMap<string[], Set<string>>();

/**
 * Appends `id` (moving it to the end if present). A list may run up to half its bound past it before its oldest
 * ids are cut in one block: the live profile's lists live long enough to reach V8's old generation, where one
 * `shift()` per event moves every element under the write barrier — 3.5× the cost of the whole push (measured in
 * Chromium 156). Cut to the bound, the list is the same as with exact eviction; {@link settleProfile} does that
 * before a profile leaves the page's working copy.
 */
function pushRecent(list: string[], id: string, max = RECENT_ITEMS_MAX): void {
  let set = members.get(list);
  if (!set) {
    members.set(list, (set = new Set(list)));
    // A cart taken from a view_cart listing may name an item twice: keep one, as the set does.
    if (set.size < list.length) list.splice(0, list.length, ...set);
  }
  if (set.has(id)) list.splice(list.lastIndexOf(id), 1);
  else set.add(id);
  if (list.push(id) > max + (max >> 1)) cut(list, max);
}

function cut(list: string[], max: number): void {
  const set = members.get(list);
  for (const gone of list.splice(0, list.length - max)) set?.delete(gone);
}

/** Cuts every list to its bound, in place; a stored or shared profile always is within them. */
export function settleProfile(p: Profile): Profile {
  cut(p.recentItems, RECENT_ITEMS_MAX);
  cut(p.purchasedItems, RECENT_ITEMS_MAX);
  cut(p.cartItems, CART_ITEMS_MAX);
  cut(p.transactions, TRANSACTIONS_MAX);
  return p;
}

/** Multiplies every score by `factor` and prunes the ones that became negligible. */
function decay(scores: Record<string, number>, factor: number): void {
  for (const k in scores) if ((scores[k]! *= factor) < AFFINITY_MIN) delete scores[k];
}

/** Adds `n` to `rec[k]`. */
function add(rec: Partial<Record<string, number>>, k: string | undefined, n: number | undefined): void {
  if (k && n) rec[k] = (rec[k] ?? 0) + n;
}

/** Adds `w` to `key`; a new key beyond {@link AFFINITY_KEYS_MAX} evicts the smallest ones. */
function bump(scores: Record<string, number>, key: string | undefined, w: number): void {
  if (!key || !w) return;
  const k = key.slice(0, STRING_MAX);
  // Own keys only: a category named `constructor` or `toString` must not find Object.prototype's method.
  if (Object.hasOwn(scores, k)) return void (scores[k]! += w);
  scores[k] = w;
  const keys = Object.keys(scores);
  if (keys.length > AFFINITY_KEYS_MAX) for (const drop of keys.sort((a, b) => scores[b]! - scores[a]!).slice(AFFINITY_KEYS_MAX)) delete scores[drop];
}

/**
 * Brings a profile whose times lie ahead of the device clock back to it (mutating it): the clock ran ahead, then
 * was set right. Otherwise the session of those events would stay open and every new event would weigh as long
 * past, until the real clock caught up. An event that merely arrives late (another tab) never triggers this: it is
 * the profile's times against the clock, not an event's.
 */
export function clampToClock(p: Profile, now: number): Profile {
  const ahead = now + SESSION_GAP_MS;
  if (p.updatedAt > ahead) p.updatedAt = now;
  if (p.session.lastEventAt > ahead) p.session.lastEventAt = 0; // the next event opens a session
  if (p.rfm.lastPurchaseAt! > ahead) p.rfm.lastPurchaseAt = now;
  return p;
}

/**
 * Folds one event into the profile (mutating it) and stamps the event with its session id. Events may arrive
 * slightly out of order (several tabs): an older event is weighted by its own age instead of rewinding time.
 */
export function applyEvent(p: Profile, e: StoredEvent, newId: () => string): void {
  let session = p.session;
  // Engagement is reported when a page is left, possibly long after the shopper's last action: it belongs to the
  // session it measured and never opens one.
  const engagement = e.name === 'user_engagement';
  if (!engagement && (!session.sessionId || e.ts - session.lastEventAt > SESSION_GAP_MS)) {
    session = p.session = { ...emptyProfile(0).session, sessionId: newId(), startedAt: e.ts, lastEventAt: e.ts };
    p.rfm.sessions++;
  }
  e.sessionId = session.sessionId;
  if (!engagement) session.lastEventAt = Math.max(session.lastEventAt, e.ts);
  const { params } = e;
  if (e.name === 'purchase' && params.transaction_id) {
    if (p.transactions.includes(params.transaction_id)) return;
    pushRecent(p.transactions, params.transaction_id, TRANSACTIONS_MAX);
  }

  // Scores are kept as of p.updatedAt: moving time forward decays them all; an older event counts for less. Time
  // moves in steps of a minute at least, so a burst of events does not rescale every score each time (an event
  // less than a minute newer counts at most 0.0035 % more than exact decay would give it).
  let w = WEIGHT[e.name] ?? 0;
  const age = e.ts - p.updatedAt;
  if (age >= DECAY_STEP_MS) {
    const f = Math.pow(2, -age / HALF_LIFE_MS);
    decay(p.categoryAffinity, f);
    decay(p.brandAffinity, f);
    p.updatedAt = e.ts;
  } else if (age < 0) w *= Math.pow(2, age / HALF_LIFE_MS);

  const items = params.items ?? [];
  for (const it of items) {
    bump(p.categoryAffinity, it.item_category, w);
    bump(p.brandAffinity, it.item_brand, w);
  }
  const pt = params.page_type;
  switch (e.name) {
    case 'page_view':
      add(session.pageCounts, pt, 1);
      add(session.pageSeconds, pt, params.engagement_time_sec);
      break;
    case 'user_engagement':
      // Visible seconds on a page of this kind (collect/engagement.ts): the intent model's *_Duration inputs.
      add(session.pageSeconds, pt, params.engagement_time_sec);
      break;
    case 'view_item':
      session.productViews++;
      for (const it of items) {
        pushRecent(p.recentItems, it.item_id);
        if (it.price! >= 0) {
          p.priceLevel.sum += it.price!;
          p.priceLevel.count++;
        }
      }
      break;
    case 'add_to_cart':
      session.addToCarts++;
      for (const it of items) {
        pushRecent(p.recentItems, it.item_id);
        pushRecent(p.cartItems, it.item_id, CART_ITEMS_MAX);
      }
      break;
    case 'remove_from_cart': {
      const gone = items.map((i) => i.item_id);
      p.cartItems = p.cartItems.filter((id) => !gone.includes(id));
      break;
    }
    case 'view_cart':
    case 'begin_checkout':
      // These events list the whole cart: take it as the truth.
      if (items.length) p.cartItems = [...new Set(items.map((i) => i.item_id))];
      break;
    case 'purchase':
      for (const it of items) pushRecent(p.purchasedItems, it.item_id);
      p.cartItems = [];
      p.rfm.purchases++;
      p.rfm.revenue += params.value ?? items.reduce((sum, it) => sum + (it.price ?? 0) * (it.quantity ?? 1), 0);
      p.rfm.lastPurchaseAt = Math.max(p.rfm.lastPurchaseAt ?? 0, e.ts);
      break;
    case 'refund':
      p.rfm.revenue = Math.max(0, p.rfm.revenue - (params.value ?? 0));
      break;
    case 'search':
      session.searches++;
  }
}

/** Folds a batch in order; returns the same profile object, settled. */
export function applyEvents(p: Profile, events: StoredEvent[], newId: () => string): Profile {
  for (const e of events) applyEvent(p, e, newId);
  return settleProfile(p);
}
