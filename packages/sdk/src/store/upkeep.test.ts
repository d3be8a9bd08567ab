import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile, StoredEvent } from '@edgewise/protocol';
import { applyEvents, emptyProfile } from '../profile/profile.ts';
import { openIdbStore } from './idb-store.ts';
import { memoryStore } from './memory-store.ts';
import { storeOps } from './ops.ts';
import { BATCH_EVENTS_MAX } from './schema.ts';
import type { EventBatch, Store } from './types.ts';
import { planUpkeep } from './upkeep.ts';

const T0 = 1_700_000_000_000;
const ev = (i: number): StoredEvent => ({ id: 'e' + String(i).padStart(6, '0'), name: 'view_item', params: { items: [{ item_id: 'p' + i }] }, ts: T0 + i, sessionId: 's', source: 'api' });
const batch = (from: number, to: number): EventBatch => {
  const events = Array.from({ length: to - from }, (_, k) => ev(from + k));
  return { id: events[0]!.id, first: events[0]!.ts, last: events[events.length - 1]!.ts, events };
};
const ids = (bs: EventBatch[]) => bs.flatMap((b) => b.events.map((e) => e.id));

describe('planUpkeep', () => {
  it('merges many small batches into few, keeping every event once and in order', () => {
    const small = Array.from({ length: 40 }, (_, k) => batch(k * 10, k * 10 + 10));
    const plan = planUpkeep(small, 0, 10_000);
    expect(plan.dropped).toBe(0);
    expect(plan.put).toHaveLength(1);
    expect(ids(plan.put)).toEqual(ids(small));
    expect(new Set(plan.remove)).toEqual(new Set(small.map((b) => b.id)));
  });

  it('leaves big batches that lose nothing alone, and does nothing in a steady state', () => {
    const big = [batch(0, BATCH_EVENTS_MAX), batch(BATCH_EVENTS_MAX, 2 * BATCH_EVENTS_MAX)];
    expect(planUpkeep(big, 0, 10_000)).toMatchObject({ put: [], remove: [], dropped: 0 });
    const steady = planUpkeep([...big, batch(2 * BATCH_EVENTS_MAX, 2 * BATCH_EVENTS_MAX + 5)], 0, 10_000);
    expect(steady).toMatchObject({ put: [], remove: [], dropped: 0 });
    expect(steady.kept).toHaveLength(2 * BATCH_EVENTS_MAX + 5);
  });

  it('drops events older than the cut-off and the oldest beyond the count', () => {
    const bs = [batch(0, 100), batch(100, 200), batch(200, 300)];
    const byAge = planUpkeep(bs, T0 + 150, 10_000);
    expect(byAge.dropped).toBe(150);
    expect(ids(byAge.put)).toEqual(Array.from({ length: 150 }, (_, k) => ev(150 + k).id));
    const byCount = planUpkeep(bs, 0, 120);
    expect(byCount.dropped).toBe(180);
    expect(ids(byCount.put)).toEqual(Array.from({ length: 120 }, (_, k) => ev(180 + k).id));
    expect(byCount.kept.map((e) => e.id)).toEqual(ids(byCount.put));
  });

  it('keeps a duplicated event id once', () => {
    const a = batch(0, 10);
    const dup = { ...batch(5, 15), id: 'other' };
    const plan = planUpkeep([a, dup], 0, 10_000);
    expect(ids(plan.put)).toEqual(Array.from({ length: 15 }, (_, k) => ev(k).id));
    expect(plan.dropped).toBe(5);
  });
});

const stores: Array<[string, () => Promise<Store>]> = [
  ['indexeddb', async () => (await openIdbStore()) as Store],
  ['memory', async () => memoryStore()],
];

