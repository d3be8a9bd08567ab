import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, API, SHOP, pageUrl, openSdk, trackMarked, readEdgewiseDb, problemsOf } from './fixtures.ts';

// The outbox in real Chromium: a report queued while the ingestion server cannot be reached stays in IndexedDB
// across a reload, is handed to the browser with sendBeacon on pagehide and sent with fetch(keepalive) otherwise,
// and reaches the server exactly once when the network is back.

interface SendCall {
  via: 'fetch' | 'beacon';
  keepalive?: boolean;
  credentials?: string;
  /** Made while the page was going away (inside pagehide). */
  hiding: boolean;
  reportIds: string[];
}

/** Records every report send (fetch or sendBeacon to /v1/reports) in sessionStorage, so it survives reloads. */
async function spyOnSends(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    let hiding = false;
    // Registered before the SDK's own pagehide listener, so it runs first.
    addEventListener('pagehide', () => (hiding = true));
    const record = (c: object) => sessionStorage.setItem('__ewSends', JSON.stringify([...JSON.parse(sessionStorage.getItem('__ewSends') ?? '[]'), c]));
    const ids = (body: unknown) => {
      try {
        return (JSON.parse(String(body)).reports ?? []).map((r: { reportId: string }) => r.reportId);
      } catch {
        return [];
      }
    };
    const fetch0 = window.fetch;
    window.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
      if (String(input).includes('/v1/reports')) record({ via: 'fetch', keepalive: init?.keepalive, credentials: init?.credentials, hiding, reportIds: ids(init?.body) });
      return fetch0.call(this, input, init);
    };
    const beacon0 = Navigator.prototype.sendBeacon;
    Navigator.prototype.sendBeacon = function (url: string | URL, data?: BodyInit | null) {
      if (String(url).includes('/v1/reports')) record({ via: 'beacon', hiding, reportIds: ids(data) });
      return beacon0.call(this, url, data);
    };
  });
}

const sendsOf = (page: Page): Promise<SendCall[]> => page.evaluate(() => JSON.parse(sessionStorage.getItem('__ewSends') ?? '[]'));

async function serverCounters(): Promise<{ accepted: number; duplicate: number }> {
  const text = await (await fetch(`${API}/metrics`)).text();
  const read = (name: string) => Number(/^(\S+) (\d+)$/m.exec(text.split('\n').filter((l) => l.startsWith(name + ' ')).join('\n'))?.[2] ?? NaN);
  return { accepted: read('edgewise_reports_accepted_total'), duplicate: read('edgewise_reports_duplicate_total') };
}

/** The ingestion server unreachable from this context while `down.value` (connection refused, not an HTTP error). */
async function apiSwitch(context: BrowserContext): Promise<{ value: boolean; acks: string[] }> {
  const state = { value: true, acks: [] as string[] };
  await context.route(`${API}/v1/reports`, (route) => (state.value ? route.abort('internetdisconnected') : route.continue()));
  // Reports the server acknowledged (202), by id, whichever way they went.
  context.on('requestfinished', async (req) => {
    if (!req.url().startsWith(`${API}/v1/reports`) || req.method() !== 'POST') return;
    const res = await req.response();
    if (res && res.status() === 202) for (const r of JSON.parse(req.postData() ?? '{}').reports ?? []) state.acks.push(r.reportId);
  });
  return state;
}

/** A loopback port nothing listens on: sends to it fail like sends from an offline device, beacons included. */
async function deadEndpoint(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://localhost:${port}`;
}

/** Three interest events in a category of the demo's domain make the day's report due; resolves to its id. */
async function queueReportWhileDown(page: Page, url = pageUrl({ consent: 'granted' })): Promise<string> {
  await openSdk(page, url);
  await trackMarked(page, ['o-1', 'o-2', 'o-3']);
  await expect.poll(() => page.evaluate(() => (window as any).edgewise.debug.lastReport?.status), { timeout: 30_000 }).toBe('retrying');
  const outbox = (await readEdgewiseDb(page)).stores.outbox as Array<{ id: string; attempts: number }>;
  expect(outbox).toHaveLength(1);
  expect(outbox[0]!.attempts).toBeGreaterThanOrEqual(1);
  return outbox[0]!.id;
}

const outboxIds = async (page: Page) => ((await readEdgewiseDb(page)).stores.outbox as Array<{ id: string }>).map((o) => o.id);

