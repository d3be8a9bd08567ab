import { describe } from '../shared/safe.ts';

/**
 * The only network writes the SDK makes: report batches to `<endpoint>/v1/reports`. Cookies are never sent
 * (`credentials: 'omit'`), nothing rides in the URL.
 */

/** What to do with the reports of one POST: forget them (sent), try again later, or drop them (refused). */
export type SendOutcome = { ok: true } | { ok: false; retry: boolean; why: string };

/** POSTs one JSON body with `keepalive`, so a send started just before the page goes away still completes. */
export async function postReports(fetchFn: typeof fetch, url: string, body: string): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      keepalive: true,
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body,
    });
  } catch (e) {
    return { ok: false, retry: true, why: 'network: ' + describe(e) };
  }
  // The ingestion server acknowledges with 202 once the reports are committed. Another 2xx comes from something
  // else on the way (a captive portal, a proxy's error page): the reports were not received, try again later.
  if (res.status === 202) return { ok: true };
  if (res.ok) return { ok: false, retry: true, why: 'HTTP ' + res.status + ' (not an ingestion answer)' };
  let code = '';
  try {
    code = String(((await res.json()) as { code?: unknown }).code ?? '');
  } catch {
    // not problem+json
  }
  const why = 'HTTP ' + res.status + (code ? ' ' + code.slice(0, 40) : '');
  // 408 and 429 say "later", like 5xx; any other 4xx says this body will never be accepted.
  return { ok: false, retry: res.status >= 500 || res.status === 408 || res.status === 429, why };
}

/**
 * On `pagehide`: hands the body to the browser, which sends it after the page is gone. The body goes as
 * text/plain (no CORS preflight is possible then); the server accepts text/plain JSON.
 */
export function beacon(nav: Navigator | undefined, url: string, body: string): boolean {
  try {
    return !!nav && typeof nav.sendBeacon === 'function' && nav.sendBeacon(url, body);
  } catch {
    return false;
  }
}
