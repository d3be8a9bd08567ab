import { describe, expect, it } from 'vitest';
import { parseEventsCsv, parseTimestamp, SESSION_GAP_MS, splitCsvLine } from './events-csv.ts';
import { splitLines } from './read-lines.ts';

const parse = (text: string, o = {}) => parseEventsCsv(splitLines(text), o);
const itemsOf = (d: Awaited<ReturnType<typeof parse>>) => d.sessions.map((s) => Array.from(s.items, (v) => d.itemIds[v]));

describe('events CSV: hostile input first', () => {
  it('counts and skips junk rows without failing, and keeps every good row', async () => {
    const csv = [
      'session_id,timestamp,event_type,item_id,category,price',
      's1,2024-01-01T10:00:00Z,view,A,shoes,10',
      '',
      'garbage without delimiters',
      ',2024-01-01T10:00:00Z,view,B,,', // no id
      's1,not a time,view,B,,',
      's1,2024-01-01T10:01:00Z,view,,shoes,', // no item
      's1,2024-01-01T10:02:00Z,view,C,shoes,-3', // negative price
      's1,2024-01-01T10:03:00Z,view,C,shoes,abc', // unreadable price
      '"s1","2024-01-01T10:04:00Z","cart","B, the ""big"" one",bags,20',
      's1,2024-01-01T10:05:00Z,view,D',
      '\u0000\u0001\u0002',
      's1,1704103560,purchase,A,shoes,10', // epoch seconds = 2024-01-01T10:06:00Z
    ].join('\n');
    const d = await parse(csv);
    expect(d.stats.headerDetected).toBe(true);
    expect(d.stats.rows).toBe(4);
    expect(d.stats.badRows).toBe(7);
    expect(d.stats.badExamples.map((b) => b.line)).toEqual([4, 5, 6, 7, 8, 9, 12]);
    expect(itemsOf(d)).toEqual([['A', 'B, the "big" one', 'D', 'A']]);
    expect(d.itemCategory[1]).toBe('shoes');
    expect(d.itemPrice[2]).toBe(20);
  });

  it('survives a file of nothing but junk', async () => {
    const d = await parse('\n;;;\n"unterminated,quote\n1,2\n');
    expect(d.sessions).toEqual([]);
    expect(d.stats.badRows).toBeGreaterThan(0);
  });
});

describe('events CSV: sessionisation', () => {
  it('cuts a session where two events are more than one hour apart, per id, in time order', async () => {
    const t0 = Date.parse('2024-03-01T00:00:00Z');
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const csv = [
      'user_id;ts;event;product_id',
      `u1;${at(SESSION_GAP_MS + 1)};view;late`, // out of order in the file
      `u1;${at(0)};view;a`,
      `u1;${at(SESSION_GAP_MS)};view;b`, // exactly one hour after a: same session
      `u2;${at(10)};view;x`,
      `u1;${at(3 * SESSION_GAP_MS)};view;c`, // about two hours after 'late': a new session
    ].join('\n');
    const d = await parse(csv);
    expect(d.stats.delimiter).toBe(';');
    expect(d.sessions.map((s) => s.key)).toEqual(['u1', 'u2', 'u1']);
    expect(itemsOf(d)).toEqual([['a', 'b', 'late'], ['x'], ['c']]);
  });

  it('reads headerless files in the default column order and merges a repeat of the same item when asked', async () => {
    const csv = ['s,2024-01-01 10:00:00,view,A', 's,2024-01-01 10:00:05,cart,A', 's,2024-01-01 10:00:09,view,B'].join('\n');
    expect(itemsOf(await parse(csv))).toEqual([['A', 'A', 'B']]);
    const merged = await parse(csv, { collapseRepeats: true });
    expect(itemsOf(merged)).toEqual([['A', 'B']]);
    expect(merged.eventTypes[merged.sessions[0]!.types[0]!]).toBe('cart');
  });
});

describe('timestamps and CSV fields', () => {
  it('reads ISO text (zone-less as UTC) and epoch seconds, milliseconds and microseconds alike', () => {
    const ms = Date.parse('2024-01-01T10:00:00Z');
    expect(parseTimestamp('2024-01-01 10:00:00')).toBe(ms);
    expect(parseTimestamp('2024-01-01T11:00:00+01:00')).toBe(ms);
    expect(parseTimestamp(String(ms / 1000))).toBe(ms);
    expect(parseTimestamp(String(ms))).toBe(ms);
    expect(parseTimestamp(String(ms * 1000))).toBe(ms);
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp('')).toBeNaN();
  });

  it('splits quoted fields with escaped quotes and delimiters inside', () => {
    expect(splitCsvLine('a,"b,c","d ""e""",', ',')).toEqual(['a', 'b,c', 'd "e"', '']);
  });
});