// Playwright's offline mode and request routing apply to the page's own requests, but a beacon or keepalive fetch
// still in flight when its page is gone escapes both and reaches the server. The "offline" phase that spans a
// reload therefore points the tag at a port nothing listens on, so that every send really fails.
test('queued while offline, kept across reloads (beacon tried on pagehide), delivered exactly once when back online', async ({ context, page }) => {
  await spyOnSends(context);
  const { acks } = Object.assign(await apiSwitch(context), { value: false });
  const problems = problemsOf(page);
  const before = await serverCounters();
  const dead = await deadEndpoint();
  const id = await queueReportWhileDown(page, pageUrl({ consent: 'granted', endpoint: dead }));

  // The shopper reloads while offline: the page goes away (pagehide hands the report to sendBeacon, which cannot
  // deliver it) and the browser shows its offline page; back online, the shop's page loads again.
  await context.setOffline(true);
  await page.reload().catch(() => {});
  await context.setOffline(false);
  await openSdk(page, pageUrl({ consent: 'granted', endpoint: dead }));
  expect(await outboxIds(page)).toEqual([id]);
  const sends = await sendsOf(page);
  expect(sends.filter((s) => s.via === 'beacon' && s.hiding && s.reportIds.includes(id)).length, 'beacon on pagehide').toBeGreaterThanOrEqual(1);
  const fetches = sends.filter((s) => s.via === 'fetch');
  expect(fetches.length).toBeGreaterThanOrEqual(1);
  for (const f of fetches) expect(f).toMatchObject({ keepalive: true, credentials: 'omit' });
  expect(await serverCounters()).toEqual(before);

  // The ingestion server is reachable again: the next page sends the stored report, once.
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await expect.poll(() => acks, { timeout: 60_000 }).toContain(id);
  await expect.poll(() => outboxIds(page)).toEqual([]);
  await expect.poll(() => page.evaluate(() => (window as any).edgewise.debug.lastReport?.status)).toBe('sent');
  expect(acks.filter((r) => r === id)).toEqual([id]);
  const after = await serverCounters();
  expect(after.accepted - before.accepted, 'reports stored').toBe(1);
  expect(after.duplicate - before.duplicate, 'reports sent twice').toBe(0);
  expect(await problems()).toEqual([]);
});

test('back online, a report waiting out a long backoff goes at once (the browser\'s online event)', async ({ context, page, network }) => {
  await context.addInitScript(() => addEventListener('online', () => ((window as any).__onlineEvents = ((window as any).__onlineEvents ?? 0) + 1)));
  const down = await apiSwitch(context);
  const before = await serverCounters();
  const id = await queueReportWhileDown(page);
  // As if the device had been offline for hours: ten failed attempts, the next one half an hour away.
  await page.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('edgewise');
        req.onsuccess = () => {
          const tx = req.result.transaction('outbox', 'readwrite');
          const store = tx.objectStore('outbox');
          store.get(id).onsuccess = (e) => store.put({ ...(e.target as IDBRequest).result, attempts: 10, nextAt: Date.now() + 30 * 60_000 });
          tx.oncomplete = () => (req.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
  );
  down.value = false;
  await context.setOffline(true);
  await context.setOffline(false);
  await expect.poll(() => page.evaluate(() => (window as any).__onlineEvents)).toBe(1);
  await expect.poll(() => down.acks, { message: 'report sent after the online event' }).toContain(id);
  await expect.poll(() => outboxIds(page)).toEqual([]);
  expect((await serverCounters()).accepted - before.accepted).toBe(1);
  expect(network.some((r) => r.method === 'POST' && r.url === `${API}/v1/reports`)).toBe(true);
});

test('a report still unsent when the tab closes goes out with sendBeacon on pagehide', async ({ context, page }) => {
  const down = await apiSwitch(context);
  const before = await serverCounters();
  // A page of the shop itself: Chromium's Local Network Access refuses a closed route-served page's beacon to
  // the loopback server whatever the permission says.
  await queueReportWhileDown(page, `${SHOP}/help?consent=granted`);
  expect(down.acks).toEqual([]);
  // The server is reachable again but the next retry is still seconds away; the shopper closes the tab. No route
  // may stand between the beacon and the server: an intercepted request of a closed page is dropped.
  await context.unrouteAll();
  await page.close({ runBeforeUnload: true });
  await expect.poll(async () => (await serverCounters()).accepted - before.accepted, { timeout: 30_000 }).toBe(1);
});
