// Shared by the SDK's browser journeys: plain test pages on the demo shop's origin that load the built script tag
// with the attributes a test needs, probes installed before any page script (IndexedDB opens, uncaught errors),
// and readers of the SDK's state (debug API, raw IndexedDB). Builds on the demo shop's fixtures: every test gets
// the network audit and the documented automation opt-in.
import type { BrowserContext, Page } from '@playwright/test';
import { test as shopTest, expect, SHOP, API, readEdgewiseDb, type RecordedRequest } from '../../../demo-shop/e2e/fixtures.ts';

export { expect, SHOP, API, readEdgewiseDb, type RecordedRequest };

/** Test pages live under this path of the shop's origin (so they share its IndexedDB); a route answers them. */
export const PAGES = `${SHOP}/__sdk-e2e/`;

/** What goes on the script tag; `null` leaves an attribute out. */
export interface TagOptions {
  consent?: 'granted' | 'denied' | null;
  gpc?: 'ignore' | null;
  site?: string | null;
  endpoint?: string | null;
}

/** URL of a test page with the script tag configured by `tag`; `sdk: false` gives the same origin without the SDK. */
export function pageUrl(tag: TagOptions = {}, sdk = true): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(tag)) q.set(k, v === null ? '' : String(v));
  return PAGES + (sdk ? 'sdk' : 'blank') + (q.size ? '?' + q : '');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function html(url: URL): string {
  if (url.pathname.endsWith('/blank')) return '<!doctype html><meta charset="utf-8"><title>blank</title><p>no SDK here</p>';
  const q = url.searchParams;
  const attr = (name: string, key: string, fallback: string | null) => {
    const v = q.has(key) ? q.get(key) || null : fallback;
    return v === null ? '' : ` data-${name}="${esc(v)}"`;
  };
  return `<!doctype html><meta charset="utf-8"><title>sdk e2e</title>
<script>window.edgewise = window.edgewise || [];</script>
<script async src="/edgewise/edgewise.js"${attr('site', 'site', 'demo-shop')}${attr('endpoint', 'endpoint', API)} data-models="/edgewise/models/"${attr('consent', 'consent', null)}${attr('gpc', 'gpc', null)}></script>
<p>An SDK test page.</p>`;
}

/** Answers the test pages of this context. */
export async function servePages(context: BrowserContext): Promise<void> {
  await context.route(`${PAGES}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html(new URL(route.request().url())) }));
}

declare global {
  interface Window {
    /** Uncaught errors and unhandled rejections the page saw (see `watchProblems`). */
    __ewProblems: string[];
    /** Names passed to indexedDB.open, in order. */
    __ewOpens: string[];
  }
}

/**
 * Records, before any page script runs, what the host page could see go wrong (uncaught errors, unhandled
 * rejections) and every `indexedDB.open` call.
 */
export async function watchProblems(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.__ewProblems = [];
    window.__ewOpens = [];
    addEventListener('error', (e) => window.__ewProblems.push('error: ' + e.message));
    addEventListener('unhandledrejection', (e) => {
      const r = e.reason as { name?: string; message?: string } | undefined;
      window.__ewProblems.push('unhandledrejection: ' + (r && typeof r === 'object' ? r.name + ': ' + r.message : String(r)));
    });
    const F = globalThis.IDBFactory?.prototype;
    if (F) {
      const open = F.open;
      F.open = function (this: IDBFactory, name: string, version?: number) {
        window.__ewOpens.push(String(name));
        return version === undefined ? open.call(this, name) : open.call(this, name, version);
      };
    }
  });
}

/** Problems a page reported: Playwright's `pageerror`s plus what `watchProblems` recorded. */
export function problemsOf(page: Page): () => Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  return async () => [...errors, ...(await page.evaluate(() => window.__ewProblems ?? []))];
}

export const test = shopTest.extend<{ pages: void }>({
  pages: [
    async ({ context }, use) => {
      await servePages(context);
      // Pages answered by a route carry no server address, so Chromium's Local Network Access counts them as
      // public and refuses their requests to the loopback ingestion server. A real shop and its server are both
      // public (or both local); the permission restores that.
      await context.grantPermissions(['local-network-access']);
      await watchProblems(context);
      await use();
    },
    { auto: true },
  ],
});

/** Opens `url` and waits for the SDK to have replaced the snippet's array with its API. */
export async function openSdk(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as { edgewise?: { track?: unknown } }).edgewise?.track === 'function', undefined, { timeout: 30_000 });
}

/** `edgewise.debug`, as plain data. */
export const debugOf = (page: Page) => page.evaluate(() => JSON.parse(JSON.stringify((window as any).edgewise.debug)));

/** Whether the SDK's database exists in this page's storage. */
export const dbExists = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'edgewise'));

/** Tracks one add_to_cart per id (an item id that marks the event in storage); resolves to what track() returned. */
export const trackMarked = (page: Page, ids: string[], category = 'Kitchen') =>
  page.evaluate(
    ([ids, category]) => ids.map((id) => (window as any).edgewise.track('add_to_cart', { currency: 'EUR', items: [{ item_id: id, item_category: category, price: 9.5, quantity: 1 }] })),
    [ids, category] as const,
  );

/** The item ids of the stored events (raw IndexedDB read), one entry per stored event. */
export async function storedItemIds(page: Page): Promise<string[]> {
  const db = await readEdgewiseDb(page);
  return ((db.stores.events ?? []) as Array<{ params?: { items?: Array<{ item_id: string }> } }>).flatMap((e) => (e.params?.items ?? []).map((i) => i.item_id));
}

/** Item ids of what `privacy.export()` returns (whatever store the SDK uses), and the store kind. */
export async function exported(page: Page): Promise<{ storage: string; ids: string[]; names: string[] }> {
  return page.evaluate(async () => {
    const d = await (window as any).edgewise.privacy.export();
    return {
      storage: d.storage,
      ids: d.events.flatMap((e: any) => (e.params.items ?? []).map((i: any) => i.item_id)),
      names: d.events.map((e: any) => e.name),
    };
  });
}
