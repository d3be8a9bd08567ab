import type { Entity } from './types.ts';

/**
 * Dates, normalized to YYYY-MM-DD in the shopper's calendar: ISO dates, day/month/year with '/', '.' or '-'
 * (day first unless `order: 'mdy'`; a first number above 12 is always the day), month names with or without a
 * year ("5 March", "March 5th, 2026", "5th of Mar"), and relative ones from the clock passed in ("today",
 * "yesterday", "3 days ago", "two weeks ago", "last Monday", "next friday"). Impossible dates (31 April) are dropped.
 */

export interface DateOptions {
  /** The shopper's current time; relative dates and missing years are resolved against its local calendar. */
  now: Date;
  order?: 'dmy' | 'mdy';
}

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7,
  august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };
const MONTH = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|');

const ISO = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g;
const NUMERIC = /\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b/g;
const DAY_MONTH = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(${MONTH})\.?(?:,?\s+(\d{4}))?\b`, 'gi');
const MONTH_DAY = new RegExp(String.raw`\b(${MONTH})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`, 'gi');
const SIMPLE = /\b(today|yesterday|tomorrow|the day before yesterday|the day after tomorrow)\b/gi;
const AGO = new RegExp(String.raw`\b(\d{1,3}|${Object.keys(NUMBER_WORDS).join('|')})\s+(days?|weeks?|months?|years?)\s+ago\b`, 'gi');
const WEEKDAY = new RegExp(String.raw`\b(last|next|this|on)\s+(${WEEKDAYS.join('|')})\b`, 'gi');

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** YYYY-MM-DD when the day exists, else null. */
export function isoDate(y: number, m: number, d: number): string | null {
  if (!(y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1)) return null;
  const probe = new Date(y, m - 1, d);
  if (probe.getFullYear() !== y || probe.getMonth() !== m - 1 || probe.getDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

function localIso(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function shifted(now: Date, days = 0, months = 0, years = 0): Date {
  const d = new Date(now.getFullYear() + years, now.getMonth() + months, 1);
  // Clamp the day, so "a month ago" on 31 March is the last day of February, not 3 March.
  const last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
  d.setDate(Math.min(now.getDate(), last) + days);
  return d;
}

const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

export function findDates(text: string, o: DateOptions): Entity[] {
  const now = o.now instanceof Date && Number.isFinite(o.now.getTime()) ? o.now : null;
  const out: Entity[] = [];
  const add = (start: number, end: number, value: string | null) => {
    if (value && !out.some((e) => e.start < end && start < e.end)) out.push({ type: 'date', value, start, end });
  };
  for (const m of text.matchAll(ISO)) add(m.index!, m.index! + m[0].length, isoDate(Number(m[1]), Number(m[2]), Number(m[3])));
  for (const m of text.matchAll(NUMERIC)) {
    let a = Number(m[1]), b = Number(m[3]);
    const dayFirst = a > 12 ? true : b > 12 ? false : o.order !== 'mdy';
    if (!dayFirst) [a, b] = [b, a];
    add(m.index!, m.index! + m[0].length, isoDate(fullYear(m[4]!), b, a));
  }
  const yearOr = (y: string | undefined) => (y ? Number(y) : now?.getFullYear());
  for (const m of text.matchAll(DAY_MONTH)) {
    const y = yearOr(m[3]);
    if (y !== undefined) add(m.index!, m.index! + m[0].length, isoDate(y, MONTHS[m[2]!.toLowerCase()]!, Number(m[1])));
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const y = yearOr(m[3]);
    // "may 5" is a date, but "may" alone is a verb: the regex already requires the day.
    if (y !== undefined) add(m.index!, m.index! + m[0].length, isoDate(y, MONTHS[m[1]!.toLowerCase()]!, Number(m[2])));
  }
  if (!now) return out.sort((a, b) => a.start - b.start);
  for (const m of text.matchAll(SIMPLE)) {
    const w = m[1]!.toLowerCase();
    const days = w === 'today' ? 0 : w === 'yesterday' ? -1 : w === 'tomorrow' ? 1 : w.includes('before') ? -2 : 2;
    add(m.index!, m.index! + m[0].length, localIso(shifted(now, days)));
  }
  for (const m of text.matchAll(AGO)) {
    const n = NUMBER_WORDS[m[1]!.toLowerCase()] ?? Number(m[1]);
    const unit = m[2]!.toLowerCase().replace(/s$/, '');
    const d = unit === 'day' ? shifted(now, -n) : unit === 'week' ? shifted(now, -7 * n) : unit === 'month' ? shifted(now, 0, -n) : shifted(now, 0, 0, -n);
    add(m.index!, m.index! + m[0].length, localIso(d));
  }
  for (const m of text.matchAll(WEEKDAY)) {
    const target = WEEKDAYS.indexOf(m[2]!.toLowerCase());
    const today = now.getDay();
    const rel = m[1]!.toLowerCase();
    let delta: number;
    if (rel === 'last') delta = -(((today - target + 7) % 7) || 7);
    else if (rel === 'next') delta = ((target - today + 7) % 7) || 7;
    else delta = (target - today + 7) % 7; // "this friday", "on friday": the coming one (today if today)
    add(m.index!, m.index! + m[0].length, localIso(shifted(now, delta)));
  }
  return out.sort((a, b) => a.start - b.start);
}
