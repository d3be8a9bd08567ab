import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchPage } from './page-watch.ts';

/** A window on `url` with a History API that moves the location, a document with no markup, and listeners to fire. */
function fakeWindow(url: string) {
  const first = new URL(url, 'https://shop.example');
  const location = { pathname: first.pathname, search: first.search, hash: '' };
  const on: Record<string, Array<(e: Event) => void>> = {};
  const go = (u?: string | URL | null) => {
    if (u == null) return;
    const n = new URL(String(u), 'https://shop.example' + location.pathname + location.search);
    Object.assign(location, { pathname: n.pathname, search: n.search, hash: n.hash });
  };
  const history = { pushState: (_s: unknown, _t: string, u?: string) => go(u), replaceState: (_s: unknown, _t: string, u?: string) => go(u) } as unknown as History;
  const document = { readyState: 'complete', hidden: false, addEventListener: () => {}, querySelector: () => null, querySelectorAll: () => [], documentElement: { scrollHeight: 1000 } } as unknown as Document;
  const env = { document, location: location as unknown as Location, history, addEventListener: (t: string, f: (e: Event) => void) => void (on[t] ??= []).push(f) };
  const fire = (t: string) => on[t]?.forEach((f) => f(new Event(t)));
  return { env, history, fire };
}

const log = { debug() {}, warn() {}, entries: () => [] } as never;

describe('site search on a results page that rewrites its address', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function watch(url: string) {
    const w = fakeWindow(url);
    const seen: string[] = [];
    watchPage(w.env as never, (name, p) => void seen.push(name === 'search' ? 'search:' + (p as { search_term: string }).search_term : name), Date.now, log, () => {});
    const type = (...terms: string[]) => terms.forEach((q) => (w.history.replaceState(null, '', '/search?q=' + q), vi.advanceTimersByTime(150)));
    return { ...w, seen, type, searches: () => seen.filter((s) => s.startsWith('search:')) };
  }

  it('counts each term once it has stayed a second, not each keystroke, and no page view for the rewrites', () => {
    const w = watch('/search?q=shirt');
    w.type('m', 'mu', 'mug');
    vi.advanceTimersByTime(1000);
    w.type('mugs', 'mug'); // back to the term counted
    vi.advanceTimersByTime(5000);
    expect(w.searches()).toEqual(['search:shirt', 'search:mug']);
    expect(w.seen.filter((s) => s === 'page_view')).toHaveLength(1);
  });

  it('a term submitted at once (Enter pushes the results address), or paged through, is one search', () => {
    const w = watch('/search?q=shirt');
    w.type('m', 'mu', 'mug');
    w.history.pushState(null, '', '/search?q=mug&type=product');
    vi.advanceTimersByTime(5000);
    w.history.pushState(null, '', '/search?q=mug&type=product&page=2');
    vi.advanceTimersByTime(5000);
    expect(w.searches()).toEqual(['search:shirt', 'search:mug']);
    expect(w.seen.filter((s) => s === 'page_view')).toHaveLength(3);
  });

  it('a term still settling counts when the shopper opens a result or leaves the page', () => {
    const w = watch('/search?q=shirt');
    w.type('tea');
    w.history.pushState(null, '', '/products/teapot');
    w.fire('beforeunload');
    vi.advanceTimersByTime(5000);
    expect(w.searches()).toEqual(['search:shirt', 'search:tea']);
    const left = watch('/search?q=shirt');
    left.type('cup');
    left.fire('beforeunload');
    vi.advanceTimersByTime(5000);
    expect(left.searches()).toEqual(['search:shirt', 'search:cup']);
  });

  it('ignores query rewrites on pages that are not search results', () => {
    const w = watch('/collections/shirts?q=linen');
    w.history.replaceState(null, '', '/collections/shirts?q=cotton');
    vi.advanceTimersByTime(5000);
    expect(w.searches()).toEqual([]);
  });
});
