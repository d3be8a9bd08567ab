import type { Page } from '@playwright/test';
import { test, expect, pageUrl, openSdk, debugOf, trackMarked, storedItemIds, exported, problemsOf, readEdgewiseDb } from './fixtures.ts';

// Each storage fault of issue 4, injected into real Chromium before the SDK loads: the SDK keeps working on its
// memory store, `edgewise.debug.storageReason` (and the inventory) says why, and the host page never sees an
// exception or an unhandled rejection.

/** The SDK on memory for `reason`: events accepted, kept and exported from memory, page untouched. */
async function expectMemoryFallback(page: Page, reason: string, problems: () => Promise<string[]>): Promise<void> {
  await expect.poll(async () => (await debugOf(page)).storageReason, { message: 'storageReason' }).toBe(reason);
  expect(await trackMarked(page, ['mem-1', 'mem-2', 'mem-3'])).toEqual([true, true, true]);
  const out = await exported(page);
  expect(out.storage).toBe('memory');
  expect(out.ids).toEqual(expect.arrayContaining(['mem-1', 'mem-2', 'mem-3']));
  const d = await debugOf(page);
  expect(d).toMatchObject({ consent: 'granted', storage: 'memory', storageReason: reason, pendingEvents: 0 });
  expect(d.log.some((e: { msg: string }) => e.msg.includes('IndexedDB unusable (' + reason + ')'))).toBe(true);
  const inv = await page.evaluate(() => (window as any).edgewise.privacy.inventory());
  expect(inv.storage).toMatchObject({ kind: 'memory', reason });
  expect(inv.storage.counts.events).toBeGreaterThanOrEqual(3);
  // The rest of the public API still answers.
  const rec = await page.evaluate(() => (window as any).edgewise.recommend({ count: 3 }));
  expect(Array.isArray(rec.items)).toBe(true);
  expect(await problems()).toEqual([]);
}

test('IndexedDB missing (private modes, some webviews): memory, reason "unsupported"', async ({ context, page }) => {
  await context.addInitScript(() => {
    delete (window as { indexedDB?: unknown }).indexedDB;
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  expect(await page.evaluate(() => typeof indexedDB)).toBe('undefined');
  await expectMemoryFallback(page, 'unsupported', problems);
  // forget() has nothing to delete and says so without failing.
  expect(await page.evaluate(() => (window as any).edgewise.privacy.forget())).toBe(true);
});

test('indexedDB.open throwing (sandboxed frames): memory, reason "open-failed"', async ({ context, page }) => {
  await context.addInitScript(() => {
    IDBFactory.prototype.open = function () {
      throw new DOMException('access to the Indexed Database API is denied in this context', 'SecurityError');
    };
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await expectMemoryFallback(page, 'open-failed', problems);
});

test('open blocked by an old tab holding version 1 that ignores versionchange: memory, reason "blocked"; the old data is untouched', async ({ context, page }) => {
  // The old tab: the SDK's database at version 1, one event in it, and a connection that never lets go.
  const old = await context.newPage();
  await old.goto(pageUrl({}, false));
  await old.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('edgewise', 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('events', { keyPath: 'id' }).createIndex('ts', 'ts');
          db.createObjectStore('profile');
          db.createObjectStore('outbox', { keyPath: 'id' });
          db.createObjectStore('meta');
          req.transaction!.objectStore('events').put({ id: 'old-1', name: 'page_view', params: { page_type: 'home' }, ts: Date.now() - 1000, sessionId: 's', source: 'auto' });
        };
        req.onsuccess = () => {
          (window as any).held = req.result; // kept open; versionchange is ignored (an old SDK without a handler)
          resolve();
        };
        req.onerror = () => reject(req.error);
      }),
  );
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await expectMemoryFallback(page, 'blocked', problems);
  // The old tab's database is still at version 1 with its event: nothing was lost or half-upgraded.
  const v = await old.evaluate(() => ({ version: (window as any).held.version, stores: [...(window as any).held.objectStoreNames] }));
  expect(v).toEqual({ version: 1, stores: ['events', 'meta', 'outbox', 'profile'] });
});

// On a slow run the leader's upkeep could compact after the fault: its deletes committed without its merged batch
// and the event written before was lost. Upkeep is now all-or-nothing (store/ops.ts; unit test in upkeep.test.ts).
test('quota exceeded on write: memory, reason "quota"; what was written before stays', async ({ context, page }) => {
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    // The origin becomes "full" when the test says so.
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if (this.name === 'batches' && (window as any).__full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args as [unknown]);
    };
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await trackMarked(page, ['before-full']);
  await expect.poll(() => storedItemIds(page)).toEqual(['before-full']);
  expect((await debugOf(page)).storage).toBe('indexeddb');
  await page.evaluate(() => ((window as any).__full = true));
  await trackMarked(page, ['first-refused']);
  await expectMemoryFallback(page, 'quota', problems);
  // The refused batch was not lost: it went to memory with the rest; IndexedDB keeps what it had.
  expect((await exported(page)).ids).toContain('first-refused');
  expect(await storedItemIds(page)).toEqual(['before-full']);
});

test('connection lost mid-write, once (WebKit): the SDK reopens and every event lands in IndexedDB once', async ({ context, page }) => {
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if (this.name === 'batches' && (window as any).__loseNext) {
        (window as any).__loseNext = false;
        throw new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError');
      }
      return put.apply(this, args as [unknown]);
    };
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await trackMarked(page, ['lost-0']);
  await expect.poll(() => storedItemIds(page)).toEqual(['lost-0']);
  await page.evaluate(() => ((window as any).__loseNext = true));
  await trackMarked(page, ['lost-1', 'lost-2']);
  await expect.poll(() => page.evaluate(() => (window as any).__loseNext)).toBe(false);
  await expect.poll(() => storedItemIds(page).then((ids) => ids.sort())).toEqual(['lost-0', 'lost-1', 'lost-2']);
  await trackMarked(page, ['lost-3']);
  await expect.poll(() => storedItemIds(page).then((ids) => ids.sort())).toEqual(['lost-0', 'lost-1', 'lost-2', 'lost-3']);
  const d = await debugOf(page);
  expect(d.storage).toBe('indexeddb');
  expect(d.storageReason).toBeUndefined();
  expect(await problems()).toEqual([]);
});

test('connection lost on every write: after the reopens, memory with reason "connection-lost"', async ({ context, page }) => {
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if (this.name === 'batches') throw new DOMException('Connection to Indexed Database server lost. Refresh the page to try again', 'UnknownError');
      return put.apply(this, args as [unknown]);
    };
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await trackMarked(page, ['first']);
  await expectMemoryFallback(page, 'connection-lost', problems);
  expect((await exported(page)).ids).toContain('first');
  const raw = await readEdgewiseDb(page);
  expect(raw.stores.events ?? []).toEqual([]);
});
