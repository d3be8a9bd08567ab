import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_MAX_BYTES } from '@edgewise/protocol';
import { BATCH_MAX_BYTES, PREFLIGHT_MAX_AGE_S } from '../ingest/limits.ts';
import { OTHER_ORIGIN, SHOP_ORIGIN, testApp, type TestApp } from '../testing/app.ts';
import { makeReport } from '../testing/reports.ts';
import type { Storage } from '../storage/types.ts';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

interface PostOptions {
  origin?: string | null;
  contentType?: string | null;
}

function post(body: unknown, { origin = SHOP_ORIGIN, contentType = 'application/json' }: PostOptions = {}, target: TestApp = t) {
  const headers: Record<string, string> = {};
  if (origin !== null) headers.origin = origin;
  if (contentType !== null) headers['content-type'] = contentType;
  return target.app.inject({ method: 'POST', url: '/v1/reports', headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Asserts a problem answer: status, media type, code, the RFC 9457 members only, and nothing internal. */
function expectProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(body.type).toBe(`urn:edgewise:problem:${code}`);
  expect(Object.keys(body).every((k) => ['type', 'title', 'status', 'detail', 'code'].includes(k))).toBe(true);
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|stack/);
  return body;
}

/** Runs a request and asserts storage did not change. */
async function storesNothing(send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  const before = await t.storage.count();
  const res = await send();
  expect(await t.storage.count()).toBe(before);
  return res;
}

describe('POST /v1/reports: accepted', () => {
  it('stores one report and answers 202 with the counts and CORS headers', async () => {
    const res = await post(makeReport());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_ORIGIN);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(await t.storage.count('demo-shop')).toBe(1);
  });

  it('stores a batch', async () => {
    const res = await post({ reports: [makeReport(), makeReport(), makeReport({ period: '2025-01-16' })] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await t.storage.count()).toBe(3);
  });

  it('accepts text/plain JSON, as navigator.sendBeacon sends a string', async () => {
    const res = await post(makeReport(), { contentType: 'text/plain;charset=UTF-8' });
    expect(res.statusCode).toBe(202);
    expect(await t.storage.count()).toBe(1);
  });

  it('accepts application/json with a charset, and every origin the site lists', async () => {
    expect((await post(makeReport(), { contentType: 'application/json; charset=utf-8' })).statusCode).toBe(202);
    expect((await post(makeReport(), { origin: 'http://127.0.0.1:8080' })).statusCode).toBe(202);
    expect((await post(makeReport({ site: 'other-shop' }), { origin: OTHER_ORIGIN })).statusCode).toBe(202);
  });

  it('is idempotent by reportId: a retry is acknowledged as a duplicate and stored once', async () => {
    const report = makeReport();
    expect((await post(report)).json()).toEqual({ accepted: 1, duplicates: 0 });
    const retry = await post(report);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ accepted: 0, duplicates: 1 });
    expect((await post({ reports: [report, makeReport()] })).json()).toEqual({ accepted: 1, duplicates: 1 });
    expect(await t.storage.count()).toBe(2);
    const [tally] = await t.storage.tallies('demo-shop');
    expect(tally!.reports).toBe(2);
  });
});

