import { describe, expect, it } from 'vitest';
import { parseRecommendRequest } from './recommend-request.ts';

const code = (input: unknown) => {
  try {
    parseRecommendRequest(input);
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('parseRecommendRequest', () => {
  it('refuses junk with EW_BAD_REQUEST', () => {
    const cyclic: Record<string, unknown> = { count: 3 };
    cyclic.recentItems = [cyclic];
    const trap = new Proxy({}, { get() { throw new Error('trap'); } });
    const junk: unknown[] = [
      undefined, null, 42, 'recommend', [], () => 1, Symbol('s'), new Date(), trap, cyclic,
      { count: 0, recentItems: [] }, { count: 51, recentItems: [] }, { count: 2.5, recentItems: [] }, { count: '5', recentItems: [] },
      { count: NaN, recentItems: [] }, { count: Infinity, recentItems: [] }, { count: 5 }, { count: 5, recentItems: 'sku-1' },
      { count: 5, recentItems: [1, 2] }, { count: 5, recentItems: [''] }, { count: 5, recentItems: ['x'.repeat(257)] },
      { count: 5, recentItems: Array(51).fill('a') }, { count: 5, recentItems: [], exclude: Array(201).fill('a') },
      { count: 5, recentItems: [], exclude: [null] }, { count: 5, recentItems: [], category: 7 }, { count: 5, recentItems: [], category: '' },
      { count: 5, recentItems: [], category: 'c'.repeat(101) }, { count: 5, recentItems: [], includeRecent: 'yes' }, { count: 5, recentItems: [], includeRecent: 1 }, { count: 5, recentItems: new Proxy(['a'], { get() { throw new Error('x'); } }) },
    ];
    junk.forEach((j, i) => expect(code(j), `junk #${i}`).toBe('EW_BAD_REQUEST'));
  });
  it('accepts a well-formed request and drops unknown fields', () => {
    expect(parseRecommendRequest({ count: 8, recentItems: ['a', 'b'], exclude: ['c'], category: 'shoes', extra: { big: 1 } })).toEqual({
      count: 8, recentItems: ['a', 'b'], exclude: ['c'], category: 'shoes',
    });
    expect(parseRecommendRequest({ count: 1, recentItems: [], category: null })).toEqual({ count: 1, recentItems: [] });
    expect(parseRecommendRequest({ count: 1, recentItems: ['a'], includeRecent: true })).toEqual({ count: 1, recentItems: ['a'], includeRecent: true });
    expect(parseRecommendRequest({ count: 1, recentItems: ['a'], includeRecent: false })).toEqual({ count: 1, recentItems: ['a'] });
  });
});
