import { describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.ts';

describe('GET /healthz', () => {
  it('answers 200 with the storage engine when storage answers', async () => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', storage: 'sqlite' });
    await t.close();
  });

  it('answers 503 problem when storage does not', async () => {
    const t = await testApp();
    const down = await testApp({ storage: { ...t.storage, ping: () => Promise.reject(new Error('SQLITE_CANTOPEN /secret/path')) } });
    const res = await down.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('EW_INTERNAL');
    expect(res.body).not.toContain('secret');
    await down.close();
    await t.close();
  });
});
