import { describe, expect, it } from 'vitest';
import { SHOP_ORIGIN, testApp } from '../testing/app.ts';
import { makeReport } from '../testing/reports.ts';

describe('GET /metrics', () => {
  it('exposes accepted, duplicate and rejected reports by code, and request latency, in Prometheus text', async () => {
    const t = await testApp();
    const post = (payload: unknown, origin = SHOP_ORIGIN) =>
      t.app.inject({ method: 'POST', url: '/v1/reports', headers: { origin, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    const r = makeReport();
    await post({ reports: [r, makeReport()] });
    await post(r);
    await post({ nope: true });
    await post(makeReport(), 'https://evil.example');
    await t.app.inject({ method: 'GET', url: '/v1/sites/demo-shop/aggregates' });

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(/^edgewise_reports_accepted_total 2$/m);
    expect(text).toMatch(/^edgewise_reports_duplicate_total 1$/m);
    expect(text).toMatch(/^edgewise_report_posts_rejected_total\{code="EW_SCHEMA"\} 1$/m);
    expect(text).toMatch(/^edgewise_report_posts_rejected_total\{code="EW_ORIGIN_NOT_ALLOWED"\} 1$/m);
    expect(text).toMatch(/^edgewise_http_requests_total\{method="POST",route="\/v1\/reports",status="202"\} 2$/m);
    expect(text).toMatch(/^edgewise_http_requests_total\{method="GET",route="\/v1\/sites\/:site\/aggregates",status="401"\} 1$/m);
    expect(text).toMatch(/^edgewise_http_request_duration_seconds\{method="POST",route="\/v1\/reports",quantile="0.99"\} [\d.e-]+$/m);
    expect(text).toMatch(/^edgewise_http_request_duration_seconds_count\{method="POST",route="\/v1\/reports"\} 4$/m);
    expect(text).toMatch(/# TYPE edgewise_http_request_duration_seconds summary/);
    await t.close();
  });

  it('labels unmatched URLs as one series, whatever clients request', async () => {
    const t = await testApp();
    for (const url of ['/a', '/b?c', '/wp-admin']) await t.app.inject({ method: 'GET', url });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^edgewise_http_requests_total\{method="GET",route="unmatched",status="404"\} 3$/m);
    expect(text).not.toContain('wp-admin');
    await t.close();
  });
});
