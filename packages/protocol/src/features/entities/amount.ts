import type { Entity } from './types.ts';

/**
 * Money amounts with a currency cue before or after the number: a symbol ($ € £ ¥), an ISO code (EUR, USD, ...) or
 * a word (euros, dollars, bucks, pounds). A bare number is never an amount: it is as likely an order reference or
 * a quantity. Both "1,299.50" and "1.299,50" read as 1299.50: a separator followed by exactly three digits groups
 * thousands, one followed by one or two digits is the decimal point.
 */

const NUMBER = String.raw`\d{1,3}(?:[,. \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
const WORDS: Record<string, string> = {
  usd: 'USD', eur: 'EUR', gbp: 'GBP', jpy: 'JPY', chf: 'CHF', cad: 'CAD', aud: 'AUD', sek: 'SEK', nok: 'NOK', dkk: 'DKK', pln: 'PLN',
  dollar: 'USD', dollars: 'USD', buck: 'USD', bucks: 'USD', euro: 'EUR', euros: 'EUR', pound: 'GBP', pounds: 'GBP', quid: 'GBP',
};
const CODE = Object.keys(WORDS).join('|');
const BEFORE = new RegExp(String.raw`([$€£¥]|\b(?:usd|eur|gbp|jpy|chf|cad|aud|sek|nok|dkk|pln)\b)\s?(-?)(${NUMBER})(?![\d])`, 'gi');
const AFTER = new RegExp(String.raw`(?<![\d.,])(${NUMBER})\s?([$€£¥]|\b(?:${CODE})\b)`, 'gi');

/** "1.299,50" → "1299.50"; "12,5" → "12.5"; "1 299" → "1299". */
export function normalizeNumber(raw: string): string | null {
  const s = raw.replace(/[\s\u00a0\u202f]/g, ' ');
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let intPart = s, frac = '';
  if (lastSep >= 0 && s.length - lastSep - 1 <= 2) {
    intPart = s.slice(0, lastSep);
    frac = s.slice(lastSep + 1);
  }
  const digits = intPart.replace(/[ .,]/g, '');
  if (!/^\d+$/.test(digits) || !/^\d*$/.test(frac)) return null;
  const int = digits.replace(/^0+(?=\d)/, '');
  return frac ? `${int}.${frac}` : int;
}

function currencyOf(cue: string): string | undefined {
  return SYMBOLS[cue] ?? WORDS[cue.toLowerCase()];
}

export function findAmounts(text: string): Entity[] {
  const out: Entity[] = [];
  for (const m of text.matchAll(BEFORE)) {
    const value = normalizeNumber(m[3]!);
    const cur = currencyOf(m[1]!);
    if (value && cur) out.push({ type: 'amount', value: `${m[2] ? '-' : ''}${value} ${cur}`, start: m.index!, end: m.index! + m[0].length });
  }
  for (const m of text.matchAll(AFTER)) {
    const value = normalizeNumber(m[1]!);
    const cur = currencyOf(m[2]!);
    const start = m.index!, end = start + m[0].length;
    if (value && cur && !out.some((e) => e.start < end && start < e.end)) out.push({ type: 'amount', value: `${value} ${cur}`, start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}
