import { test as base, expect, type Browser, type BrowserContext, type Page, type Request } from '@playwright/test';
import { Value } from '@sinclair/typebox/value';
import { Report, ReportBatch } from '../../packages/protocol/src/index.ts';
import { E2E_API_PORT, E2E_SHOP_PORT } from '../../playwright.config.ts';

export const SHOP = `http://localhost:${E2E_SHOP_PORT}`;
export const API = `http://localhost:${E2E_API_PORT}`;
export const ADMIN_TOKEN = process.env.EDGEWISE_ADMIN_TOKEN ?? 'dev-admin-token';

/** Everything a page sent, for the network audit. */
export interface RecordedRequest {
  method: string;
  url: string;
  body: string | null;
  resourceType: string;
}

/**
 * Anything that reveals who, where or what: item ids of the demo catalog, URLs and hostnames, UUID-shaped ids
 * other than the report's own idempotency key, and the names of raw event fields.
 */
const FORBIDDEN_IN_REPORTS: Array<[string, RegExp]> = [
  ['item id', /\bp\d{4}\b/],
  ['url', /https?:\/\/|localhost|127\.0\.0\.1/],
  ['path', /\/product\/|\/category\//],
  ['raw event field', /item_id|transaction_id|search_term|sessionId|userId|deviceId|clientId|user_agent|referrer/i],
];

/** Checks one request against the invariant: a static asset from the shop, or a schema-valid privatized report. */
export function auditRequest(r: RecordedRequest): string | null {
  const url = new URL(r.url);
  if (url.protocol === 'data:' || url.protocol === 'blob:') return null;
  if (url.origin === SHOP) {
    if (r.method !== 'GET') return `${r.method} ${r.url}: only GETs of static assets may go to the shop`;
    return null;
  }
  if (url.origin === API) {
    if (r.method === 'OPTIONS') return null;
    if (r.method !== 'POST' || url.pathname !== '/v1/reports') return `${r.method} ${r.url}: only POST /v1/reports may go to the ingestion server`;
    if (url.search) return `${r.url}: reports carry no query string`;
    let payload: unknown;
    try {
      payload = JSON.parse(r.body ?? '');
    } catch {
      return `${r.url}: body is not JSON`;
    }
    if (!Value.Check(Report, payload) && !Value.Check(ReportBatch, payload)) return `${r.url}: body is not a schema-valid report: ${r.body}`;
    const reports = Value.Check(ReportBatch, payload) ? payload.reports : [payload as Report];
    for (const report of reports) {
      const { reportId, ...rest } = report;
      const text = JSON.stringify(rest);
      for (const [what, re] of FORBIDDEN_IN_REPORTS) if (re.test(text)) return `${r.url}: report contains a ${what}: ${text}`;
      if (/[0-9a-f]{8}-[0-9a-f]{4}-/.test(text)) return `${r.url}: report contains an id-shaped value besides reportId`;
    }
    return null;
  }
  return `${r.method} ${r.url}: request to a third host`;
}

/** The SDK's documented opt-in for a merchant's own automated tests (it otherwise keeps webdriver traffic out). */
export async function allowAutomation(context: BrowserContext): Promise<BrowserContext> {
  await context.addInitScript(() => {
    (window as unknown as { edgewiseAllowAutomation: boolean }).edgewiseAllowAutomation = true;
  });
  return context;
}

/** A separate shopper: a fresh context (own IndexedDB and cookies), opted in like the test fixture's. */
export async function newShopper(browser: Browser): Promise<BrowserContext> {
  return allowAutomation(await browser.newContext());
}

export const test = base.extend<{ network: RecordedRequest[] }>({
  // The SDK flags automated browsers (navigator.webdriver) and keeps them out of profiles and aggregates; this is
  // the documented opt-in for a merchant's (and our) own browser tests.
  context: async ({ context }, use) => {
    await use(await allowAutomation(context));
  },
  network: async ({ context }, use) => {
    const seen: RecordedRequest[] = [];
    const record = (req: Request) => {
      seen.push({ method: req.method(), url: req.url(), body: req.postData(), resourceType: req.resourceType() });
    };
    context.on('request', record);
    // Requests from the SDK's worker are made by the worker, not a page; Playwright reports them on the context too.
    await use(seen);
    const problems = seen.map(auditRequest).filter((p): p is string => p !== null);
    expect(problems, 'network audit').toEqual([]);
  },
});

export { expect };

/** Reads the SDK's IndexedDB straight from the page, without going through the SDK. */
export async function readEdgewiseDb(page: Page): Promise<{ exists: boolean; stores: Record<string, unknown[]> }> {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === 'edgewise')) return { exists: false, stores: {} };
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const req = indexedDB.open('edgewise');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const stores: Record<string, unknown[]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      stores[name] = await new Promise((resolve, reject) => {
        const req = db.transaction(name).objectStore(name).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    db.close();
    // Events are stored in batch records (one per write); tests read them as one list.
    if (stores.batches) stores.events = (stores.batches as Array<{ json: string }>).flatMap((b) => JSON.parse(b.json));
    return { exists: true, stores };
  });
}

export async function aggregates(site = 'demo-shop'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${API}/v1/sites/${site}/aggregates`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: await res.json() };
}
