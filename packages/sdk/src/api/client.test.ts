import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '@edgewise/protocol';
import { makeConfig } from '../loader/config.ts';
import type { PartLoader } from '../shared/parts.ts';
import { openIdbStore } from '../store/idb-store.ts';
import { createClient, type ClientDeps } from './client.ts';

const parts: PartLoader = {
  infer: () => import('../infer/part.ts'),
  ui: () => import('../ui/part.ts'),
  report: () => import('../aggregate/part.ts'),
  privacy: () => import('../transparency/part.ts'),
  memory: () => import('../store/memory-store.ts'),
  upkeep: () => import('../leader/part.ts'),
};

function client(consent: string | null, loader: PartLoader = parts, allowAutomation = false, dataLayer: unknown[] = [], extra: Partial<ClientDeps> = {}) {
  const config = makeConfig({ site: 'demo-shop', endpoint: 'http://localhost:8787', consent, allowAutomation }, 'http://localhost/', []);
  // No network in these tests: reports would go through this, and must not be attempted without consent.
  const requests: string[] = [];
  const fetch = (async (url: string) => (requests.push(String(url)), new Response('{}', { status: 202 }))) as unknown as typeof globalThis.fetch;
  const listeners: Record<string, Array<(e: Event) => void>> = {};
  const env = { dataLayer, addEventListener: (type: string, fn: (e: Event) => void) => void (listeners[type] ??= []).push(fn) };
  const fire = (type: string) => listeners[type]?.forEach((fn) => fn(new Event(type)));
  const c = createClient(config, { parts: loader, env: env as never, fetch, ...extra });
  c.start();
  return { ...c, env, requests, fire };
}

async function databases(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

async function storedEvents(): Promise<Array<{ name: string; params: { items?: Array<{ item_id: string }> } }>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open('edgewise');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const all = await new Promise<Array<{ json: string }>>((resolve) => {
    const r = db.transaction('batches').objectStore('batches').getAll();
    r.onsuccess = () => resolve(r.result);
  });
  db.close();
  return all.flatMap((b) => JSON.parse(b.json));
}

const storedEventNames = async () => (await storedEvents()).map((e) => e.name).sort();
const storedItemIds = async () => (await storedEvents()).flatMap((e) => e.params.items?.map((i) => i.item_id) ?? []);

