import { describe, expect, it } from 'vitest';
import { extractEntities, foldToken, isoDate, normalizeNumber, ProductMatcher, withinOneEdit } from '@edgewise/protocol/features';
import { buildTermIndex } from './catalog-terms.ts';

const NOW = new Date(2026, 2, 15, 12); // Sunday 15 March 2026, local time
const CATALOG = {
  categories: [{ id: 'coffee-tea', name: 'Coffee & Tea' }, { id: 'audio', name: 'Audio' }, { id: 'kitchen', name: 'Kitchen' }],
  products: [
    { id: 'p0001', title: 'Lumière Gentle Styling Cream, Travel Size', brand: 'Lumière', category: 'beauty', subcategory: 'Hair care', tags: ['hair care', 'gentle', 'styling cream'] },
    { id: 'p0002', title: 'Kettle & Leaf Bold Earl Grey, 100 g', brand: 'Kettle & Leaf', category: 'coffee-tea', subcategory: 'Loose-leaf tea', tags: ['bold', 'loose-leaf tea'] },
    { id: 'p0003', title: 'Pulse Audio Noise-Cancelling On-Ear Headphones, Midnight Blue', brand: 'Pulse Audio', category: 'audio', subcategory: 'Headphones', tags: ['noise-cancelling', 'headphones'] },
    { id: 'p0004', title: 'Chefline Stainless Bread Knife, 15 cm', brand: 'Chefline', category: 'kitchen', subcategory: 'Knives', tags: ['stainless', 'knives'] },
    { id: 'p0005', title: 'Stride Pro Yoga Mat, Purple', brand: 'Stride', category: 'sports', subcategory: 'Fitness', tags: ['pro', 'fitness'] },
    { id: 'p0006', title: 'Deskcraft Ergonomic Order Tray', brand: 'Deskcraft', category: 'home-office', subcategory: 'Stationery', tags: ['ergonomic'] },
  ],
};
const products = new ProductMatcher(buildTermIndex(CATALOG, new Set(['order', 'item', 'refund', 'tray'])));
const ents = (text: unknown, o: { order?: 'dmy' | 'mdy' } = {}) => extractEntities(text, { now: NOW, products, ...(o.order ? { dateOrder: o.order } : {}) }).map((e) => [e.type, e.value, typeof text === 'string' ? text.slice(e.start, e.end) : '']);

describe('entity extraction on hostile input (first)', () => {
  it('returns nothing for non-strings and empty or symbol-only strings', () => {
    for (const junk of [undefined, null, 0, 12345678, {}, [], '', '   ', '####', '$$$ €€€', '---', '\u0000\uffff', '<script>alert(1)</script>']) expect(ents(junk)).toEqual([]);
  });
  it('stays linear on long adversarial strings and only reads the first 1000 characters', () => {
    const attacks = ['1'.repeat(100_000) + 'a', '1-'.repeat(50_000), '$'.repeat(50_000) + '1', '12/'.repeat(30_000), 'may '.repeat(20_000) + '5', '#'.repeat(10_000) + '123456', 'é'.repeat(100_000)];
    for (const a of attacks) {
      const found = extractEntities(a, { now: NOW, products });
      for (const e of found) expect(e.end).toBeLessThanOrEqual(1000);
    }
    expect(ents('x'.repeat(2000) + ' order 12345678')).toEqual([]);
  });
  it('ignores an invalid clock for relative dates but keeps absolute ones', () => {
    const found = extractEntities('yesterday or 2026-03-01', { now: new Date(NaN) });
    expect(found.map((e) => e.value)).toEqual(['2026-03-01']);
  });
  it('does not read phone numbers, decimals, impossible dates or card-length digit runs as order numbers', () => {
    expect(ents('call me on +49 30 1234567')).toEqual([]);
    expect(ents('it weighs 1234567.5 grams')).toEqual([]);
    expect(ents('delivered 2026-02-30?')).toEqual([]);
    expect(ents('my card 1234567890123456789012345 was charged')).toEqual([]);
  });
  it('does not turn everyday customer-service words into products, even one typo away', () => {
    expect(ents('I want to cancel my order and get a refund for the item')).toEqual([]);
    expect(ents('please set up my account, the light is on')).toEqual([]);
  });
});

describe('order numbers', () => {
  it('finds bare long references and shorter ones after a cue, with what they refer to', () => {
    expect(ents('cancel purchase 00004587345')).toEqual([['order_number', '00004587345', '00004587345']]);
    expect(ents('where is order 4587?')).toEqual([['order_number', '4587', '4587']]);
    expect(ents('see invoice #00108 please')).toEqual([['order_number', '00108', '#00108']]);
    expect(ents('tracking no. ORD-123456')).toEqual([['order_number', 'ORD-123456', 'ORD-123456']]);
    expect(extractEntities('see invoice #00108', { now: NOW })[0]!.refersTo).toBe('invoice');
    expect(extractEntities('parcel 99887766 is late', { now: NOW })[0]!.refersTo).toBe('tracking');
    expect(ents('I have 3 items')).toEqual([]);
    expect(ents('number 12')).toEqual([]);
  });
});

