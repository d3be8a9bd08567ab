import type { Page } from '@playwright/test';
import { emptyProfile } from '../src/profile/profile.ts';
import { test, expect, pageUrl, openSdk, debugOf, trackMarked, storedItemIds, problemsOf } from './fixtures.ts';

// The SDK opening databases that earlier SDK versions (or damage) left behind, in real Chromium: schema version 1
// (one record per event in `events`) is migrated to version 2's batches with every valid event carried over and
// corrupt records skipped; corrupt version 2 records are skipped on read; the rest of the store is kept.

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
/** Reports off (no endpoint): the carried-over outbox item must stay put while the test looks at it. */
const SDK_PAGE = pageUrl({ consent: 'granted', endpoint: null });

/** Writes raw records into a database created at `version` by `stores` (run in the page, without the SDK). */
async function createRaw(page: Page, version: number, stores: Array<{ name: string; keyPath?: string; index?: string }>, records: Array<{ store: string; value: unknown; key?: string }>) {
  await page.goto(pageUrl({}, false));
  await page.evaluate(
    ({ version, stores, records }) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('edgewise', version);
        req.onupgradeneeded = () => {
          for (const s of stores) {
            const os = req.result.createObjectStore(s.name, s.keyPath ? { keyPath: s.keyPath } : undefined);
            if (s.index) os.createIndex(s.index, s.index);
          }
        };
        req.onsuccess = () => {
          const db = req.result;
          if (!records.length) return db.close(), resolve();
          const tx = db.transaction([...new Set(records.map((r) => r.store))], 'readwrite');
          for (const r of records) tx.objectStore(r.store).put(r.value, r.key);
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      }),
    { version, stores, records },
  );
}

const V1_STORES = [{ name: 'events', keyPath: 'id', index: 'ts' }, { name: 'profile' }, { name: 'outbox', keyPath: 'id' }, { name: 'meta' }];

/** The database's version and store names, read raw. */
const layout = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ version: number; stores: string[] }>((resolve, reject) => {
        const req = indexedDB.open('edgewise');
        req.onsuccess = () => {
          const r = { version: req.result.version, stores: [...req.result.objectStoreNames].sort() };
          req.result.close();
          resolve(r);
        };
        req.onerror = () => reject(req.error);
      }),
  );

const exportAll = (page: Page) => page.evaluate(() => (window as any).edgewise.privacy.export());

test('from schema version 1: valid events carried over in time order, corrupt records skipped, profile, budget and outbox kept', async ({ page }) => {
  const now = Date.now();
  const n = 520; // more than one batch record's worth
  // Written newest first, as several tabs would leave them.
  const valid = Array.from({ length: n }, (_, i) => ({
    id: 'old-' + String(i).padStart(4, '0'),
    name: i % 2 ? 'view_item' : 'add_to_cart',
    params: { items: [{ item_id: 'p' + (i % 9), item_category: 'Kitchen' }] },
    ts: now - 3 * DAY + i * 1000,
    sessionId: 's-old',
    source: 'api',
  })).reverse();
  const corrupt = [
    { id: 'junk-ts', name: 'view_item', params: { items: [{ item_id: 'p1' }] }, ts: 'yesterday', sessionId: 's', source: 'api' },
    { id: 'junk-name', name: 'not_an_event', params: {}, ts: now - DAY, sessionId: 's', source: 'api' },
    { id: 'junk-items', name: 'view_item', params: { items: [{ item_name: 'no id' }] }, ts: now - DAY, sessionId: 's', source: 'api' },
    { id: 'junk-params', name: 'add_to_cart', params: 'a string', ts: now - DAY, sessionId: 's', source: 'api' },
    { id: 'junk-source', name: 'page_view', params: { page_type: 'home' }, ts: now - DAY, sessionId: 's', source: 'martian' },
    { id: 'junk-session', name: 'page_view', params: { page_type: 'home' }, ts: now - DAY, source: 'api' },
  ];
  const profile = { ...emptyProfile(now - DAY), purchasedItems: ['p-bought'], rfm: { lastPurchaseAt: now - DAY, purchases: 2, revenue: 40, sessions: 3 } };
  const report = { reportId: 'r-old', site: 'demo-shop', kind: 'category_interest', period: today() };
  await createRaw(page, 1, V1_STORES, [
    ...[...valid, ...corrupt].map((value) => ({ store: 'events', value })),
    { store: 'profile', value: profile, key: 'main' },
    { store: 'meta', value: { day: today(), spent: 2 }, key: 'budget' },
    { store: 'outbox', value: { id: 'r-old', report, createdAt: now - 1000, attempts: 1, nextAt: now + 3_600_000 } },
  ]);

  const problems = problemsOf(page);
  await openSdk(page, SDK_PAGE);
  await expect.poll(async () => (await debugOf(page)).storage).toBe('indexeddb');
  expect(await layout(page)).toEqual({ version: 2, stores: ['batches', 'meta', 'outbox', 'profile'] });

  const d = await exportAll(page);
  const ids: string[] = d.events.map((e: { id: string }) => e.id);
  expect(ids.filter((id) => id.startsWith('old-'))).toEqual([...valid].reverse().map((e) => e.id));
  expect(ids.filter((id) => id.startsWith('junk-'))).toEqual([]);
  expect(d.profile.purchasedItems).toContain('p-bought');
  expect(d.profile.rfm.purchases).toBe(2);
  expect(d.meta.budget).toEqual({ day: today(), spent: 2 });
  expect(d.outbox.map((o: { id: string }) => o.id)).toEqual(['r-old']);

  // The migrated store takes new events like any other.
  await trackMarked(page, ['after-migration']);
  await expect.poll(() => storedItemIds(page)).toContain('after-migration');
  expect((await storedItemIds(page)).length).toBe(n + 1);
  expect((await debugOf(page)).storageReason).toBeUndefined();
  expect(await problems()).toEqual([]);
});

