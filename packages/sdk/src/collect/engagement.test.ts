import { describe, expect, it } from 'vitest';
import type { Profile, StoredEvent } from '@edgewise/protocol';
import { PAGE_SECONDS_MAX, trackEngagement } from './engagement.ts';
import { validateEvent } from './validate.ts';
import { applyEvent, emptyProfile } from '../profile/profile.ts';

/** A page with a clock, visibility, scrolling and animation frames that the test drives by hand. */
function fakePage({ hidden = false, height = 2000, viewport = 500 } = {}) {
  const on: Record<string, Array<(e: Event) => void>> = {};
  const add = (t: string, f: (e: Event) => void) => void (on[t] ??= []).push(f);
  const frames: Array<() => void> = [];
  let clock = 1_700_000_000_000;
  let layoutReads = 0;
  const doc = {
    hidden,
    addEventListener: add,
    documentElement: {
      get scrollHeight() {
        layoutReads++;
        return height;
      },
    },
  };
  const env = { document: doc as unknown as Document, scrollY: 0, innerHeight: viewport, addEventListener: add, requestAnimationFrame: (f: () => void) => frames.push(f) };
  const reports: Array<Record<string, unknown>> = [];
  const engagement = trackEngagement(env, () => clock, (p) => reports.push(p));
  return {
    env,
    engagement,
    reports,
    wait: (s: number) => void (clock += s * 1000),
    fire: (type: string) => on[type]?.forEach((f) => f({ type } as Event)),
    setHidden(h: boolean) {
      doc.hidden = h;
      on.visibilitychange?.forEach((f) => f({ type: 'visibilitychange' } as Event));
    },
    scrollTo(y: number) {
      env.scrollY = y;
      on.scroll?.forEach((f) => f({ type: 'scroll' } as Event));
    },
    frame: () => frames.splice(0).forEach((f) => f()),
    layoutReads: () => layoutReads,
  };
}

describe('dwell time', () => {
  it('counts visible time only and reports it once when the page is hidden', () => {
    const p = fakePage();
    p.engagement.enter('product', 'p0042');
    p.wait(12);
    p.setHidden(true);
    p.wait(600); // in another tab
    p.fire('pagehide');
    expect(p.reports).toEqual([{ page_type: 'product', engagement_time_sec: 12, scroll_percent: 25, items: [{ item_id: 'p0042' }] }]);
  });

  it('reports the seconds added after the shopper came back, and nothing twice', () => {
    const p = fakePage();
    p.engagement.enter('category');
    p.wait(5);
    p.setHidden(true);
    p.wait(100);
    p.setHidden(false);
    p.fire('pageshow');
    p.wait(7);
    p.fire('beforeunload');
    p.wait(0.2);
    p.setHidden(true);
    p.fire('pagehide');
    expect(p.reports.map((r) => r.engagement_time_sec)).toEqual([5, 7]);
    expect(p.reports[0]).not.toHaveProperty('items.0');
  });

  it('does not count a prerendered page until it is shown', () => {
    const p = fakePage({ hidden: true });
    p.engagement.enter('home');
    p.wait(30);
    p.setHidden(false);
    p.wait(4);
    p.setHidden(true);
    expect(p.reports.map((r) => r.engagement_time_sec)).toEqual([4]);
  });

  it('caps a page at 30 minutes, across reports', () => {
    const p = fakePage();
    p.engagement.enter('info');
    p.wait(20 * 60);
    p.setHidden(true);
    p.setHidden(false);
    p.wait(3 * 60 * 60);
    p.setHidden(true);
    expect(p.reports.map((r) => r.engagement_time_sec)).toEqual([1200, PAGE_SECONDS_MAX - 1200]);
  });

  it('stays quiet for a glance under half a second', () => {
    const p = fakePage();
    p.engagement.enter('home');
    p.wait(0.4);
    p.fire('pagehide');
    expect(p.reports).toEqual([]);
  });

  it('keeps the time before the page was read (DOMContentLoaded) for that page', () => {
    const p = fakePage();
    p.wait(3);
    p.setHidden(true);
    p.setHidden(false);
    expect(p.reports).toEqual([]);
    p.engagement.enter('home');
    p.wait(1);
    p.fire('pagehide');
    expect(p.reports.map((r) => r.engagement_time_sec)).toEqual([4]);
  });

  it('on a single-page-app navigation reports the page left and counts what follows towards the next page', () => {
    const p = fakePage();
    p.engagement.enter('category');
    p.wait(8);
    p.engagement.leave();
    p.wait(1); // the router renders; the next page is read a frame later
    p.engagement.enter('product', 'p1');
    p.wait(2);
    p.engagement.leave();
    p.engagement.leave(); // a redirect right after: nothing new to say
    expect(p.reports).toEqual([
      { page_type: 'category', engagement_time_sec: 8, scroll_percent: 25, items: undefined },
      { page_type: 'product', engagement_time_sec: 3, scroll_percent: 25, items: [{ item_id: 'p1' }] },
    ]);
  });
});

