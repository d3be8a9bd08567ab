import type { Entity } from './types.ts';

/**
 * Order, invoice and tracking references: a run of digits (optionally with a '#', a short letter prefix such as
 * "ORD-", and inner dashes) with at least {@link MIN_DIGITS} digits, or {@link MIN_DIGITS_WITH_CUE} after a '#' or a
 * reference word. Phone numbers ('+' in front), decimals and amounts are not references.
 */

export const MIN_DIGITS = 6;
export const MIN_DIGITS_WITH_CUE = 4;
/** Longer digit runs are card or account numbers pasted by mistake, not order references. */
export const MAX_DIGITS = 24;

const CANDIDATE = /(#\s?)?\b((?:[A-Za-z]{1,4}[-_]?)?\d[\d-]*\d|\d)\b/g;
const CUES: Array<[RegExp, Entity['refersTo']]> = [
  [/\b(invoice|bill|receipt)s?\b/i, 'invoice'],
  [/\b(tracking|parcel|package|shipment)\b/i, 'tracking'],
  [/\b(order|purchase|ordered|purchased|reference|ref|confirmation)\b/i, 'order'],
];
const NUMBER_WORD = /\b(number|no|nr|num|id|code)\.?\s*:?\s*$/i;

export function findOrderNumbers(text: string): Entity[] {
  const out: Entity[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index!;
    const body = m[2]!;
    const before = text.slice(Math.max(0, start - 40), start);
    const after = text.slice(start + m[0].length, start + m[0].length + 2);
    // A phone number (+49 30 1234567), a decimal, or a date-shaped string (even an impossible date) is no reference.
    if (/\+[\d\s().-]*$/.test(before) || /^[.,]\d/.test(after) || /\d[.,]$/.test(before) || /^\d{4}-\d{1,2}-\d{1,2}$/.test(body)) continue;
    const digits = body.replace(/\D/g, '').length;
    if (digits > MAX_DIGITS) continue;
    const hash = Boolean(m[1]);
    const window = before.split(/\s+/).slice(-4).join(' ');
    let refersTo: Entity['refersTo'] = 'unknown';
    for (const [re, kind] of CUES) if (re.test(window)) {
      refersTo = kind;
      break;
    }
    const cued = hash || refersTo !== 'unknown' || NUMBER_WORD.test(before);
    if (digits < (cued ? MIN_DIGITS_WITH_CUE : MIN_DIGITS)) continue;
    out.push({ type: 'order_number', value: body, start, end: start + m[0].length, refersTo });
  }
  return out;
}
