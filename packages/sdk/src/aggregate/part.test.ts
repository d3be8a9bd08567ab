import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../loader/config.ts';
import { createLogger } from '../shared/log.ts';
import type { Host, ReportStatus } from '../shared/parts.ts';
import { openIdbStore } from '../store/idb-store.ts';
import { memoryStore } from '../store/memory-store.ts';
import type { Store } from '../store/types.ts';
import { storeOps } from '../store/ops.ts';
import { createReporter } from './part.ts';
import { applyEvents, emptyProfile } from '../profile/profile.ts';
import type { CategoryInterestReport, StoredEvent } from '@edgewise/protocol';

const NOW = Date.UTC(2026, 11, 4, 12);

/** A host whose store holds a day that qualifies for a report, and whose network and beacon are recorded. */
async function host() {
  const events: StoredEvent[] = Array.from({ length: 4 }, (_, i) => ({ id: 'e' + i, name: 'view_item', params: { items: [{ item_id: 'p' + i, item_category: 'shoes' }] }, ts: NOW - 1000 + i, sessionId: '', source: 'api' }));
  const store = memoryStore();
  await store.commit(events, (p, evs) => applyEvents(p ?? emptyProfile(NOW), evs, () => 's'));
  const posted: string[] = [];
  const beacons: string[] = [];
  const beaconed: string[][] = [];
  const reports: ReportStatus[] = [];
  const pagehide: Array<() => void> = [];
  const index = { domains: { category: [{ id: 'shoes' }, { id: 'bags' }] } };
  const h = {
    config: makeConfig({ site: 'demo-shop', endpoint: 'https://ingest.example', consent: 'granted' }, 'https://shop.example/', []),
    log: createLogger(false),
    now: () => NOW,
    random: () => 0.5,
    fetch: (async (url: string) => (url.endsWith('index.json') ? new Response(JSON.stringify(index)) : (posted.push(url), new Response('{}', { status: 202 })))) as unknown as typeof fetch,
    nav: { sendBeacon: (url: string, body: string) => (beacons.push(url), beaconed.push(JSON.parse(body).reports.map((r: { reportId: string }) => r.reportId)), true) } as unknown as Navigator,
    win: { addEventListener: (type: string, fn: () => void) => void (type === 'pagehide' && pagehide.push(fn)) },
    allowed: () => true,
    store: async () => store,
    onReport: (s: ReportStatus) => void reports.push(s),
  } as unknown as Host;
  return { h, store, posted, beacons, beaconed, reports, hide: () => pagehide.forEach((f) => f()) };
}

describe('the reporter', () => {
  it('queues and sends a report for a day that qualifies', async () => {
    const { h, posted, reports } = await host();
    await createReporter(h).maybeReport();
    expect(reports.map((r) => r.status)).toEqual(['queued', 'sent']);
    expect(posted).toHaveLength(1);
  });

  it('beacons on pagehide the reports that are due or failed lately, not those whose backoff grew (a long outage)', async () => {
    const { h, store, posted, beacons, beaconed, hide } = await host();
    const report = (id: string) => ({ reportId: id, period: '2026-12-04' }) as CategoryInterestReport;
    await storeOps(store).putOutbox([
      { id: 'waiting', report: report('waiting'), createdAt: NOW - 3_600_000, attempts: 6, nextAt: NOW + 3_600_000 },
      { id: 'due', report: report('due'), createdAt: NOW - 1000, attempts: 0, nextAt: NOW + 1000 },
    ]);
    h.fetch = (async (url: string) => (posted.push(url), new Response('{}', { status: 503 }))) as unknown as typeof fetch;
    (h as { now: () => number }).now = () => NOW + 2000;
    await createReporter(h).flush();
    expect(posted).toHaveLength(1); // 'due', answered 503: it now waits about 2 s
    hide();
    expect(beacons).toHaveLength(1);
    expect(beaconed).toEqual([['due']]);
  });

  it('beacons nothing on pagehide that was forgotten while a flush read the outbox', async () => {
    const { h, beaconed, hide } = await host();
    const s = (await openIdbStore()) as Store;
    if (s.kind !== 'indexeddb') throw new Error('no IndexedDB');
    await storeOps(s).putOutbox([{ id: 'old', report: { reportId: 'old', period: '2026-12-04' } as CategoryInterestReport, createdAt: NOW - 1000, attempts: 0, nextAt: NOW }]);
    h.fetch = (async () => new Response('{}', { status: 503 })) as unknown as typeof fetch;
    (h as { store: () => Promise<Store> }).store = async () => s;
    const r = createReporter(h);
    // privacy.forget() (here or in another tab) lands after the flush has asked for the outbox left to send, before
    // the answer: the client closes the store, then resets the reporter.
    const transaction = s.db.transaction.bind(s.db) as (...a: unknown[]) => unknown;
    let reads = 0;
    (s.db as { transaction: unknown }).transaction = (...a: unknown[]) => {
      const tx = transaction(...a);
      if (a[0] === 'outbox' && a[1] === undefined && ++reads === 2) s.close(), r.reset();
      return tx;
    };
    await r.flush();
    expect(reads).toBe(2);
    hide();
    expect(beaconed).toEqual([]);
  });

  it('sends nothing, and beacons nothing on pagehide, for a report built while the data was forgotten', async () => {
    const { h, posted, beacons, reports, hide } = await host();
    const r = createReporter(h);
    const building = r.maybeReport();
    r.reset(); // privacy.forget() while the report is being built
    await building;
    hide();
    expect(reports).toEqual([]);
    expect(posted).toEqual([]);
    expect(beacons).toEqual([]);
  });
});
