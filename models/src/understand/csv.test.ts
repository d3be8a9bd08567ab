import { describe, expect, it } from 'vitest';
import { parseBitext } from './bitext.ts';
import { csvRecords, parseCsv } from './csv.ts';

describe('CSV reader', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside fields, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, ""y""",z\n"multi\nline",2')).toEqual([['a', 'b'], ['x, "y"', 'z'], ['multi\nline', '2']]);
  });
  it('survives junk: an unterminated quote, empty input, ragged rows', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('"never closed')).toEqual([['never closed']]);
    const r = csvRecords('a,b\n1,2\n1,2,3\n\n4,5');
    expect(r.records).toEqual([{ a: '1', b: '2' }, { a: '4', b: '5' }]);
    expect(r.bad).toBe(1);
  });
  it('reads a Bitext row with its entity span', () => {
    const text = 'utterance,intent,entity_type,entity_value,start_offset,end_offset,category,tags\n"I can\'t afford this order, cancel purchase 732201349959",cancel_order,order_id,732201349959,43,55,ORDER,BCLN\nhelp me,,,,,,X,B\n';
    const { rows, bad } = parseBitext(text);
    expect(bad).toBe(1);
    expect(rows).toHaveLength(1);
    const u = rows[0]!;
    expect(u.text.slice(u.entity!.start, u.entity!.end)).toBe('732201349959');
  });
});