test('from schema version 1 with no events: migrated, and the SDK stores normally', async ({ page }) => {
  await createRaw(page, 1, V1_STORES, []);
  await openSdk(page, SDK_PAGE);
  await expect.poll(async () => (await debugOf(page)).storage).toBe('indexeddb');
  await trackMarked(page, ['first']);
  await expect.poll(() => storedItemIds(page)).toEqual(['first']);
  expect(await layout(page)).toEqual({ version: 2, stores: ['batches', 'meta', 'outbox', 'profile'] });
});

test('a version 1 database without the version 1 stores (opened by other code without a version) is repaired, not fatal', async ({ page }) => {
  // indexedDB.open('edgewise') with no version creates an empty version 1 database: devtools snippets, extensions
  // and test helpers do this.
  await createRaw(page, 1, [], []);
  const problems = problemsOf(page);
  await openSdk(page, SDK_PAGE);
  await trackMarked(page, ['repaired']);
  await expect.poll(async () => (await debugOf(page)).storage).toBe('indexeddb');
  await expect.poll(() => storedItemIds(page)).toEqual(['repaired']);
  expect(await layout(page)).toEqual({ version: 2, stores: ['batches', 'meta', 'outbox', 'profile'] });
  expect(await problems()).toEqual([]);
});

test('corrupt version 2 records are skipped on read, and the SDK keeps using IndexedDB', async ({ page }) => {
  const now = Date.now();
  const good = (id: string, item: string) => ({ id, name: 'add_to_cart', params: { items: [{ item_id: item }] }, ts: now - DAY, sessionId: 's', source: 'api' });
  const batch = (id: string, json: string) => ({ id, first: now - DAY, last: now - DAY, json });
  await createRaw(page, 2, [{ name: 'batches', keyPath: 'id', index: 'last' }, { name: 'profile' }, { name: 'outbox', keyPath: 'id' }, { name: 'meta' }], [
    { store: 'batches', value: batch('ok', JSON.stringify([good('e1', 'kept-1'), good('e2', 'kept-2')])) },
    { store: 'batches', value: batch('half', JSON.stringify([good('e3', 'kept-3'), { id: 'e4', name: 'add_to_cart', params: { items: 'x' }, ts: now, sessionId: 's', source: 'api' }, 42, null])) },
    { store: 'batches', value: batch('not-json', '{"this is": not json') },
    { store: 'batches', value: batch('not-array', JSON.stringify({ id: 'e5' })) },
    { store: 'batches', value: { id: 'no-json', first: 1, last: 1, events: [good('e6', 'lost')] } },
    { store: 'profile', value: { schemaVersion: 1, categoryAffinity: 'corrupt' }, key: 'main' },
    { store: 'meta', value: 'not a budget', key: 'budget' },
    { store: 'outbox', value: { id: 'broken', report: 'x' } },
  ]);
  const problems = problemsOf(page);
  await openSdk(page, SDK_PAGE);
  await expect.poll(async () => (await debugOf(page)).storage).toBe('indexeddb');
  const d = await exportAll(page);
  const items = d.events.flatMap((e: any) => (e.params.items ?? []).map((i: any) => i.item_id));
  expect(items.sort()).toEqual(['kept-1', 'kept-2', 'kept-3']);
  expect(d.outbox).toEqual([]);
  expect(d.profile === null || Array.isArray(d.profile.recentItems)).toBe(true);
  await trackMarked(page, ['new-after-corrupt']);
  await expect.poll(async () => (await exportAll(page)).events.some((e: any) => e.params.items?.[0]?.item_id === 'new-after-corrupt')).toBe(true);
  // The leader tab's upkeep rebuilds the corrupt profile from every stored event, those from before this page too.
  await expect.poll(async () => ((await exportAll(page)).profile?.recentItems ?? []).sort(), { timeout: 15_000 }).toEqual(['kept-1', 'kept-2', 'kept-3', 'new-after-corrupt']);
  const log = (await debugOf(page)).log as Array<{ level: string; msg: string }>;
  expect(log.filter((l) => /profile was corrupted: rebuilt/.test(l.msg))).toHaveLength(1);
  expect((await debugOf(page)).storage).toBe('indexeddb');
  expect(await problems()).toEqual([]);
});
