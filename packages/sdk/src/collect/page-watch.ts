import type { EventSource } from '@edgewise/protocol';
import { listenClicks } from './clicks.ts';
import { jsonLdProducts } from './jsonld.ts';
import { pageType, searchTerm } from './page.ts';
import type { Logger } from '../shared/log.ts';
import { safe } from '../shared/safe.ts';

/**
 * Everything the SDK learns from the page itself, without the merchant writing code: the page view with its kind,
 * the products in its structured data, the site-search term in its URL and clicks on `data-edgewise-*` elements.
 */

export type Ingest = (name: string, params: unknown, source: EventSource, ts?: number) => unknown;

export interface PageEnv {
  document?: Document;
  location?: Location;
  performance?: Performance;
  history?: History;
  scrollY?: number;
  innerHeight?: number;
  requestAnimationFrame?(fn: () => void): number;
  addEventListener?: (type: string, fn: (e: Event) => void) => void;
}

/** Reads the current page: one page_view, then its products and search term. */
function readPage(env: PageEnv, ingest: Ingest, ts: number): void {
  const doc = env.document!;
  const loc = env.location;
  const products = jsonLdProducts(doc);
  const type = pageType(loc?.pathname ?? '/', doc.querySelector('meta[name="edgewise:page-type"]')?.getAttribute('content'), products.length > 0);
  ingest('page_view', { page_type: type }, 'auto', ts);
  for (const p of products) ingest('view_item', { currency: p.currency, items: [p] }, 'jsonld');
  const term = type === 'search' && searchTerm(loc!.search);
  if (term) ingest('search', { search_term: term }, 'auto');
}

/** Starts watching the page; a failure in a callback is logged, never thrown into the page. */
export function watchPage(env: PageEnv, ingest: Ingest, now: () => number, log: Logger): void {
  const doc = env.document;
  if (!doc) return;
  listenClicks(doc, (name, params) => ingest(name, params, 'dom'));
  // Stamped with the navigation's start, so it sorts before the events the page pushed while loading.
  const start = env.performance?.timeOrigin;
  const first = safe(log, 'page view', () => readPage(env, ingest, start! <= now() ? Math.round(start!) : now()), undefined);
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', first);
  else first();
}
