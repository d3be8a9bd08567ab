import { describe, expect, it } from 'vitest';
import { postReports } from './send.ts';

const answering = (res: Response | Error) => (async () => {
  if (res instanceof Error) throw res;
  return res;
}) as unknown as typeof fetch;

describe('postReports', () => {
  it('counts a report as sent only on the ingestion server\u2019s 202', async () => {
    expect(await postReports(answering(new Response('{"accepted":1,"duplicates":0}', { status: 202 })), 'https://i.example/v1/reports', '{}')).toEqual({ ok: true });
    // A captive portal's login page, or a proxy's: the reports never arrived.
    const portal = await postReports(answering(new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 })), 'https://i.example/v1/reports', '{}');
    expect(portal).toMatchObject({ ok: false, retry: true });
  });

  it('retries on the network failing, 5xx, 408 and 429; drops on any other 4xx', async () => {
    const outcome = async (r: Response | Error) => postReports(answering(r), 'https://i.example/v1/reports', '{}');
    expect(await outcome(new TypeError('Failed to fetch'))).toMatchObject({ ok: false, retry: true, why: 'network: TypeError: Failed to fetch' });
    for (const status of [500, 503, 408, 429]) expect(await outcome(new Response('', { status }))).toMatchObject({ ok: false, retry: true });
    expect(await outcome(new Response('{"code":"invalid_report"}', { status: 422 }))).toEqual({ ok: false, retry: false, why: 'HTTP 422 invalid_report' });
  });
});
