/**
 * The cart lives in a first-party cookie written by the page's own script (shop.js), so the shop's server only
 * ever sees GETs: `demo_cart=p0001:2.p0042:1`. The last order is kept the same way (`demo_order`) for the thank-you
 * page. Both are parsed defensively: a tampered cookie yields an empty cart, never an error.
 */

export interface CartLine {
  id: string;
  quantity: number;
}

export const CART_COOKIE = 'demo_cart';
export const ORDER_COOKIE = 'demo_order';
export const CONSENT_COOKIE = 'demo_consent';
const MAX_LINES = 50;
const MAX_QUANTITY = 99;

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header || header.length > 8192) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** `p0001:2.p0042:1` → lines whose ids `exists` accepts; junk entries are dropped. */
export function parseCart(value: string | undefined, exists: (id: string) => boolean): CartLine[] {
  if (!value) return [];
  const lines = new Map<string, number>();
  for (const entry of value.split('.').slice(0, MAX_LINES)) {
    const match = /^([A-Za-z0-9_-]{1,40}):(\d{1,2})$/.exec(entry);
    if (!match || !exists(match[1]!)) continue;
    const quantity = Math.min(MAX_QUANTITY, Number(match[2]));
    if (quantity > 0) lines.set(match[1]!, Math.min(MAX_QUANTITY, (lines.get(match[1]!) ?? 0) + quantity));
  }
  return [...lines].map(([id, quantity]) => ({ id, quantity }));
}

/** `T1732283000-ab12|p0001:2.p0042:1` → the order's id and lines, or null. */
export function parseOrder(value: string | undefined, exists: (id: string) => boolean): { id: string; lines: CartLine[] } | null {
  const match = value ? /^(T[0-9A-Za-z-]{1,40})\|(.*)$/.exec(value) : null;
  if (!match) return null;
  const lines = parseCart(match[2], exists);
  return lines.length ? { id: match[1]!, lines } : null;
}

export type ConsentChoice = 'granted' | 'denied' | null;

export function parseConsent(value: string | null | undefined): ConsentChoice {
  return value === 'granted' || value === 'denied' ? value : null;
}
