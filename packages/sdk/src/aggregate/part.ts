import { DAILY_EPSILON_BUDGET, REPORT_EPSILON, SDK_VERSION } from '../shared/constants.ts';
import { secureRandom, uuid } from '../shared/ids.ts';
import { describe } from '../shared/safe.ts';
import { utcDay, utcDayStart } from '../shared/time.ts';
import type { Host, Reporter } from '../shared/parts.ts';
import { batchBody, batches, flushOutbox } from '../outbox/outbox.ts';
import { beacon, postReports } from '../send/send.ts';
import { storeOps } from '../store/ops.ts';
import type { OutboxItem } from '../store/types.ts';
import { buildCategoryReport, dayQualifies, topCategory } from './category-interest.ts';
import { parseDomain, type Domain } from './domain.ts';

/**
 * The report part (`edgewise-report.js`), loaded only on days that may produce a report or when the outbox holds
 * one: aggregate → privatize → outbox → send.
 */

/** Longest wait for the next outbox attempt while the page stays open. */
const MAX_TIMER_MS = 10 * 60 * 1000;
/** On pagehide, a report whose next attempt is further away than this is left to a later visit. */
const BEACON_BACKOFF_MAX_MS = 60_000;

export function createReporter(h: Host): Reporter {
  const { site, endpoint, modelBaseUrl } = h.config;
  const url = endpoint + '/v1/reports';
  const fetchFn = h.fetch!;
  const random = h.random ?? secureRandom;
  let domainP: Promise<Domain | null> | null = null;
  let busy: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Reports not yet acknowledged, kept for the pagehide beacon. */
  let unsent: OutboxItem[] = [];
  /** The next run sends every report, backoff or not (the device came back online). */
  let all = false;
  /** Bumped by reset() (`privacy.forget()`): a report built before it must go nowhere. */
  let epoch = 0;

  const domain = () =>
    (domainP ??= fetchFn(modelBaseUrl + 'index.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => {
        const d = parseDomain(j);
        if (!d) h.log.warn('reports: no usable category domain in ' + modelBaseUrl + 'index.json');
        return d;
      })
      .catch((e) => {
        h.log.warn('reports: index.json unavailable: ' + describe(e));
        domainP = null; // try again next time
        return null;
      }));

  let again = false;
  const ops = async () => {
    const s = await h.store();
    return s && h.allowed() ? storeOps(s) : null;
  };

  const run = async (): Promise<void> => {
    const started = epoch;
    const store = await ops();
    if (!store) return;
    clearTimeout(timer);
    const r = await flushOutbox({ store, send: (body) => postReports(fetchFn, url, body), now: h.now, random, log: h.log, all });
    all = false;
    for (const it of r.sent) h.onReport({ status: 'sent', period: it.report.period, at: h.now(), report: it.report });
    for (const it of r.dropped) h.onReport({ status: 'dropped', period: it.report.period, at: h.now(), report: it.report });
    const left = await store.outbox();
    // Forgotten meanwhile: what this run read must not come back as unsent (the pagehide beacon), nor be retried.
    if (started !== epoch) return;
    unsent = left;
    if (r.nextAt !== null) {
      const last = unsent[unsent.length - 1];
      if (last) h.onReport({ status: 'retrying', period: last.report.period, at: h.now(), report: last.report });
      timer = setTimeout(() => void flush(), Math.min(MAX_TIMER_MS, Math.max(0, r.nextAt - h.now())));
    }
  };
  /** One flush at a time; a call during a flush runs another one right after it. */
  const flush = (): Promise<void> => {
    if (busy) {
      again = true;
      return busy;
    }
    return (busy = run()
      .catch((e) => h.log.warn('reports: flush failed: ' + describe(e)))
      .finally(() => {
        busy = null;
        if (again) {
          again = false;
          void flush();
        }
      }));
  };

  const maybeReport = async (): Promise<void> => {
    const started = epoch;
    const s = await h.store();
    const store = s && h.allowed() ? storeOps(s) : null;
    if (!s || !store) return;
    const d = await domain();
    if (!d) return;
    const now = h.now();
    const day = utcDay(now);
    const [events, snap] = await Promise.all([store.eventsSince(utcDayStart(now)), s.snapshot()]);
    if (!dayQualifies(events, d)) return;
    const trueIndex = snap.profile ? topCategory(snap.profile.categoryAffinity, d) : -1;
    if (trueIndex < 0) return;
    const report = buildCategoryReport({
      site: site!, period: day, domain: d, trueIndex, epsilon: REPORT_EPSILON, reportId: uuid(), sdkVersion: SDK_VERSION, random,
    });
    const item: OutboxItem = { id: report.reportId, report, createdAt: now, attempts: 0, nextAt: now };
    if (!(await store.spendAndQueue(item, day, REPORT_EPSILON, DAILY_EPSILON_BUDGET))) {
      h.log.debug('reports: privacy budget for ' + day + ' already spent');
      return;
    }
    // The shopper's data was forgotten while this report was built: its database is gone with it, and the page
    // must neither beacon it nor count its budget.
    if (started !== epoch) return;
    h.log.debug('reports: queued category_interest for ' + day + ' (ε = ' + REPORT_EPSILON + ')');
    h.onReport({ status: 'queued', period: day, at: now, report });
    unsent.push(item);
    await flush();
  };

  h.win?.addEventListener?.('pagehide', () => {
    // The page is going away: hand the reports to the browser, except those whose backoff has grown past a minute
    // (the server has been failing for a while: one beacon per page view would be a retry storm). The server
    // deduplicates by reportId, so a report both beaconed and retried on the next visit is counted once.
    const due = unsent.filter((i) => i.nextAt - h.now() < BEACON_BACKOFF_MAX_MS);
    if (!due.length || !h.allowed()) return;
    for (const b of batches(due)) beacon(h.nav, url, batchBody(b));
  });
  // Back online: a backoff that grew while offline says nothing about the network now; send everything.
  h.win?.addEventListener?.('online', () => {
    all = true;
    void flush();
  });

  return {
    maybeReport: () => maybeReport().catch((e) => h.log.warn('reports: ' + describe(e))),
    flush,
    reset() {
      epoch++;
      clearTimeout(timer);
      unsent = [];
    },
  };
}