describe('POST /v1/reports: bad input stores nothing', () => {
  it('malformed JSON → 400 EW_BAD_JSON', async () => {
    const res = await storesNothing(() => post('{"schemaVersion":1,'));
    expectProblem(res, 400, 'EW_BAD_JSON');
  });

  it('an empty body → 400 EW_BAD_JSON', async () => {
    expectProblem(await storesNothing(() => post('')), 400, 'EW_BAD_JSON');
  });

  it('prototype-poisoning keys → 400 EW_BAD_JSON', async () => {
    const text = JSON.stringify(makeReport()).replace('{', '{"__proto__":{"polluted":true},');
    expectProblem(await storesNothing(() => post(text)), 400, 'EW_BAD_JSON');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a missing field', (() => { const r: Record<string, unknown> = makeReport(); delete r.reportId; return r; })(), /reportId/],
    ['an extra field (nothing personal may ride along)', makeReport({ userId: 'u-123' }), /must not have property 'userId'/],
    ['a bit that is not 0 or 1', makeReport({ bits: [0, 2, 0, 0, 0, 0] as never }), /bits\/1 must be 0 or 1/],
    ['epsilon 0', makeReport({ mechanism: { name: 'oue', epsilon: 0 } }), /epsilon/],
    ['an unknown mechanism', makeReport({ mechanism: { name: 'laplace', epsilon: 1 } as never }), /name/],
    ['a reportId that is not a UUIDv4', makeReport({ reportId: 'not-a-uuid' }), /reportId/],
    ['a string where a number belongs (no coercion)', makeReport({ mechanism: { name: 'oue', epsilon: '2' as never } }), /epsilon/],
    ['an array body', [makeReport()], /body must be object/],
    ['a JSON null body', 'null', /body must be object/],
    ['an empty batch', { reports: [] }, /reports/],
    ['a batch over 20 reports', { reports: Array.from({ length: 21 }, () => makeReport()) }, /reports/],
    ['a batch with an extra member', { reports: [makeReport()], device: 'x' }, /device/],
    ['markup in a bucket', makeReport({ buckets: ['<script>', 'b', 'c', 'd', 'e', 'f'] }), /buckets\/0/],
  ])('%s → 400 EW_SCHEMA', async (_name, body, detail) => {
    const problem = expectProblem(await storesNothing(() => post(body)), 400, 'EW_SCHEMA');
    expect(problem.detail).toMatch(detail);
  });

  it('an unknown schemaVersion → 400 EW_UNKNOWN_SCHEMA_VERSION, before any schema error', async () => {
    const p1 = expectProblem(await storesNothing(() => post({ schemaVersion: 2, somethingNew: true })), 400, 'EW_UNKNOWN_SCHEMA_VERSION');
    expect(p1.detail).toMatch(/schemaVersion 2 is not supported; this server accepts 1/);
    expectProblem(await storesNothing(() => post(makeReport({ schemaVersion: '1' as never }))), 400, 'EW_UNKNOWN_SCHEMA_VERSION');
    const p2 = expectProblem(await storesNothing(() => post({ reports: [makeReport(), { ...makeReport(), schemaVersion: 3 }] })), 400, 'EW_UNKNOWN_SCHEMA_VERSION');
    expect(p2.detail).toMatch(/^reports\/1: /);
  });

  it('bits and buckets of different lengths → 422 EW_SCHEMA', async () => {
    const p = expectProblem(await storesNothing(() => post(makeReport({ bits: [0, 1, 0] }))), 422, 'EW_SCHEMA');
    expect(p.detail).toMatch(/bits has 3 entries but buckets has 6/);
  });

  it('a period that is not a calendar day → 422 EW_SCHEMA', async () => {
    expectProblem(await storesNothing(() => post(makeReport({ period: '2025-02-30' }))), 422, 'EW_SCHEMA');
  });

  it(`a single report over ${REPORT_MAX_BYTES} bytes → 413 EW_BODY_TOO_LARGE`, async () => {
    const padded = JSON.stringify(makeReport()).replace('{', `{${' '.repeat(REPORT_MAX_BYTES)}`);
    expectProblem(await storesNothing(() => post(padded)), 413, 'EW_BODY_TOO_LARGE');
  });

  it(`a batch body over ${BATCH_MAX_BYTES} bytes → 413 EW_BODY_TOO_LARGE`, async () => {
    const padded = JSON.stringify({ reports: [makeReport()] }).replace('{', `{${' '.repeat(BATCH_MAX_BYTES)}`);
    expectProblem(await storesNothing(() => post(padded)), 413, 'EW_BODY_TOO_LARGE');
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['XML', 'application/xml'],
  ])('%s body → 415 EW_UNSUPPORTED_MEDIA_TYPE', async (_name, contentType) => {
    expectProblem(await storesNothing(() => post(makeReport(), { contentType })), 415, 'EW_UNSUPPORTED_MEDIA_TYPE');
  });

  it('no content type → 415 EW_UNSUPPORTED_MEDIA_TYPE', async () => {
    expectProblem(await storesNothing(() => post(makeReport(), { contentType: null })), 415, 'EW_UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown site → 403 EW_UNKNOWN_SITE', async () => {
    const p = expectProblem(await storesNothing(() => post(makeReport({ site: 'nope' }))), 403, 'EW_UNKNOWN_SITE');
    expect(p.detail).toMatch(/"nope"/);
  });

  it.each([
    ['a stranger origin', 'https://evil.example'],
    ['an opaque origin', 'null'],
    ['a look-alike origin', 'http://localhost:8081'],
  ])('%s → 403 EW_ORIGIN_NOT_ALLOWED', async (_name, origin) => {
    const res = await storesNothing(() => post(makeReport(), { origin }));
    expectProblem(res, 403, 'EW_ORIGIN_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('no Origin header → 403 EW_ORIGIN_NOT_ALLOWED', async () => {
    const p = expectProblem(await storesNothing(() => post(makeReport(), { origin: null })), 403, 'EW_ORIGIN_NOT_ALLOWED');
    expect(p.detail).toMatch(/Origin header is missing/);
  });

  it("another site's origin → 403 EW_ORIGIN_NOT_ALLOWED, readable by that origin", async () => {
    const res = await storesNothing(() => post(makeReport({ site: 'demo-shop' }), { origin: OTHER_ORIGIN }));
    expectProblem(res, 403, 'EW_ORIGIN_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBe(OTHER_ORIGIN);
  });

  it('errors reach an allowed origin with CORS headers, so the SDK can read them', async () => {
    const res = await post('{nope');
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_ORIGIN);
  });
});

describe('POST /v1/reports: a batch is all or nothing', () => {
  const cases: Array<[string, () => unknown, number, string]> = [
    ['one report breaks the schema', () => ({ reports: [makeReport(), makeReport(), makeReport({ bits: [2] as never })] }), 400, 'EW_SCHEMA'],
    ['one report has an unknown version', () => ({ reports: [makeReport(), { ...makeReport(), schemaVersion: 9 }] }), 400, 'EW_UNKNOWN_SCHEMA_VERSION'],
    ['one report names an unknown site', () => ({ reports: [makeReport(), makeReport({ site: 'nope' })] }), 403, 'EW_UNKNOWN_SITE'],
    ["one report names a site this origin can't post for", () => ({ reports: [makeReport(), makeReport({ site: 'other-shop' })] }), 403, 'EW_ORIGIN_NOT_ALLOWED'],
    ['one report has mismatched bits', () => ({ reports: [makeReport(), makeReport({ bits: [1, 0] })] }), 422, 'EW_SCHEMA'],
  ];
  it.each(cases)('%s → nothing stored', async (_name, body, status, code) => {
    const p = expectProblem(await storesNothing(() => post(body())), status, code);
    if (status !== 400 || code !== 'EW_SCHEMA') expect(p.detail).toMatch(/^reports\/\d+: /);
  });

  it('a storage failure → 500 EW_INTERNAL with nothing internal in the answer, and nothing stored', async () => {
    const failing: Storage = { ...t.storage, engine: 'sqlite', insert: async () => Promise.reject(new Error('disk I/O error at /var/secret/db')) };
    const broken = await testApp({ storage: failing });
    const res = await post({ reports: [makeReport(), makeReport()] }, {}, broken);
    const p = expectProblem(res, 500, 'EW_INTERNAL');
    expect(JSON.stringify(p)).not.toMatch(/disk|secret/);
    expect(await t.storage.count()).toBe(0);
    await broken.app.close();
  });
});

describe('CORS preflight', () => {
  const preflight = (origin: string, method = 'POST') =>
    t.app.inject({
      method: 'OPTIONS',
      url: '/v1/reports',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
    });

  it('answers an allowed origin: POST with Content-Type, cached', async () => {
    const res = await preflight(SHOP_ORIGIN);
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_ORIGIN);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toBe('content-type');
    expect(res.headers['access-control-max-age']).toBe(String(PREFLIGHT_MAX_AGE_S));
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await preflight(OTHER_ORIGIN)).statusCode).toBe(204);
  });

  it('refuses an origin no site lists, without CORS headers', async () => {
    const res = await preflight('https://evil.example');
    expectProblem(res, 403, 'EW_ORIGIN_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('refuses a method other than POST', async () => {
    const res = await preflight(SHOP_ORIGIN, 'DELETE');
    expectProblem(res, 400, 'EW_BAD_REQUEST');
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('answers 429 EW_RATE_LIMITED with Retry-After past the per-IP budget, and recovers with the window', async () => {
    let clock = 1_000_000;
    const limited = await testApp({ rateLimit: { max: 3, windowMs: 60_000 }, now: () => clock });
    for (let i = 0; i < 3; i++) expect((await post(makeReport(), {}, limited)).statusCode).toBe(202);
    const before = await limited.storage.count();
    const res = await post(makeReport(), {}, limited);
    expectProblem(res, 429, 'EW_RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_ORIGIN);
    expect(await limited.storage.count()).toBe(before);
    clock += 60_000;
    expect((await post(makeReport(), {}, limited)).statusCode).toBe(202);
    await limited.close();
  });
});

describe('anything else', () => {
  it('an unknown route → 404 EW_NOT_FOUND as a problem', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/nothing?x=1' }), 404, 'EW_NOT_FOUND');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/reports' }), 404, 'EW_NOT_FOUND');
  });
});
