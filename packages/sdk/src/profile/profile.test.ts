import { describe, expect, it } from 'vitest';
import type { EventName, EventParams, StoredEvent } from '@edgewise/protocol';
import { PROFILE_HALF_LIFE_DAYS, TRANSACTIONS_MAX } from '@edgewise/protocol';
import { AFFINITY_KEYS_MAX, SESSION_GAP_MS } from '../shared/constants.ts';
import { isProfile } from '../store/records.ts';
import { applyEvent, applyEvents, clampToClock, cloneProfile, emptyProfile, settleProfile } from './profile.ts';

const T0 = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;
let n = 0;
const ids = () => 's' + ++n;
const ev = (name: EventName, params: EventParams, ts: number): StoredEvent => ({ id: 'e' + ++n, name, params, ts, sessionId: '', source: 'api' });
const view = (item: string, category: string, ts: number, brand?: string) => ev('view_item', { items: [{ item_id: item, item_category: category, item_brand: brand, price: 10 }] }, ts);

describe('the local profile', () => {
  it('decays affinities with the half-life: a view 14 days ago weighs half of one now', () => {
    const p = emptyProfile(T0);
    applyEvents(p, [view('a', 'shoes', T0), view('b', 'bags', T0 + PROFILE_HALF_LIFE_DAYS * DAY)], ids);
    expect(p.categoryAffinity.shoes).toBeCloseTo(0.5, 6);
    expect(p.categoryAffinity.bags).toBeCloseTo(1, 6);
    expect(p.updatedAt).toBe(T0 + PROFILE_HALF_LIFE_DAYS * DAY);
  });

  it('weighs an event that arrives late (another tab) by its own age, without rewinding time', () => {
    const p = emptyProfile(T0);
    applyEvents(p, [view('a', 'shoes', T0 + PROFILE_HALF_LIFE_DAYS * DAY), view('b', 'bags', T0)], ids);
    expect(p.categoryAffinity.bags).toBeCloseTo(0.5, 6);
    expect(p.updatedAt).toBe(T0 + PROFILE_HALF_LIFE_DAYS * DAY);
  });

  it('gives a burst of events within a minute the same scores as exact decay would, to 1e-4', () => {
    const p = emptyProfile(T0);
    const burst = Array.from({ length: 600 }, (_, i) => view('i' + (i % 7), i % 2 ? 'shoes' : 'bags', T0 + i * 100, 'acme'));
    applyEvents(p, burst, ids);
    const exact = (from: number) => burst.filter((_, i) => i % 2 === from).reduce((s, e) => s + Math.pow(2, -(burst.at(-1)!.ts - e.ts) / (PROFILE_HALF_LIFE_DAYS * DAY)), 0);
    // Scores are as of p.updatedAt; bring the exact sums to that time.
    const at = Math.pow(2, (burst.at(-1)!.ts - p.updatedAt) / (PROFILE_HALF_LIFE_DAYS * DAY));
    expect(p.categoryAffinity.shoes! / (exact(1) * at)).toBeCloseTo(1, 4);
    expect(p.categoryAffinity.bags! / (exact(0) * at)).toBeCloseTo(1, 4);
    expect(p.brandAffinity.acme).toBeCloseTo(p.categoryAffinity.shoes! + p.categoryAffinity.bags!, 9);
  });

  it('keeps at most AFFINITY_KEYS_MAX keys, evicting the weakest', () => {
    const p = emptyProfile(T0);
    applyEvent(p, ev('purchase', { items: [{ item_id: 'x', item_category: 'strong' }] }, T0), ids);
    for (let i = 0; i < AFFINITY_KEYS_MAX + 20; i++) applyEvent(p, view('v' + i, 'c' + i, T0 + i), ids);
    expect(Object.keys(p.categoryAffinity)).toHaveLength(AFFINITY_KEYS_MAX);
    expect(p.categoryAffinity.strong).toBeGreaterThan(4);
  });

  it('scores a category or brand named like an Object.prototype member as an ordinary key', () => {
    const p = emptyProfile(T0);
    const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];
    for (const [i, name] of names.entries()) applyEvents(p, [view('i' + i, name, T0 + i, name), view('j' + i, name, T0 + i)], ids);
    for (const name of names.slice(0, 4)) {
      expect(Object.hasOwn(p.categoryAffinity, name)).toBe(true);
      expect(p.categoryAffinity[name]).toBeCloseTo(2, 6);
      expect(p.brandAffinity[name]).toBeCloseTo(1, 6);
    }
    // What is stored reads back as a profile (a string score would fail the check and lose the history).
    expect(isProfile(JSON.parse(JSON.stringify(p)))).toBe(true);
    expect(Object.getPrototypeOf(p.categoryAffinity)).toBe(Object.prototype);
  });

  it('counts a purchase tracked again under the same transaction_id once (a reloaded confirmation page)', () => {
    const p = emptyProfile(T0);
    const buy = (tid: string | undefined, ts: number) => ev('purchase', { transaction_id: tid, value: 30, items: [{ item_id: 'p-' + tid, item_category: 'bags' }] }, ts);
    applyEvents(p, [buy('T1', T0), buy('T1', T0 + 5000), buy('T2', T0 + 6000), buy(undefined, T0 + 7000), buy(undefined, T0 + 8000)], ids);
    expect(p.rfm).toMatchObject({ purchases: 4, revenue: 120, lastPurchaseAt: T0 + 8000 });
    expect(p.categoryAffinity.bags).toBeCloseTo(20, 3);
    expect(p.transactions).toEqual(['T1', 'T2']);
    for (let i = 0; i < 3 * TRANSACTIONS_MAX; i++) applyEvent(p, buy('X' + i, T0 + 10_000 + i), ids);
    expect(settleProfile(p).transactions).toEqual(Array.from({ length: TRANSACTIONS_MAX }, (_, i) => 'X' + (2 * TRANSACTIONS_MAX + i)));
    // Profiles stored before the list existed are still read as profiles.
    const older: Record<string, unknown> = JSON.parse(JSON.stringify(p));
    delete older.transactions;
    expect(isProfile(older)).toBe(true);
    expect(older.transactions).toEqual([]);
  });

  it('brings a profile from a clock that ran ahead back to the clock: a new session, full weights', () => {
    const p = emptyProfile(T0);
    const YEAR = 365 * DAY;
    applyEvents(p, [view('a', 'future', T0 + YEAR), ev('purchase', { items: [{ item_id: 'a' }] }, T0 + YEAR)], ids);
    const wrong = p.session.sessionId;
    // The clock is set right: the next page sees the profile again at T0 + 1 day.
    const now = T0 + DAY;
    clampToClock(p, now);
    expect(p.updatedAt).toBe(now);
    expect(p.rfm.lastPurchaseAt).toBe(now);
    applyEvent(p, view('b', 'shoes', now + 1000), ids);
    expect(p.session.sessionId).not.toBe(wrong);
    expect(p.rfm.sessions).toBe(2);
    expect(p.categoryAffinity.shoes).toBeCloseTo(1, 6);
    expect(p.categoryAffinity.future).toBeCloseTo(1, 6);
    // A profile within the clock is left alone, whatever its events' order.
    const q = applyEvents(emptyProfile(T0), [view('c', 'bags', T0 + DAY)], ids);
    expect(clampToClock(structuredClone(q), T0 + DAY)).toEqual(q);
  });

  it('opens a session after 30 minutes of inactivity, but never for a late user_engagement', () => {
    const p = emptyProfile(T0);
    applyEvent(p, ev('page_view', { page_type: 'product' }, T0), ids);
    const first = p.session.sessionId;
    const engagement = ev('user_engagement', { page_type: 'product', engagement_time_sec: 120, scroll_percent: 80 }, T0 + SESSION_GAP_MS + 60_000);
    applyEvent(p, engagement, ids);
    expect(p.session.sessionId).toBe(first);
    expect(engagement.sessionId).toBe(first);
    expect(p.session.pageSeconds.product).toBe(120);
    expect(p.rfm.sessions).toBe(1);
    applyEvent(p, ev('page_view', { page_type: 'home' }, T0 + SESSION_GAP_MS + 120_000), ids);
    expect(p.session.sessionId).not.toBe(first);
    expect(p.rfm.sessions).toBe(2);
  });

  it('tracks the cart through add, remove, the cart listing and the purchase', () => {
    const p = emptyProfile(T0);
    const item = (id: string) => ({ item_id: id, price: 5, quantity: 2 });
    applyEvents(p, [ev('add_to_cart', { items: [item('a')] }, T0), ev('add_to_cart', { items: [item('b')] }, T0 + 1), ev('remove_from_cart', { items: [item('a')] }, T0 + 2)], ids);
    expect(p.cartItems).toEqual(['b']);
    applyEvent(p, ev('view_cart', { items: [item('b'), item('c')] }, T0 + 3), ids);
    expect(p.cartItems).toEqual(['b', 'c']);
    applyEvent(p, ev('purchase', { transaction_id: 't', items: [item('b'), item('c')] }, T0 + 4), ids);
    expect(p.cartItems).toEqual([]);
    expect(p.purchasedItems).toEqual(['b', 'c']);
    expect(p.rfm).toMatchObject({ purchases: 1, revenue: 20, lastPurchaseAt: T0 + 4 });
  });

  it('keeps recent and cart lists free of repeats, newest last, within their bounds', () => {
    const p = emptyProfile(T0);
    const item = (id: string) => ({ item_id: id });
    applyEvent(p, ev('view_cart', { items: [item('a'), item('b'), item('a')] }, T0), ids);
    applyEvent(p, ev('add_to_cart', { items: [item('a')] }, T0 + 1), ids);
    expect(p.cartItems).toEqual(['b', 'a']);
    for (let i = 0; i < 260; i++) applyEvent(p, ev('add_to_cart', { items: [item('x' + (i % 230))] }, T0 + 2 + i), ids);
    settleProfile(p);
    expect(p.cartItems).toHaveLength(200);
    expect(new Set(p.cartItems).size).toBe(200);
    expect(p.cartItems.at(-1)).toBe('x29');
    expect(p.recentItems).toHaveLength(50);
    expect(new Set(p.recentItems).size).toBe(50);
    expect(p.recentItems.slice(-3)).toEqual(['x27', 'x28', 'x29']);
  });

  it('cuts lists in blocks yet always settles to exact newest-last eviction', () => {
    // Reference: each list is its last `max` distinct ids by latest occurrence.
    const exact = (seq: string[], max: number) => [...new Map(seq.map((id, i) => [id, i])).entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id).slice(-max);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const p = emptyProfile(T0);
    const seen: string[] = [];
    let longest = 0;
    for (let i = 0; i < 1500; i++) {
      const id = 'i' + rand(i % 3 ? 400 : 60);
      seen.push(id);
      applyEvent(p, ev('add_to_cart', { items: [{ item_id: id }] }, T0 + i), ids);
      expect(p.recentItems.length).toBeLessThanOrEqual(75);
      if (i % 97 === 0 || i === 1499) {
        const copy = cloneProfile(p);
        expect(copy.recentItems).toEqual(exact(seen, 50));
        expect(copy.cartItems).toEqual(exact(seen, 200));
      }
      longest = Math.max(longest, p.recentItems.length);
    }
    // Between cuts the working copy does run past the bound (checked above never past half of it again).
    expect(longest).toBeGreaterThan(50);
    expect(settleProfile(p).recentItems).toEqual(exact(seen, 50));
    expect(applyEvents(p, [ev('add_to_cart', { items: [{ item_id: 'last' }] }, T0 + 2000)], ids).cartItems).toEqual(exact([...seen, 'last'], 200));
  });
});
