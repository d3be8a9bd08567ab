import type { PageEnv } from './page-watch.ts';

/**
 * Single-page-app navigations through the History API: the page's own `pushState` / `replaceState` calls and the
 * back and forward buttons (`popstate`). A navigation changes the path or the query; a change of the hash alone
 * (anchors, tabs, modals) does not leave the page. Nor does `replaceState` to the same path with another query:
 * that rewrites the address of the page on screen (a product's variant, tracking parameters stripped after load).
 */

/** On `history`: the listeners of every SDK copy on the page, so that a second copy never wraps it again. */
const LISTENERS = '__edgewiseNavigation';

/**
 * Calls `fn(false)` after each navigation to a new path or query, `fn(true)` after a rewrite of the address in
 * place. `fn` must not throw: it runs inside the page's call.
 */
export function onNavigate(env: PageEnv, fn: (rewrite: boolean) => void): void {
  const h = env.history as History & { [LISTENERS]?: Array<(replace?: boolean) => void> };
  const loc = env.location!;
  let path = loc.pathname;
  let last = path + loc.search;
  const check = (replace?: boolean) => {
    const rewrite = replace === true && path === loc.pathname;
    if (last !== (last = (path = loc.pathname) + loc.search)) fn(rewrite);
  };
  if (!h[LISTENERS]) {
    const all: Array<(replace?: boolean) => void> = [];
    for (const m of ['pushState', 'replaceState'] as const) {
      const native = h[m];
      // The page's call behaves as before: same `this`, same result, the platform's exception (and then no event).
      h[m] = function (this: History, ...args: Parameters<History['pushState']>) {
        const r = native.apply(this, args);
        all.forEach((f) => f(m === 'replaceState'));
        return r;
      };
    }
    h[LISTENERS] = all;
  }
  h[LISTENERS].push(check);
  env.addEventListener?.('popstate', () => check());
}