describe('amounts', () => {
  it('normalizes both decimal conventions', () => {
    expect(normalizeNumber('1.299,50')).toBe('1299.50');
    expect(normalizeNumber('1,299.50')).toBe('1299.50');
    expect(normalizeNumber('12,5')).toBe('12.5');
    expect(normalizeNumber('1 299')).toBe('1299');
    expect(normalizeNumber('007')).toBe('7');
  });
  it('needs a currency cue and reads symbols, codes and words before or after', () => {
    expect(ents('I paid $160 for it')).toEqual([['amount', '160 USD', '$160']]);
    expect(ents('refund 1499 dollars')).toEqual([['amount', '1499 USD', '1499 dollars']]);
    expect(ents('charged 49,90 € twice')).toEqual([['amount', '49.90 EUR', '49,90 €']]);
    expect(ents('EUR 1.299,00 is too much')).toEqual([['amount', '1299.00 EUR', 'EUR 1.299,00']]);
    expect(ents('£5 off')).toEqual([['amount', '5 GBP', '£5']]);
    expect(ents('a refund of 160')).toEqual([]);
  });
});

describe('dates', () => {
  it('validates calendar dates', () => {
    expect(isoDate(2024, 2, 29)).toBe('2024-02-29');
    expect(isoDate(2026, 2, 29)).toBeNull();
    expect(isoDate(2026, 4, 31)).toBeNull();
    expect(isoDate(2026, 13, 1)).toBeNull();
  });
  it('reads ISO, numeric (day first unless told), and month-name dates', () => {
    expect(ents('on 2026-03-05')).toEqual([['date', '2026-03-05', '2026-03-05']]);
    expect(ents('on 05/03/2026')).toEqual([['date', '2026-03-05', '05/03/2026']]);
    expect(ents('on 05/03/2026', { order: 'mdy' })).toEqual([['date', '2026-05-03', '05/03/2026']]);
    expect(ents('on 25.12.26')).toEqual([['date', '2026-12-25', '25.12.26']]);
    expect(ents('ordered 5th of March')).toEqual([['date', '2026-03-05', '5th of March']]);
    expect(ents('ordered March 5th, 2025')).toEqual([['date', '2025-03-05', 'March 5th, 2025']]);
    expect(ents('31 April')).toEqual([]);
  });
  it('resolves relative dates from the clock passed in (Sunday 15 March 2026)', () => {
    expect(ents('yesterday')).toEqual([['date', '2026-03-14', 'yesterday']]);
    expect(ents('3 days ago')).toEqual([['date', '2026-03-12', '3 days ago']]);
    expect(ents('two weeks ago')).toEqual([['date', '2026-03-01', 'two weeks ago']]);
    expect(ents('a month ago')).toEqual([['date', '2026-02-15', 'a month ago']]);
    expect(ents('last monday')).toEqual([['date', '2026-03-09', 'last monday']]);
    expect(ents('next sunday')).toEqual([['date', '2026-03-22', 'next sunday']]);
    expect(ents('invoice from 7 purchases ago')).toEqual([]);
  });
  it('clamps month arithmetic to the end of a shorter month', () => {
    const found = extractEntities('a month ago', { now: new Date(2026, 2, 31, 12) });
    expect(found[0]!.value).toBe('2026-02-28');
  });
});

describe('catalog products', () => {
  it('folds plurals and matches one typo in longer words only', () => {
    expect(foldToken('beans')).toBe('bean');
    expect(foldToken('knives')).toBe('knife');
    expect(foldToken('accessories')).toBe('accessory');
    expect(foldToken('glass')).toBe('glass');
    expect(withinOneEdit('headphone', 'haedphone')).toBe(true);
    expect(withinOneEdit('headphone', 'headphne')).toBe(true);
    expect(withinOneEdit('headphone', 'hedphne')).toBe(false);
  });
  it('finds brands (accents optional), product phrases, categories and tags, longest first', () => {
    expect(ents('do you still sell lumiere styling creams?')).toEqual([['product', 'Lumière', 'lumiere'], ['product', 'styling cream', 'styling creams']]);
    expect(ents('my bread knives from Chefline are blunt')).toEqual([['product', 'Bread Knife', 'bread knives'], ['product', 'Chefline', 'Chefline']]);
    expect(ents('noise cancelling on ear headphones')).toEqual([['product', 'Noise-Cancelling On-Ear Headphones', 'noise cancelling on ear headphones']]);
    expect(ents('any haedphones?')).toEqual([['product', 'Headphones', 'haedphones']]);
    expect(ents('Kettle & Leaf earl grey')).toEqual([['product', 'Kettle & Leaf', 'Kettle & Leaf'], ['product', 'Earl Grey', 'earl grey']]);
  });
  it('gives the item ids of a term', () => {
    const [e] = extractEntities('Coffee & Tea', { now: NOW, products });
    expect(e).toMatchObject({ type: 'product', termKind: 'category', itemIds: ['p0002'] });
  });
  it('combines all types without overlaps in one realistic message', () => {
    expect(ents('Hi, order #A-553311 (Pulse Audio headphones, €89.90) placed on 2 March never arrived')).toEqual([
      ['order_number', 'A-553311', '#A-553311'],
      ['product', 'Pulse Audio', 'Pulse Audio'],
      ['product', 'Headphones', 'headphones'],
      ['amount', '89.90 EUR', '€89.90'],
      ['date', '2026-03-02', '2 March'],
    ]);
  });
  it('refuses a catalog that is not one, and skips products without id or title', () => {
    expect(() => buildTermIndex({ nope: 1 })).toThrow(/catalog/);
    expect(buildTermIndex([{ id: 'x' }, { title: 'Nameless' }, null, 5]).terms).toEqual([]);
  });
});
