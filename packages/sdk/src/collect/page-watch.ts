import type { EventSource } from '@edgewise/protocol';
import { listenClicks } from './clicks.ts';
import { trackEngagement, type Engagement } from './engagement.ts';
import { jsonLdProducts } from './jsonld.ts';
import { microdataProducts } from './microdata.ts';
import { onNavigate } from './navigation.ts';
import { pageType, searchTerm } from './page.ts';
import type { Logger } from '../shared/log.ts';
import { safe } from '../shared/safe.ts';

/**
 * Everything the SDK learns from the page itself, without the merchant writing code: the page view with its kind,
 * the products in its structured data (JSON-LD, else microdata), the site-search term in its URL, clicks on
 * `data-edgewise-*` elements, single-page-app navigations, and dwell time and scroll depth per page.
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

/** How long after a single-page-app navigation the new page's markup is read. */
const SPA_RENDER_WAIT_MS = 100;
/** Markup that still names the product of the page left is read again this much later, this many times at most. */
const STALE_WAIT_MS = 200;
const STALE_TRIES = 5;
/** A results page that rewrites its query as the shopper types: the term counts once unchanged this long. */
const SEARCH_SETTLE_MS = 1000;

type Found = [Record<string, unknown>, EventSource] | [];

/** The product in the page's markup and where it was found, if any. */
function productOnPage(doc: Document): Found {
  // Both readers give the page's one product or none (see onlyOne in jsonld.ts). A JSON-LD Product without an id
  // (a reviews widget's) does not hide the theme's microdata.
  const [fromJsonLd] = jsonLdProducts(doc);
  const [fromMicrodata] = fromJsonLd?.item_id ? [] : microdataProducts(doc);
  return fromMicrodata && (fromMicrodata.item_id || !fromJsonLd) ? [fromMicrodata, 'microdata'] : fromJsonLd ? [fromJsonLd, 'jsonld'] : [];
}

/**
 * Reads the current page: one page_view, then its product and search term. Returns the term on a search page
 * ('' without one), undefined elsewhere. `was`: the term of the results page left for this one.
 */
function readPage(env: PageEnv, ingest: Ingest, ts: number, engagement: Engagement | undefined, [product, source]: Found = productOnPage(env.document!), was?: string): string | undefined {
  const doc = env.document!;
  const loc = env.location;
  const type = pageType(loc?.pathname ?? '/', doc.querySelector('meta[name="edgewise:page-type"]')?.getAttribute('content'), !!product, loc?.search);
  ingest('page_view', { page_type: type }, 'auto', ts);
  if (product) ingest('view_item', { currency: product.currency, items: [product] }, source!);
  // The readers' item_id is text or nothing.
  engagement?.enter(type, product?.item_id as string | undefined);
  if (type !== 'search') return;
  const term = searchTerm(loc?.search ?? '');
  // Another page of the same results (the next page, a filter, the term submitted after it was typed) is no new search.
  if (term && term !== was) ingest('search', { search_term: term }, 'auto');
  return term ?? '';
}

/**
 * Starts watching the page; a failure in a callback is logged, never thrown into the page. Call it before adding
 * the core's own visibilitychange / beforeunload / pagehide listeners: the engagement report made when the page
 * is left must be in the events those listeners write. `onNewPage` runs at each single-page-app navigation, before
 * any event of the new page, and with `true` when the page on screen only rewrote its address (see navigation.ts).
 */
export function watchPage(env: PageEnv, ingest: Ingest, now: () => number, log: Logger, onNewPage: (rewrite?: boolean) => void): void {
  const doc = env.document;
  if (!doc) return;
  listenClicks(doc, (name, params) => ingest(name, params, 'dom'));
  const engagement = safe(log, 'engagement', () => trackEngagement(env, now, (p) => ingest('user_engagement', p, 'auto')))();
  // Stamped with the navigation's start, so it sorts before the events the page pushed while loading.
  const start = env.performance?.timeOrigin;
  /** The search term of the results page on screen, see readPage. */
  let searched: string | undefined;
  /** The last term the results page rewrote its address to, not counted yet. */
  let typed: string | undefined;
  let settling: ReturnType<typeof setTimeout> | undefined;
  const settle = safe(log, 'search', () => {
    clearTimeout(settling);
    if (typed && typed !== searched) ingest('search', { search_term: (searched = typed) }, 'auto');
    typed = undefined;
  });
  const first = safe(log, 'page view', () => (searched = readPage(env, ingest, start! <= now() ? Math.round(start!) : now(), engagement)));
  // A term typed just before the page is left or hidden counts too: before the core's listeners write (the core
  // writes in beforeunload because Chromium drops writes begun in pagehide on a navigation).
  env.addEventListener?.('beforeunload', settle);
  doc.addEventListener('visibilitychange', () => doc.hidden && settle());
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', first);
  else first();
  // A single-page app's navigation: report the page left, then read the new one a little later, once the app
  // has rendered it (routers call pushState first and render after), stamped with the navigation's time.
  // A navigation before the last one's page was read (a router's redirect: pushState, then replaceState) replaces
  // that read: the page left was never rendered, and the next one must be read once. A router that renders later
  // than the wait leaves the markup of the page left in place: when it still names the product the page left
  // showed, it is read again a little later (and taken after a few tries: a new address may show the same product).
  let reading: ReturnType<typeof setTimeout> | undefined;
  const read = (at: number, left: unknown, was: string | undefined, tries: number) =>
    safe(log, 'page view', () => {
      const found = productOnPage(doc);
      if (left && found[0]?.item_id === left && tries < STALE_TRIES) reading = setTimeout(read(at, left, was, tries + 1), STALE_WAIT_MS);
      else searched = readPage(env, ingest, at, engagement, found, was);
    });
  if (env.history && env.location)
    onNavigate(
      env,
      safe(log, 'navigation', (rewrite: boolean) => {
        if (rewrite) {
          onNewPage(true);
          // A results page rewriting its query in place (search as you type, a refined search) is one page, but
          // each settled term is a search.
          if (searched !== undefined) {
            typed = searchTerm(env.location!.search);
            clearTimeout(settling);
            settling = setTimeout(settle, SEARCH_SETTLE_MS);
          }
          return;
        }
        settle();
        const was = searched;
        searched = undefined;
        const at = now();
        const left = productOnPage(doc)[0]?.item_id;
        engagement?.leave();
        onNewPage();
        clearTimeout(reading);
        reading = setTimeout(read(at, left, was, 0), SPA_RENDER_WAIT_MS);
      }),
    );
}
