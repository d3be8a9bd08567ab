import type { AggregatesResponse } from '@edgewise/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, SHOP_ORIGIN, testApp, type TestApp } from '../testing/app.ts';
import { makeReport, makeStored, privatizeOue, seededRandom, seededUuid } from '../testing/reports.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const get = (app: TestApp, url: string, token: string | null = ADMIN_TOKEN) =>
  app.app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe('GET /v1/sites/:site/aggregates: access', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a token that is a prefix of the right one', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` }],
    ['"Bearer" alone', { authorization: 'Bearer ' }],
  ])('%s → 401 EW_UNAUTHORIZED', async (_name, headers) => {
    t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/v1/sites/demo-shop/aggregates', headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().code).toBe('EW_UNAUTHORIZED');
  });

  it('checks the token before telling whether a site exists', async () => {
    t = await testApp();
    expect((await get(t, '/v1/sites/nope/aggregates', null)).statusCode).toBe(401);
    const res = await get(t, '/v1/sites/nope/aggregates');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('EW_UNKNOWN_SITE');
  });

  it('refuses malformed filters with 400 EW_SCHEMA', async () => {
    t = await testApp();
    for (const q of ['period=yesterday', 'kind=DROP%20TABLE', 'site=other']) {
      const res = await get(t, `/v1/sites/demo-shop/aggregates?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code).toBe('EW_SCHEMA');
    }
  });
});

describe('GET /v1/sites/:site/aggregates: publishing', () => {
  it('publishes only groups with at least k reports and counts the rest as withheld', async () => {
    t = await testApp({ minReports: 3 });
    const send = (period: string) =>
      t!.app.inject({ method: 'POST', url: '/v1/reports', headers: { origin: SHOP_ORIGIN, 'content-type': 'application/json' }, payload: makeReport({ period }) });
    for (let i = 0; i < 3; i++) await send('2025-01-16');
    for (let i = 0; i < 2; i++) await send('2025-01-15');
    const res = await get(t, '/v1/sites/demo-shop/aggregates');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as AggregatesResponse;
    expect(body).toMatchObject({ site: 'demo-shop', minReports: 3, withheld: 1 });
    expect(body.aggregates.map((a) => [a.period, a.reports])).toEqual([['2025-01-16', 3]]);
    expect(body.aggregates[0]!.cells.map((c) => c.bucket)).toEqual(makeReport().buckets);
    expect(res.body).not.toContain('2025-01-15');
    const other = (await get(t, '/v1/sites/other-shop/aggregates')).json() as AggregatesResponse;
    expect(other).toEqual({ site: 'other-shop', minReports: 3, aggregates: [], withheld: 0 });
  });

  it('filters by period and kind', async () => {
    t = await testApp({ minReports: 1 });
    await t.storage.insert([makeStored({ period: '2025-01-14' }), makeStored({ period: '2025-01-15' }), makeStored({ period: '2025-01-15', epsilon: 1 })]);
    const byPeriod = (await get(t, '/v1/sites/demo-shop/aggregates?period=2025-01-15')).json() as AggregatesResponse;
    expect(byPeriod.aggregates.map((a) => [a.period, a.epsilon])).toEqual([['2025-01-15', 1], ['2025-01-15', 2]]);
    const byKind = (await get(t, '/v1/sites/demo-shop/aggregates?kind=category_interest')).json() as AggregatesResponse;
    expect(byKind.aggregates).toHaveLength(3);
    const none = (await get(t, '/v1/sites/demo-shop/aggregates?kind=other_kind')).json() as AggregatesResponse;
    expect(none.aggregates).toEqual([]);
  });

  it('de-biases 20k OUE reports from a known distribution: each estimate within its interval of the truth', async () => {
    t = await testApp({ minReports: 50 });
    const random = seededRandom(2025);
    const dist = [0.35, 0.25, 0.2, 0.1, 0.07, 0.03];
    const buckets = makeReport().buckets;
    const epsilon = 2;
    const truth = dist.map(() => 0);
    const reports = [];
    for (let i = 0; i < 20_000; i++) {
      let u = random();
      let v = 0;
      while (v < dist.length - 1 && (u -= dist[v]!) >= 0) v++;
      truth[v]! += 1;
      reports.push(makeStored({ reportId: seededUuid(random), epsilon, buckets, bits: privatizeOue(v, buckets.length, epsilon, random) }));
    }
    for (let i = 0; i < reports.length; i += 1000) await t.storage.insert(reports.slice(i, i + 1000));
    // a few more through HTTP, with retries, to be sure both paths land in the same group
    const viaHttp = Array.from({ length: 5 }, () => makeReport({ mechanism: { name: 'oue', epsilon }, bits: [1, 0, 0, 0, 0, 0] }));
    for (const r of [...viaHttp, viaHttp[0]!]) {
      await t.app.inject({ method: 'POST', url: '/v1/reports', headers: { origin: SHOP_ORIGIN, 'content-type': 'application/json' }, payload: r });
    }
    truth[0]! += 5;
    const body = (await get(t, '/v1/sites/demo-shop/aggregates')).json() as AggregatesResponse;
    expect(body.aggregates).toHaveLength(1);
    const [agg] = body.aggregates;
    expect(agg!.reports).toBe(20_005);
    expect(agg!.epsilon).toBe(2);
    let outside95 = 0;
    agg!.cells.forEach((c, i) => {
      const error = Math.abs(c.estimate - truth[i]!);
      expect(error, c.bucket).toBeLessThanOrEqual(c.ci95 * (3.29 / 1.96)); // 99.9 % interval
      if (error > c.ci95) outside95 += 1;
      expect(c.share).toBeCloseTo(c.estimate / 20_005, 4);
      expect(c.ci95).toBeGreaterThan(0);
    });
    expect(outside95).toBeLessThanOrEqual(1);
  });
});