const flushNow = async (api: { privacy: { export(): Promise<unknown> } }) => {
  // export() reads through the store after the pending writes; it is the public way to observe them.
  await api.privacy.export();
};

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('the SDK core with real (fake-indexeddb) storage', () => {
  it('with consent denied stores nothing, creates no database and sends nothing', async () => {
    const { api, requests } = client('denied');
    api.track('view_item', { items: [{ item_id: 'p0001', item_category: 'kitchen' }] });
    api.track('purchase', { transaction_id: 'T1', value: 10, currency: 'EUR', items: [{ item_id: 'p0001' }] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await databases()).not.toContain('edgewise');
    expect(requests).toEqual([]);
    expect(api.debug.consent).toBe('denied');
  });

  it('with consent pending stores nothing until granted, then keeps what comes after', async () => {
    const { api } = client(null);
    api.track('view_item', { items: [{ item_id: 'early' }] });
    await new Promise((r) => setTimeout(r, 50));
    expect(await databases()).not.toContain('edgewise');
    await api.consent.set('granted');
    api.track('add_to_cart', { items: [{ item_id: 'p0002', item_category: 'audio' }] });
    await flushNow(api);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await storedEventNames()).toContain('add_to_cart');
  });

  it('with consent granted writes dataLayer and track() events to IndexedDB; revoking deletes them', async () => {
    const { api, env } = client('granted');
    env.dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: 'p0003', item_category: 'books' }] } });
    api.track('add_to_cart', { items: [{ item_id: 'p0003' }] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await storedEventNames()).toEqual(expect.arrayContaining(['view_item', 'add_to_cart']));
    await api.consent.set('denied');
    await new Promise((r) => setTimeout(r, 100));
    expect(await databases()).not.toContain('edgewise');
  });

  it('junk given to every public call never throws', async () => {
    const { api } = client('granted');
    const junk: unknown[] = [undefined, null, 1, 'x', {}, [], () => {}, Symbol('s'), { items: [{ item_id: {} }] }, 'x'.repeat(100_000)];
    for (const a of junk) {
      for (const b of junk) expect(() => (api.track as (x: unknown, y: unknown) => void)(a, b)).not.toThrow();
      expect(() => (api.on as (x: unknown, y: unknown) => unknown)(a, a)).not.toThrow();
      let threw = false;
      try {
        await (api.consent.set as (x: unknown) => Promise<unknown>)(a);
        await (api.recommend as (x: unknown) => Promise<unknown>)(a).catch(() => (threw = true));
      } catch {
        threw = true;
      }
      expect(threw, `consent.set/recommend(${String(typeof a)})`).toBe(false);
    }
  });

  it('two tabs writing in turns fold every event into the one stored profile, once', async () => {
    const a = client('granted');
    const b = client('granted');
    const buy = (api: typeof a.api, i: number) =>
      api.track('purchase', { transaction_id: 'T' + i, value: 10, currency: 'EUR', items: [{ item_id: 'p' + i, item_category: 'books' }] });
    for (let round = 0; round < 4; round++) {
      buy(a.api, round * 2);
      await flushNow(a.api);
      buy(b.api, round * 2 + 1);
      buy(b.api, 100 + round);
      await flushNow(b.api);
    }
    const dump = (await a.api.privacy.export()) as { events: Array<{ id: string }>; profile: { rfm: { purchases: number; revenue: number }; purchasedItems: string[] } };
    expect(dump.events).toHaveLength(12);
    expect(new Set(dump.events.map((e) => e.id)).size).toBe(12);
    expect(dump.profile.rfm.purchases).toBe(12);
    expect(dump.profile.rfm.revenue).toBe(120);
    expect(dump.profile.purchasedItems).toHaveLength(12);
  });

  it('consent withdrawn while the store opens: nothing stored before comes back into the page\u2019s profile', async () => {
    const seen: Profile[] = [];
    const infer = async () => ({ ...(await parts.infer()), createRecommender: () => ({ prepare() {}, recommend: async (_o: unknown, p: Profile) => (seen.push(structuredClone(p)), { items: [], source: 'none' as const, backend: null }) }) });
    const first = client('granted');
    first.api.track('purchase', { transaction_id: 'T1', value: 10, items: [{ item_id: 'p1' }] });
    await flushNow(first.api);
    const next = client('granted', { ...parts, infer }); // the next page: start() opens the store ...
    await next.api.consent.set('denied'); // ... and consent is withdrawn before it has
    expect(await databases()).not.toContain('edgewise');
    await next.api.recommend();
    expect(seen.at(-1)!.rfm.purchases).toBe(0);
    expect(seen.at(-1)!.purchasedItems).toEqual([]);
  });

  it('consent withdrawn and granted again at once: what comes after the grant is stored, in a new database', async () => {
    const { api } = client('granted');
    api.track('view_item', { items: [{ item_id: 'before' }] });
    await flushNow(api);
    // The shopper's next action comes as soon as the grant has taken effect, while the deletion is still going on.
    api.on('consent', (c) => {
      if (c.state !== 'granted') return;
      api.track('add_to_cart', { items: [{ item_id: 'after' }] });
      void api.privacy.export(); // written at once
    });
    await Promise.all([api.consent.set('denied'), api.consent.set('granted')]);
    await flushNow(api);
    expect(await storedEventNames()).toEqual(['add_to_cart']);
    expect(api.debug.storage).toBe('indexeddb');
  });

  it('an open that waits behind a deletion another tab holds up falls back to memory, and keeps the page\u2019s events', async () => {
    const { api } = client('granted', parts, false, [], { openStore: (o) => openIdbStore({ ...o, openTimeoutMs: 300 }) });
    api.track('view_item', { items: [{ item_id: 'a' }] });
    await flushNow(api);
    // An old tab that holds the database and ignores versionchange: forget() cannot finish the deletion.
    const old = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open('edgewise');
      r.onsuccess = () => resolve(r.result);
    });
    old.onversionchange = null;
    expect(await api.privacy.forget()).toBe(false);
    api.track('add_to_cart', { items: [{ item_id: 'b' }] });
    const exported = (await api.privacy.export()) as { events: Array<{ name: string }> };
    expect(api.debug).toMatchObject({ storage: 'memory', storageReason: 'blocked', pendingEvents: 0 });
    expect(exported.events.map((e) => e.name)).toEqual(['add_to_cart']);
    old.close();
  }, 15_000);

  it('a memory part that failed to load is loaded again at the next write', async () => {
    let loads = 0;
    const memory = () => (++loads === 1 ? Promise.reject(new Error('chunk failed to load')) : parts.memory());
    const { api } = client('granted', { ...parts, memory }, false, [], { openStore: async () => 'unsupported' as const });
    api.track('view_item', { items: [{ item_id: 'a' }] });
    await new Promise((r) => setTimeout(r, 2500));
    expect(loads).toBeGreaterThan(1);
    expect(api.debug.pendingEvents).toBe(0);
  }, 10_000);

  it('counts a product announced twice on one page once, also under two ids with one name (dataLayer and JSON-LD)', async () => {
    const dataLayer: unknown[] = [];
    const { api } = client('granted', parts, false, dataLayer);
    dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: '8123456789', item_name: 'linen shirt', price: 39 }] } });
    api.track('view_item', { items: [{ item_id: 'SKU-RED-M', item_name: 'Linen Shirt' }] });
    api.track('view_item', { items: [{ item_id: 'SKU-RED-M' }] });
    // A variant chosen: the theme pushes the variant's id under the same name (GTM4WP, Elevar).
    dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: '8123456790', item_name: 'Linen Shirt', item_brand: 'Acme' }] } });
    api.track('view_item', { items: [{ item_id: 'SKU-TEE', item_name: 'Cotton Tee' }] }); // another product: a quick view
    // Look-alikes of two brands are two products; a third announcement without a brand cannot be told apart.
    api.track('view_item', { items: [{ item_id: 'MUG-1', item_name: 'Classic Mug', item_brand: 'Acme' }] });
    api.track('view_item', { items: [{ item_id: 'MUG-2', item_name: 'Classic Mug', item_brand: 'Hearth & Co' }] });
    api.track('view_item', { items: [{ item_id: 'MUG-3', item_name: 'classic mug' }] });
    // After the other brand's quick view, a variant of the first is still the first.
    api.track('view_item', { items: [{ item_id: 'MUG-1-BLUE', item_name: 'Classic Mug', item_brand: 'ACME' }] });
    await flushNow(api);
    expect(await storedItemIds()).toEqual(['8123456789', 'SKU-TEE', 'MUG-1', 'MUG-2']);
  });

  it('flags inhuman rates from what the shopper does on the page, not from the backlog or from impressions', async () => {
    const list = (i: number) => ({ event: 'view_item_list', ecommerce: { items: [{ item_id: 'l' + i }] } });
    // A page that pushed 70 impressions before the tag ran, then scrolls a grid that pushes one per card.
    const { api } = client('granted', parts, false, Array.from({ length: 70 }, (_, i) => list(i)));
    for (let i = 0; i < 70; i++) api.track('view_item_list', { items: [{ item_id: 'm' + i }] });
    for (let i = 0; i < 50; i++) api.track('add_to_cart', { items: [{ item_id: 'a' + i }] });
    expect(api.debug.automation).toBeUndefined();
    await flushNow(api);
    expect((await storedEventNames()).filter((n) => n === 'add_to_cart')).toHaveLength(50);
    for (let i = 0; i < 20; i++) api.track('add_to_cart', { items: [{ item_id: 'b' + i }] });
    expect(api.debug.automation).toBe('event-rate');
  });

  it('does not count a dataLayer array the page assigns after the tag (read at DOMContentLoaded) toward the event rate', async () => {
    const listeners: Record<string, Array<() => void>> = {};
    const on = (type: string, fn: () => void) => void (listeners[type] ??= []).push(fn);
    // Just enough of a document still loading for the page watchers, which read nothing from it here.
    const document = { readyState: 'loading', addEventListener: on, querySelector: () => null, querySelectorAll: () => [] };
    const env: { dataLayer: unknown[] } = { dataLayer: [] };
    const { api } = client('granted', parts, false, [], { env: Object.assign(env, { document, addEventListener: on }) as never });
    // GTM's classic snippet below a synchronous tag assigns `dataLayer = [...]`, here holding a long page's pushes.
    env.dataLayer = Array.from({ length: 80 }, (_, i) => ({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'p' + i }] } }));
    listeners.DOMContentLoaded!.forEach((fn) => fn());
    expect(api.debug.automation).toBeUndefined();
    await flushNow(api);
    expect((await storedEventNames()).filter((n) => n === 'add_to_cart')).toHaveLength(80);
    // What the shopper does after that still counts.
    for (let i = 0; i < 70; i++) env.dataLayer.push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'q' + i }] } });
    expect(api.debug.automation).toBe('event-rate');
  });

  it('keeps working when the page froze its dataLayer: what it held is read, the rest of the SDK starts', async () => {
    const frozen = Object.freeze([{ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'early' }] } }]);
    const { api } = client('granted', parts, false, frozen as unknown[]);
    expect(api.debug.log.map((l) => l.msg)).toContain('window.dataLayer is not an array, or frozen');
    api.track('view_item', { items: [{ item_id: 'later' }] });
    await flushNow(api);
    expect(await storedEventNames()).toEqual(['add_to_cart', 'view_item']);
  });

  for (const how of ['BroadcastChannel', 'the deletion itself (no BroadcastChannel, or its message late)'])
  it(`privacy.forget() in one tab: another open tab lets go of what it holds too, and does not write it back (told by ${how})`, async () => {
    const listeners: Record<string, Array<(e: Event) => void>> = {};
    const channel = how === 'BroadcastChannel' ? { BroadcastChannel } : {};
    const tab = () => client('granted', parts, false, [], { env: { dataLayer: [], ...channel, addEventListener: (type: string, fn: (e: Event) => void) => void (listeners[type] ??= []).push(fn) } as never });
    const a = tab();
    const b = tab();
    a.api.track('purchase', { transaction_id: 'T1', value: 10, currency: 'EUR', items: [{ item_id: 'old', item_category: 'books' }] });
    await flushNow(a.api);
    // Tracked in tab A just before the shopper asks, in tab B, to forget everything: still waiting to be written.
    a.api.track('view_item', { items: [{ item_id: 'seen-before', item_category: 'books' }] });
    expect(await b.api.privacy.forget()).toBe(true);
    await new Promise((r) => setTimeout(r, 50)); // the channel's message reaches tab A
    a.api.track('view_item', { items: [{ item_id: 'after', item_category: 'toys' }] });
    listeners.pagehide?.forEach((fn) => fn(new Event('pagehide')));
    await new Promise((r) => setTimeout(r, 200));
    const dump = (await b.api.privacy.export()) as { events: Array<{ params: { items: Array<{ item_id: string }> } }>; profile: Profile };
    expect(dump.events.map((e) => e.params.items[0]!.item_id)).toEqual(['after']);
    expect(dump.profile.recentItems).toEqual(['after']);
    expect(dump.profile.rfm.purchases).toBe(0);
  });

  it('consent withdrawn and granted again in one tab: another tab that hears of it late deletes nothing stored since', async () => {
    // Another tab's BroadcastChannel messages arrive late (the browser orders them freely against IndexedDB events).
    class LateChannel extends BroadcastChannel {
      override set onmessage(fn: ((m: MessageEvent) => void) | null) {
        super.onmessage = fn && ((m: MessageEvent) => void setTimeout(() => fn(m), 150));
      }
      override get onmessage(): ((m: MessageEvent) => void) | null {
        return super.onmessage as never;
      }
    }
    const tab = (Channel: typeof BroadcastChannel) => client('granted', parts, false, [], { env: { dataLayer: [], BroadcastChannel: Channel, addEventListener: () => {} } as never });
    const a = tab(BroadcastChannel);
    const b = tab(LateChannel);
    a.api.track('view_item', { items: [{ item_id: 'old' }] });
    await flushNow(a.api);
    b.api.track('view_item', { items: [{ item_id: 'old-b' }] });
    await flushNow(b.api);
    await a.api.consent.set('denied');
    await a.api.consent.set('granted');
    a.api.track('view_item', { items: [{ item_id: 'after-grant' }] });
    await new Promise((r) => setTimeout(r, 400)); // tab B handles 'denied', then 'granted'
    const dump = (await a.api.privacy.export()) as { events: Array<{ params: { items: Array<{ item_id: string }> } }> };
    expect(dump.events.map((e) => e.params.items[0]!.item_id)).toEqual(['after-grant']);
  });

  it('a write as the page goes away, beside a write in flight, keeps both writes\u2019 events in the stored profile', async () => {
    const { api, fire } = client('granted');
    const buy = (i: number) => api.track('purchase', { transaction_id: 'T' + i, value: 10, currency: 'EUR', items: [{ item_id: 'p' + i }] });
    buy(0);
    await flushNow(api);
    buy(1);
    const inFlight = flushNow(api); // an ordinary write of T1 ...
    await new Promise((r) => setTimeout(r, 0));
    buy(2);
    fire('pagehide'); // ... and the urgent one of T2 beside it, blind
    await inFlight;
    const dump = (await api.privacy.export()) as { events: unknown[]; profile: Profile };
    expect(dump.events).toHaveLength(3);
    expect(dump.profile.rfm.purchases).toBe(3);
    expect(dump.profile.purchasedItems).toEqual(['p0', 'p1', 'p2']);
  });

  it('the profile recommend() sees has every accepted event folded in exactly once, whenever it is asked', async () => {
    // Events are folded into the live profile lazily (at a write, a read or a full batch): this pins that none is
    // folded twice or skipped, across writes in flight, a full batch, consent changes and the unload path.
    const seen: Profile[] = [];
    const infer = async () => ({
      ...(await parts.infer()),
      createRecommender: () => ({
        prepare() {},
        recommend: async (_o: unknown, profile: Profile) => (seen.push(structuredClone(profile)), { items: [], source: 'none' as const, backend: null }),
      }),
    });
    // Opted in like our browser tests: hundreds of events in a second would otherwise flag the page as automated.
    const { api, fire } = client('granted', { ...parts, infer }, true);
    let carts = 0;
    const add = (n: number) => {
      for (let i = 0; i < n; i++) api.track('add_to_cart', { items: [{ item_id: 'p' + carts++, item_category: 'books' }] });
    };
    const expectFolded = async () => {
      await api.recommend();
      const p = seen.at(-1)!;
      expect(p.session.addToCarts).toBe(carts);
      expect(p.cartItems).toEqual(Array.from({ length: Math.min(carts, 200) }, (_, i) => 'p' + (carts - Math.min(carts, 200) + i)));
    };
    add(3);
    await expectFolded(); // before the store has opened
    add(5);
    const writing = flushNow(api); // a write in flight ...
    add(7); // ... and events accepted meanwhile
    await expectFolded();
    await writing;
    add(450); // past a full batch
    await expectFolded();
    await flushNow(api);
    add(2);
    fire('pagehide');
    await expectFolded();
    const stored = (await api.privacy.export()) as { events: Array<{ sessionId: string }>; profile: Profile };
    expect(stored.events).toHaveLength(carts);
    expect(stored.events.every((e) => e.sessionId !== '')).toBe(true); // folding stamps the session on each event
    expect(stored.profile.session.addToCarts).toBe(carts);
    add(3); // not folded yet when consent is withdrawn
    await api.consent.set('denied'); // deletes what was stored and starts an empty profile, without those 3
    add(4); // kept for this page only, not stored
    await api.recommend();
    expect(seen.at(-1)!.session.addToCarts).toBe(4);
  });
});
