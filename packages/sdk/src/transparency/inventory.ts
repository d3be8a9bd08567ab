import { DB_NAME, DAILY_EPSILON_BUDGET, OUTBOX_MAX_AGE_MS, REPORT_EPSILON, REPORT_MIN_INTEREST_EVENTS, RETENTION_EVENTS_MAX, RETENTION_MS, SDK_VERSION } from '../shared/constants.ts';
import type { DebugInfo, Inventory } from '../api/types.ts';
import type { Config } from '../loader/config.ts';

/** What `privacy.inventory()` is built from: the SDK's live state; the static parts describe what the code does. */
export interface InventoryState {
  config: Config;
  debug: DebugInfo;
  /** `navigator.globalPrivacyControl` as the browser reports it. */
  gpc: boolean;
  counts: { events: number; outbox: number };
}

export function inventory({ config, debug, gpc, counts }: InventoryState): Inventory {
  return {
    sdkVersion: SDK_VERSION,
    site: config.site,
    consent: { state: debug.consent, source: debug.consentSource, globalPrivacyControl: gpc, gpcHonoured: config.gpc !== 'ignore' },
    automation: debug.automation ?? null,
    storage: {
      kind: debug.storage,
      ...(debug.storageReason ? { reason: debug.storageReason } : {}),
      database: DB_NAME,
      stores: {
        events: 'GA4 ecommerce events (name, item fields, value, page kind, time, local session id, source); deleted after ' +
          RETENTION_MS / 86_400_000 + ' days or beyond ' + RETENTION_EVENTS_MAX + ' events',
        profile: 'category and brand affinities, recent / cart / purchased item ids, purchase counts, the transaction ids of the latest purchases (to count a repeated purchase once), session counters',
        outbox: 'privatized reports waiting to be sent; dropped unsent after ' + OUTBOX_MAX_AGE_MS / 86_400_000 + ' days',
        meta: 'privacy budget spent today',
      },
      counts,
    },
    collects: [
      'page views: the page kind only (home, product, ...), never the URL',
      'GA4 events pushed to window.dataLayer (gtag and GTM shapes)',
      'schema.org Product in JSON-LD or microdata on product pages',
      'clicks on elements marked data-edgewise-*',
      'single-page-app navigations (History API): a new page view, the address itself is not kept',
      'visible seconds and deepest scroll point per page (user_engagement), when the page is left',
      'edgewise.track() calls',
      'texts the shop passes to edgewise.understand(): classified in the worker, never stored or sent',
    ],
    sends: [
      {
        to: config.endpoint ? config.endpoint + '/v1/reports' : null,
        kind: 'category_interest',
        fields: ['schemaVersion', 'reportId (fresh random per report)', 'site', 'kind', 'period (UTC day)', 'mechanism', 'buckets (public category list)', 'bits (OUE-perturbed)', 'sdkVersion'],
        mechanism: 'optimized unary encoding (local differential privacy)',
        epsilon: REPORT_EPSILON,
        dailyEpsilonBudget: DAILY_EPSILON_BUDGET,
        when:
          'at most once per UTC day, after ' + REPORT_MIN_INTEREST_EVENTS + ' product interest events in known categories or a purchase, only with consent granted; ' +
          'privacy.forget() and withdrawn consent delete the day\'s budget record with everything else, so consent given again the same day may send a second report, built only from what was collected after the deletion',
      },
    ],
    neverSends: ['events', 'item ids', 'URLs or referrers', 'user, device or session identifiers', 'search terms', 'texts given to understand()', 'cookies'],
    downloads: [config.modelBaseUrl + 'index.json', 'model files verified by SHA-256 (in the worker)'],
  };
}
