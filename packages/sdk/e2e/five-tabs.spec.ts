import type { Page } from '@playwright/test';
import { FLUSH_BATCH_EVENTS, RETENTION_EVENTS_MAX } from '../src/shared/constants.ts';
import { test, expect, pageUrl, openSdk, readEdgewiseDb, problemsOf } from './fixtures.ts';

// Five tabs of one shopper (pages of one context, one IndexedDB) tracking at the same time: afterwards every event
// is stored exactly once — no loss, no duplicate — and exactly one tab leads (Web Locks, or the BroadcastChannel
// heartbeat where Web Locks are missing).

const TABS = 5;
/**
 * Per tab: two full batches and some, so that full batches are written while more events arrive — but all tabs
 * together under the retention count, which the leader's compaction would otherwise rightly apply.
 */
const EVENTS = Math.min(2 * FLUSH_BATCH_EVENTS + 37, Math.floor((RETENTION_EVENTS_MAX - 100) / TABS));

/**
 * Tracks `n` marked events in tab `tab`, yielding a task after an irregular number of events (a MessageChannel
 * round trip, without setTimeout's clamp), so that events keep arriving while this tab's and the other tabs'
 * writes are in flight rather than only between them.
 */
const burst = (page: Page, tab: number, n: number) =>
  page.evaluate(
    async ([tab, n]) => {
      const ew = (window as any).edgewise;
      const ch = new MessageChannel();
      const task = () => new Promise((r) => ((ch.port1.onmessage = r), ch.port2.postMessage(0)));
      let accepted = 0;
      for (let i = 0; i < n; i++) {
        if (ew.track('select_item', { item_list_id: 'tabs', items: [{ item_id: `t${tab}-${i}`, item_category: 'Kitchen' }] })) accepted++;
        if ((i * 7 + tab) % 11 === 0) await task();
      }
      return accepted;
    },
    [tab, n] as const,
  );

async function openTabs(context: import('@playwright/test').BrowserContext, first: Page): Promise<Page[]> {
  const pages = [first];
  for (let i = 1; i < TABS; i++) pages.push(await context.newPage());
  await Promise.all(pages.map((p) => openSdk(p, pageUrl({ consent: 'granted' }))));
  await Promise.all(pages.map((p) => expect.poll(() => p.evaluate(() => (window as any).edgewise.debug.storage)).toBe('indexeddb')));
  return pages;
}

/** Tracks in all tabs at once, flushes each, and checks the stored events one by one. */
async function trackEverywhereAndCheck(pages: Page[]): Promise<void> {
  const accepted = await Promise.all(pages.map((p, t) => burst(p, t, EVENTS)));
  expect(accepted).toEqual(pages.map(() => EVENTS));
  // export() writes what the tab still holds before it reads.
  await Promise.all(pages.map((p) => p.evaluate(() => (window as any).edgewise.privacy.export())));
  await Promise.all(pages.map((p) => expect.poll(() => p.evaluate(() => (window as any).edgewise.debug.pendingEvents)).toBe(0)));

  const db = await readEdgewiseDb(pages[0]!);
  const events = db.stores.events as Array<{ id: string; name: string; params: { items?: Array<{ item_id: string }> } }>;
  const ids = events.map((e) => e.id);
  const dupIds = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(dupIds, 'event ids stored more than once').toEqual([]);
  const marks = events.filter((e) => e.name === 'select_item').map((e) => e.params.items![0]!.item_id);
  const expected = pages.flatMap((_, t) => Array.from({ length: EVENTS }, (_, i) => `t${t}-${i}`));
  const missing = expected.filter((m) => !marks.includes(m));
  expect(missing, 'events lost').toEqual([]);
  expect(marks.length, 'marked events stored').toBe(expected.length);
  // One page_view per tab, too.
  expect(events.filter((e) => e.name === 'page_view').length).toBe(pages.length);
}

test('5 tabs tracking at once: every event id stored exactly once, and one Web Locks leader', async ({ context, page, network }) => {
  const problems = problemsOf(page);
  const pages = await openTabs(context, page);
  await trackEverywhereAndCheck(pages);

  // One leader: the lock is held by one tab and requested by the four others; one tab says it leads.
  await expect
    .poll(async () => {
      const q = await page.evaluate(() => navigator.locks.query());
      const count = (l?: LockInfo[]) => (l ?? []).filter((x) => x.name === 'edgewise-leader').length;
      return { held: count(q.held), pending: count(q.pending) };
    })
    .toEqual({ held: 1, pending: TABS - 1 });
  const leads = await Promise.all(pages.map((p) => p.evaluate(() => (window as any).edgewise.debug.log.some((e: { msg: string }) => e.msg === 'this tab leads'))));
  expect(leads.filter(Boolean).length).toBe(1);
  expect(await problems()).toEqual([]);
  expect(network.length).toBeGreaterThan(0);
});

test('without Web Locks: the BroadcastChannel heartbeat settles on one leader, and no event is lost or duplicated', async ({ context, page }) => {
  await context.addInitScript(() => {
    delete (Navigator.prototype as { locks?: unknown }).locks;
  });
  const pages = await openTabs(context, page);
  expect(await page.evaluate(() => 'locks' in navigator)).toBe(false);
  // Listen to the leader's heartbeat as any tab would.
  await page.evaluate(() => {
    const beats: Array<{ from: string; at: number }> = ((window as any).__beats = []);
    new BroadcastChannel('edgewise-leader').onmessage = (m) => m.data?.beat && beats.push({ from: m.data.beat, at: performance.now() });
  });
  await trackEverywhereAndCheck(pages);

  // Settled: the last 4 beats (about 4 s at one beat a second) all come from one tab, and stay so for 4 more.
  const lastSenders = (n: number) => page.evaluate((n) => [...new Set(((window as any).__beats as Array<{ from: string }>).slice(-n).map((b) => b.from))], n);
  await expect.poll(async () => (await lastSenders(4)).length, { timeout: 30_000 }).toBe(1);
  const [leader] = await lastSenders(1);
  const seen = await page.evaluate(() => (window as any).__beats.length);
  await expect.poll(() => page.evaluate(() => (window as any).__beats.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(seen + 4);
  expect(await lastSenders(4)).toEqual([leader]);
});
