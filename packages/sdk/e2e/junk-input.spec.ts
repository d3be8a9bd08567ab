import { EVENT_NAMES } from '../../protocol/src/index.ts';
import { test, expect, pageUrl, openSdk, readEdgewiseDb, problemsOf } from './fixtures.ts';

// Hostile input to every public call of `window.edgewise` — each function found on the object (so calls added
// later are covered too), the snippet's queue and `on()` handlers — in real Chromium with consent granted: nothing
// throws or rejects into the page, nothing hangs, and nothing but validated GA4 events reaches IndexedDB.

/** The calls `api/types.ts` documents; each must be found on the live object. */
const DOCUMENTED = ['track', 'recommend', 'consent.set', 'consent.get', 'privacy.inventory', 'privacy.export', 'privacy.forget', 'on'];

test('junk to every public call never throws, rejects or hangs, and never stores junk', async ({ context, page, network }) => {
  // The snippet's queue, filled with junk before the script loads: not arrays, unknown and inherited method
  // names, known methods with junk arguments.
  await context.addInitScript(() => {
    const cyclic: any = { items: [] };
    cyclic.items.push(cyclic);
    (window as any).edgewise = [
      42, null, 'track', {}, [], [undefined], [null, 'x'], ['__proto__'], ['constructor', 'x'], ['toString'], ['privacy.__proto__'],
      ['consent.constructor'], ['track.call', null, 'purchase', {}], ['track', cyclic, cyclic], ['track', 'purchase', cyclic],
      ['consent.set', 'GRANTED'], ['consent.set', { toString: () => 'denied' }], ['on', 'event', 'not a function'], ['recommend', cyclic],
      ['on', 'ready', () => { throw new Error('ready handler boom'); }],
    ];
  });
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));

  const outcome = await page.evaluate(async (documented) => {
    const ew = (window as any).edgewise;
    const failures: string[] = [];

    // Every function reachable on the public object, by path.
    const paths: string[] = [];
    const walk = (o: any, prefix: string, depth: number) => {
      for (const k of Object.keys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        if (!('value' in d)) continue; // getters (debug) are read below
        if (typeof d.value === 'function') paths.push(prefix + k);
        else if (d.value && typeof d.value === 'object' && depth < 2) walk(d.value, prefix + k + '.', depth + 1);
      }
    };
    walk(ew, '', 0);
    // forget() first and track() last, so that what track() lets through is still in IndexedDB at the end.
    const order = (p: string) => (p === 'privacy.forget' ? 0 : p === 'track' ? 2 : 1);
    paths.sort((a, b) => order(a) - order(b));
    const resolve = (p: string) => p.split('.').reduce((o: any, k) => o[k], ew);
    const owner = (p: string) => p.split('.').slice(0, -1).reduce((o: any, k) => o[k], ew);

    const cyclic: any = { items: [] };
    cyclic.items.push(cyclic);
    cyclic.self = cyclic;
    const trap = new Proxy({}, { get() { throw new Error('trap get'); }, ownKeys() { throw new Error('trap keys'); }, getPrototypeOf() { throw new Error('trap proto'); } });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const getterBomb = { get items() { throw new Error('getter'); }, get count() { throw new Error('getter'); } };
    const huge = 'x'.repeat(1_000_000);
    const junk: unknown[] = [
      undefined, null, 0, -1, NaN, -Infinity, 1e308, '', huge, true, Symbol('s'), BigInt(7), () => 1, [], [1, 2, 3], new Date(NaN), /re/g,
      new Map([['items', []]]), cyclic, trap, revoked.proxy, getterBomb, Object.create(null), JSON.parse('{"__proto__": {"polluted": 1}, "items": [{"item_id": "pp"}]}'),
      document.body, window, Promise.resolve('granted'), new Uint8Array(4),
      { toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); } }, 'granted ', 'GRANTED', new String('granted'),
      { count: -5, context: { itemId: cyclic, exclude: [trap], category: huge } }, { count: 1e9, context: 'product' },
      { items: Array.from({ length: 20_000 }, (_, i) => ({ item_id: 'bulk' + i })) }, 'view_item', 'purchase', '__proto__', 'constructor', 'event',
    ];

    const settle = async (label: string, call: () => unknown) => {
      let r: unknown;
      try {
        r = call();
      } catch (e) {
        failures.push(`${label}: threw ${(e as Error)?.message}`);
        return undefined;
      }
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        const timeout = new Promise((res) => setTimeout(res, 30_000, 'TIMEOUT'));
        try {
          const v = await Promise.race([r, timeout]);
          if (v === 'TIMEOUT') failures.push(`${label}: never settled`);
          return v;
        } catch (e) {
          failures.push(`${label}: rejected ${(e as Error)?.message}`);
        }
      }
      return r;
    };
    const name = (x: unknown) => {
      try {
        return typeof x === 'string' ? JSON.stringify(x.slice(0, 12)) : typeof x === 'symbol' || typeof x === 'bigint' ? typeof x : x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
      } catch {
        return 'unprintable';
      }
    };

    // Handlers that throw are contained.
    await settle('on(event, throws)', () => ew.on('event', () => { throw new Error('event handler boom'); }));
    await settle('on(consent, throws)', () => ew.on('consent', () => { throw new Error('consent handler boom'); }));

    const returns: Record<string, Set<string>> = {};
    let accepted = 0;
    for (const path of paths) {
      const fn = resolve(path);
      const ret = (returns[path] ??= new Set());
      const note = (v: unknown) => ret.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
      // No arguments, then one, two and four junk arguments; detached and as a method; with a junk `this`.
      note(await settle(`${path}()`, () => fn()));
      for (const a of junk) {
        const vs = [
          await settle(`${path}(${name(a)})`, () => fn(a)),
          await settle(`${path}(${name(a)}, ${name(a)})`, () => fn(a, a)),
          await settle(`${path}(${name(a)}, {}, ${name(a)})`, () => fn(a, {}, a, a)),
          await settle(`as a method: ${path}(${name(a)})`, () => owner(path)[path.split('.').pop()!](a)),
          await settle(`${path}.call(${name(a)}, ${name(a)})`, () => fn.call(a, a)),
        ];
        vs.forEach(note);
        if (path === 'track') accepted += vs.filter((v) => v === true).length;
        // on() hands back an unsubscribe function: junk to it too.
        if (path === 'on') for (const v of vs) if (typeof v === 'function') await settle('unsubscribe', () => v(a, a));
      }
      if (path === 'track') for (const a of junk) for (const b of junk) if ((await settle(`track(${name(a)}, ${name(b)})`, () => fn(a, b))) === true) accepted++;
    }
    let debugOk = true;
    try {
      JSON.stringify(ew.debug);
    } catch {
      debugOk = false;
    }
    const valid = ew.track('add_to_cart', { items: [{ item_id: 'the-valid-one', item_category: 'Kitchen' }] });
    await ew.privacy.export(); // writes what is pending
    return {
      paths,
      failures,
      accepted,
      valid,
      consent: ew.consent.get(),
      debugOk,
      storage: ew.debug.storage,
      polluted: ({} as any).polluted,
      returns: Object.fromEntries(Object.entries(returns).map(([k, v]) => [k, [...v].sort()])),
    };
  }, DOCUMENTED);

  expect(outcome.paths).toEqual(expect.arrayContaining(DOCUMENTED));
  expect(outcome.failures).toEqual([]);
  expect(outcome.valid).toBe(true);
  expect(outcome.consent).toBe('granted');
  expect(outcome.debugOk).toBe(true);
  expect(outcome.storage).toBe('indexeddb');
  expect(outcome.polluted).toBeUndefined();
  // What each call hands back to the page, whatever it was given.
  expect(outcome.returns.track).toEqual(['boolean']);
  expect(outcome.returns['consent.get']).toEqual(['string']);
  expect(outcome.returns.on).toEqual(['function']);
  expect(outcome.returns.recommend).toEqual(['object']);
  expect(outcome.returns['privacy.forget']).toEqual(['boolean']);

  // Nothing but validated GA4 events was stored; every event the API stored was one track() accepted.
  await expect.poll(async () => (await readEdgewiseDb(page)).exists).toBe(true);
  const events = (await readEdgewiseDb(page)).stores.events as Array<{ id: string; name: string; params: Record<string, unknown>; source: string }>;
  const FIELDS = new Set(['currency', 'value', 'transaction_id', 'search_term', 'item_list_id', 'item_list_name', 'promotion_id', 'promotion_name', 'creative_name', 'creative_slot', 'page_type', 'engagement_time_sec', 'scroll_percent', 'items']);
  const bad = events.filter(
    (e) =>
      !(EVENT_NAMES as readonly string[]).includes(e.name) ||
      Object.keys(e.params).some((k) => !FIELDS.has(k)) ||
      JSON.stringify(e).includes('polluted') ||
      /x{257}/.test(JSON.stringify(e)) ||
      ((e.params.items as unknown[] | undefined)?.length ?? 0) > 200,
  );
  expect(bad).toEqual([]);
  const fromApi = events.filter((e) => e.source === 'api');
  expect(fromApi.some((e) => JSON.stringify(e).includes('the-valid-one'))).toBe(true);
  expect(fromApi.length).toBe(outcome.accepted + 1);
  expect(await problems()).toEqual([]);
  expect(network.length).toBeGreaterThan(0);
});
