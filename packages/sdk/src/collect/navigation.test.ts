import { describe, expect, it } from 'vitest';
import { onNavigate } from './navigation.ts';

/** A History whose methods move a fake location, return a marker, remember `this` and throw like the platform. */
function fakeWindow(path = '/category/shoes') {
  const location = { pathname: path, search: '', hash: '' };
  const popstate: Array<() => void> = [];
  const seenThis: unknown[] = [];
  const go = (url?: string | URL | null) => {
    if (url == null) return;
    const u = new URL(String(url), 'https://shop.example' + location.pathname + location.search);
    if (u.origin !== 'https://shop.example') throw new DOMException('cannot be created in a document with origin', 'SecurityError');
    Object.assign(location, { pathname: u.pathname, search: u.search, hash: u.hash });
  };
  class FakeHistory {
    length = 1;
    pushState(this: FakeHistory, _state: unknown, _unused: string, url?: string | URL | null) {
      seenThis.push(this);
      go(url);
      return 'native-push';
    }
    replaceState(this: FakeHistory, _state: unknown, _unused: string, url?: string | URL | null) {
      seenThis.push(this);
      go(url);
      return 'native-replace';
    }
  }
  const history = new FakeHistory() as unknown as History;
  const env = { history, location: location as unknown as Location, addEventListener: (t: string, f: (e: Event) => void) => void (t === 'popstate' && popstate.push(() => f({ type: t } as Event))) };
  return {
    env,
    history,
    seenThis,
    back(url: string) {
      go(url);
      popstate.forEach((f) => f());
    },
  };
}

describe('single-page-app navigations', () => {
  it('fires for a new path or query, not for a hash or the same URL; a query replaced in place is a rewrite', () => {
    const w = fakeWindow();
    const seen: string[] = [];
    onNavigate(w.env, (rewrite) => seen.push((rewrite ? 'rewrite ' : '') + w.env.location.pathname + w.env.location.search));
    w.history.pushState({}, '', '/product/p1');
    w.history.pushState({ tab: 2 }, '', '#reviews');
    w.history.replaceState({ scroll: 300 }, '');
    w.history.replaceState(null, '', '/product/p1?color=red'); // a variant chosen (Shopify themes do this)
    w.history.pushState(null, '', '/product/p1?color=red#top');
    w.history.pushState(null, '', '/product/p1?color=blue'); // a new history entry is a new page
    w.history.replaceState(null, '', '/cart'); // a router's redirect to another path
    w.back('/category/shoes?utm_source=mail');
    w.history.replaceState(null, '', '/category/shoes'); // tracking parameters stripped after load
    w.back('/category/shoes#filters');
    expect(seen).toEqual(['/product/p1', 'rewrite /product/p1?color=red', '/product/p1?color=blue', '/cart', '/category/shoes?utm_source=mail', 'rewrite /category/shoes']);
  });

  it('leaves the page’s own calls as they were: result, this, and the platform’s exception', () => {
    const w = fakeWindow();
    let calls = 0;
    onNavigate(w.env, () => calls++);
    expect(w.history.pushState(null, '', '/a')).toBe('native-push');
    expect(w.history.replaceState(null, '', '/b')).toBe('native-replace');
    const other = { marker: true };
    w.history.pushState.call(other as unknown as History, null, '', '/c');
    expect(w.seenThis).toEqual([w.history, w.history, other]);
    expect(() => w.history.pushState(null, '', 'https://evil.example/x')).toThrow(/origin/);
    expect(calls).toBe(3);
  });

  it('wraps history once when the SDK is loaded twice, and tells both copies', () => {
    const w = fakeWindow();
    const a: string[] = [];
    const b: string[] = [];
    onNavigate(w.env, () => a.push(w.env.location.pathname));
    const wrapped = w.history.pushState;
    onNavigate(w.env, () => b.push(w.env.location.pathname));
    expect(w.history.pushState).toBe(wrapped);
    w.history.pushState(null, '', '/cart');
    expect([a, b]).toEqual([['/cart'], ['/cart']]);
  });

  it('takes odd arguments the way the platform does', () => {
    const w = fakeWindow();
    let calls = 0;
    onNavigate(w.env, () => calls++);
    const odd: unknown[][] = [[], [undefined], [null, ''], [{}, '', null], [{}, '', undefined], [1, 2, new URL('https://shop.example/search?q=tea')], [Symbol('s'), '', '']];
    for (const args of odd) (w.history.pushState as (...a: unknown[]) => unknown)(...args);
    expect(w.env.location.pathname + w.env.location.search).toBe('/search?q=tea');
    expect(calls).toBe(1);
  });
});
