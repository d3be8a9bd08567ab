import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeConfig } from '../loader/config.ts';
import type { PartLoader } from '../shared/parts.ts';
import { createClient } from './client.ts';

const parts: PartLoader = {
  infer: () => import('../infer/part.ts'),
  ui: () => import('../ui/part.ts'),
  report: () => import('../aggregate/part.ts'),
  privacy: () => import('../transparency/part.ts'),
  memory: () => import('../store/memory-store.ts'),
  upkeep: () => import('../leader/part.ts'),
};

function client(consent: string | null) {
  const config = makeConfig({ site: 'demo-shop', endpoint: 'http://localhost:8787', consent }, 'http://localhost/', []);
  // No network in these tests: reports would go through this, and must not be attempted without consent.
  const requests: string[] = [];
  const fetch = (async (url: string) => (requests.push(String(url)), new Response('{}', { status: 202 }))) as unknown as typeof globalThis.fetch;
  const env = { dataLayer: [] as unknown[] };
  const c = createClient(config, { parts, env: env as never, fetch });
  c.start();
  return { ...c, env, requests };
}

async function databases(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

async function storedEventNames(): Promise<string[]> {
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
  return all.flatMap((b) => (JSON.parse(b.json) as Array<{ name: string }>).map((e) => e.name)).sort();
}

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
});