describe.each(stores)('the %s store', (_, make) => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
  });
  const fold = (p: unknown, evs: StoredEvent[]) => applyEvents((p as never) ?? emptyProfile(0), evs, () => 'sid');

  it('reads back what was committed; a retried batch replaces itself; upkeep compacts and applies retention', async () => {
    const s = await make();
    for (let k = 0; k < 30; k++) await s.commit(Array.from({ length: 7 }, (_, j) => ev(k * 7 + j)), fold);
    // The same write again (an ambiguous failure retried) with one more event: replaced, not duplicated.
    await s.commit(Array.from({ length: 8 }, (_, j) => ev(203 + j)), fold);
    const ops = storeOps(s);
    expect((await ops.eventsSince(0)).map((e) => e.id)).toEqual(Array.from({ length: 211 }, (_, i) => ev(i).id));
    const r = await ops.upkeep(T0 + 11, 150);
    expect(r.before).toBe(30);
    expect(r.after).toBe(1);
    expect(r.dropped).toBe(61);
    const left = await ops.eventsSince(0);
    expect(left).toHaveLength(150);
    expect(left[0]!.id).toBe(ev(61).id);
    expect((await ops.upkeep(0, 10_000)).after).toBe(1);
    s.close();
  });

  it('a corrupted stored profile is replaced at the next write and rebuilt from every kept event by upkeep', async () => {
    const s = await make();
    const rebuild = (evs: StoredEvent[]) => applyEvents(emptyProfile(evs[0]!.ts), evs, () => 'sid');
    for (let k = 0; k < 4; k++) await s.commit(Array.from({ length: 10 }, (_, j) => ev(k * 10 + j)), fold);
    const ops = storeOps(s);
    if (s.kind === 'indexeddb') {
      // What an older SDK, an extension or a broken disk may leave: a profile that no longer validates. Found by
      // upkeep before any write, it is rebuilt at once.
      const corrupt = { ...emptyProfile(T0), categoryAffinity: { shoes: 'function Object() { [native code] }1' } };
      await s.db.put('profile', corrupt as never, 'main');
      expect((await ops.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
      expect((await ops.dump()).profile?.session.productViews).toBe(40);
      // Found by a write first, it is replaced by that write's events alone, then rebuilt by the next upkeep.
      await s.db.put('profile', corrupt as never, 'main');
      await s.commit(Array.from({ length: 10 }, (_, j) => ev(40 + j)), fold);
      expect((await ops.dump()).profile?.session.productViews).toBe(10); // this write's events alone, for now
      const r = await ops.upkeep(0, 10_000, rebuild);
      expect(r.rebuilt).toBe(true);
      const { profile, meta } = await ops.dump();
      expect(profile).toMatchObject({ session: { productViews: 50 }, recentItems: Array.from({ length: 50 }, (_, i) => 'p' + i) });
      expect(profile?.rev).toEqual(expect.any(String));
      expect(meta.rebuild).toBeUndefined();
      expect((await ops.upkeep(0, 10_000, rebuild)).rebuilt).toBe(false);
    } else expect((await ops.upkeep(0, 10_000, rebuild)).rebuilt).toBe(false);
    // A valid profile is never rebuilt: it may hold more than the events kept (purchases past retention).
    await s.commit([ev(60)], fold);
    expect((await ops.upkeep(0, 10_000, rebuild)).rebuilt).toBe(false);
    s.close();
  });

  it('a tab whose profile came from a corrupted one asks again for the rebuild when it writes blind (page going away)', async () => {
    const tab = await make();
    if (tab.kind !== 'indexeddb') return; // only IndexedDB can hold a corrupted profile
    const rebuild = (evs: StoredEvent[]) => applyEvents(emptyProfile(evs[0]!.ts), evs, () => 'sid');
    const corrupt = () => tab.db.put('profile', { ...emptyProfile(T0), recentItems: 'corrupt' } as never, 'main');
    const other = storeOps((await openIdbStore()) as Store);
    let n = 0;
    const commit = (s: Store, k: number, unloading?: { base: Profile | undefined }) => s.commit(Array.from({ length: k }, () => ev(n++)), fold, unloading);
    await commit(tab, 30);
    for (const seenAtOpen of [false, true]) {
      // The tab's own write finds the corruption, or the tab opens after it and its snapshot sees it.
      await corrupt();
      const s = seenAtOpen ? ((await openIdbStore()) as Store) : tab;
      if (seenAtOpen) expect((await s.snapshot()).profile).toBeUndefined();
      const base = await commit(s, 1);
      // Another tab's upkeep rebuilds the profile from every stored event ...
      expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
      // ... then this tab's page goes away: its write is blind, from the profile it had, and asks for a rebuild.
      await commit(s, 1, { base });
      expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
      expect((await other.dump()).profile).toMatchObject({ session: { productViews: n }, recentItems: Array.from({ length: n }, (_, i) => 'p' + i) });
    }
    // The page goes away while a write that has read the rebuilt profile is still in flight: the blind write beside
    // it folds into the tab's profile from before, so it must still ask for the rebuild.
    await corrupt();
    const before = await commit(tab, 1);
    expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
    let blind: Promise<Profile> | undefined;
    await tab.commit([ev(n++)], (p, evs) => ((blind ??= commit(tab, 1, { base: before })), fold(p, evs)));
    await blind;
    expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
    expect((await other.dump()).profile?.session.productViews).toBe(n);
    // A page left at once after opening: its only write is blind, from nothing.
    await corrupt();
    const brief = (await openIdbStore()) as Store;
    await brief.snapshot();
    await commit(brief, 1, { base: undefined });
    expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(true);
    expect((await other.dump()).profile?.session.productViews).toBe(n);
    // Once its write reads a profile not awaiting a rebuild, the tab's blind writes are plain again.
    await commit(tab, 1);
    await commit(tab, 1, { base: await commit(tab, 1) });
    expect((await other.upkeep(0, 10_000, rebuild)).rebuilt).toBe(false);
  });

  it('upkeep whose write is refused (quota) leaves every batch as it was', async () => {
    const s = await make();
    for (let k = 0; k < 5; k++) await s.commit(Array.from({ length: 3 }, (_, j) => ev(k * 3 + j)), fold);
    const ops = storeOps(s);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      if (s.kind === 'indexeddb') await expect(ops.upkeep(0, 10_000)).rejects.toThrow(/quota/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect((await ops.eventsSince(0)).map((e) => e.id)).toEqual(Array.from({ length: 15 }, (_, i) => ev(i).id));
    s.close();
  });
});
