import type { PageType } from '@edgewise/protocol';
import type { PageEnv } from './page-watch.ts';

/**
 * Dwell time and scroll depth per page, reported as GA4 `user_engagement` when the page is left: hidden,
 * `beforeunload`, `pagehide` or a single-page-app navigation. Only time with the page visible counts (Page
 * Visibility), so a background tab adds nothing. Each report carries the seconds not reported yet: a shopper who
 * comes back to the tab and leaves again produces a second, smaller one.
 */

/** Seconds one page counts at most: past 30 minutes the shopper has most likely walked away (GA4's session timeout). */
export const PAGE_SECONDS_MAX = 30 * 60;

export interface Engagement {
  /** The page now looked at: its kind and, on a product page, the product. */
  enter(type: PageType, item?: string): void;
  /** A single-page app navigates: report the page left; what follows counts towards the next page. */
  leave(): void;
}

export function trackEngagement(env: PageEnv, now: () => number, emit: (params: Record<string, unknown>) => void): Engagement {
  const doc = env.document!;
  let page: [PageType, string?] | undefined;
  // `since`: when the page last became visible, 0 while hidden. `ms`: visible time so far, `sent`: seconds reported.
  let since = 0, ms = 0, sent = 0, deepest = 0, frame = 0;
  // How much of the page's height has been in the viewport. One layout read per frame at most, and none without
  // scrolling until the page is left (the height is only final once images have loaded).
  const measure = () => {
    frame = 0;
    deepest = Math.max(deepest, Math.min(100, Math.round(((env.scrollY! + env.innerHeight!) * 100) / doc.documentElement.scrollHeight) || 0));
  };
  const on = (e?: Event) => {
    const t = now();
    const type = e?.type;
    if (since) ms += t - since;
    since = type === 'pagehide' || doc.hidden ? 0 : t;
    // Every event but becoming visible again leaves the page. beforeunload may still be cancelled, so it does not
    // stop the clock; it is there because Chromium keeps IndexedDB writes started in it, not those from pagehide.
    if (page && (!since || (type !== 'visibilitychange' && type !== 'pageshow'))) {
      measure();
      const s = Math.round(Math.min(ms / 1000, PAGE_SECONDS_MAX)) - sent;
      if (s > 0) emit({ page_type: page[0], engagement_time_sec: s, scroll_percent: deepest, items: page[1] ? [{ item_id: page[1] }] : undefined }), (sent += s);
    }
  };
  on();
  doc.addEventListener('visibilitychange', on);
  for (const t of ['pagehide', 'pageshow', 'beforeunload']) env.addEventListener?.(t, on);
  doc.addEventListener('scroll', () => (frame ||= env.requestAnimationFrame?.(measure) ?? 0), { passive: true });
  return {
    enter: (type, item) => void (page = [type, item]),
    leave() {
      on();
      page = undefined;
      ms = sent = deepest = 0;
    },
  };
}
