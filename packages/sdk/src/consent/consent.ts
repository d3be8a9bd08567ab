/**
 * Consent: what the SDK may do with the shopper's data. 'pending' and 'denied' both mean nothing is written to
 * IndexedDB and nothing is sent; events seen while pending wait in memory and are written only if consent is
 * granted during the same page life.
 */
export type ConsentState = 'pending' | 'granted' | 'denied';

/**
 * What decided the current state: the merchant's consent tool (`api`), the tag's `data-consent` (`tag`), the
 * browser's Global Privacy Control (`gpc`), a grant remembered from an earlier visit (`stored`), or nothing yet.
 */
export type ConsentSource = 'default' | 'tag' | 'gpc' | 'api' | 'stored';

export interface ConsentDecision {
  state: ConsentState;
  source: ConsentSource;
}

/** The state at load: GPC (unless the merchant set `data-gpc="ignore"`), then `data-consent`, then pending. */
export function initialConsent(tagConsent: string | null | undefined, gpcPolicy: string | null | undefined, gpc: unknown): ConsentDecision {
  if (gpc === true && gpcPolicy !== 'ignore') return { state: 'denied', source: 'gpc' };
  const tag = parseConsent(tagConsent);
  return tag ? { state: tag, source: 'tag' } : { state: 'pending', source: 'default' };
}

/** Reads `consent.set()` input; anything but the two strings is refused. */
export function parseConsent(x: unknown): 'granted' | 'denied' | null {
  return x === 'granted' || x === 'denied' ? x : null;
}