describe('scroll depth', () => {
  it('keeps the deepest point seen, reading layout at most once per frame', () => {
    const p = fakePage({ height: 4000, viewport: 1000 });
    p.engagement.enter('product', 'p1');
    for (let y = 0; y <= 2000; y += 100) p.scrollTo(y);
    expect(p.layoutReads()).toBe(0);
    p.frame();
    expect(p.layoutReads()).toBe(1);
    p.scrollTo(0);
    p.frame();
    p.wait(3);
    p.setHidden(true);
    expect(p.reports[0]!.scroll_percent).toBe(75);
  });

  it('says 100 for a page shorter than the window, or an empty one', () => {
    const short = fakePage({ height: 300, viewport: 800 });
    short.engagement.enter('cart');
    short.wait(2);
    short.fire('pagehide');
    expect(short.reports[0]!.scroll_percent).toBe(100);
    const empty = fakePage({ height: 0 });
    empty.engagement.enter('other');
    empty.wait(2);
    empty.fire('pagehide');
    expect(empty.reports[0]!.scroll_percent).toBe(100);
  });
});

describe('user_engagement through validation into the profile', () => {
  const fold = (p: Profile, params: unknown) => {
    const v = validateEvent('user_engagement', params);
    if (typeof v === 'string') return v;
    applyEvent(p, { id: 'e', name: v.name, params: v.params, ts: 1_700_000_000_000, sessionId: '', source: 'auto' } satisfies StoredEvent, () => 's1');
    return v.params;
  };

  it('adds the seconds to the session per page kind', () => {
    const p = emptyProfile(1_700_000_000_000);
    fold(p, { page_type: 'product', engagement_time_sec: 40, scroll_percent: 80, items: [{ item_id: 'p1' }] });
    fold(p, { page_type: 'product', engagement_time_sec: 5 });
    fold(p, { page_type: 'info', engagement_time_sec: 9 });
    expect(p.session.pageSeconds).toEqual({ product: 45, info: 9 });
    expect(p.session.pageCounts).toEqual({});
    expect(p.session.productViews).toBe(0);
  });

  it('clamps what a page may claim and drops GA4’s own kind-less engagement', () => {
    const p = emptyProfile(1_700_000_000_000);
    expect(fold(p, { page_type: 'home', engagement_time_sec: 1e6, scroll_percent: 250 })).toEqual({ page_type: 'home', engagement_time_sec: PAGE_SECONDS_MAX, scroll_percent: 100 });
    expect(fold(p, { page_type: 'home', engagement_time_sec: -4, scroll_percent: 12.5 })).toEqual({ page_type: 'home' });
    expect(fold(p, { engagement_time_msec: 1000 })).toMatch(/no page_type/);
    expect(fold(p, { page_type: 'wishlist', engagement_time_sec: 3 })).toMatch(/no page_type/);
  });
});
