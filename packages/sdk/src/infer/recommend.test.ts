import { describe, expect, it } from 'vitest';
import { emptyProfile } from '../profile/profile.ts';
import { recommendRequest } from './recommend.ts';

describe('recommendRequest', () => {
  const profile = { ...emptyProfile(0), recentItems: ['a', 'b'], cartItems: ['c'], purchasedItems: ['d'] };

  it('sends the history as context and excludes the item on screen, the cart and purchases', () => {
    expect(recommendRequest({ count: 4 }, profile, 'p')).toEqual({ count: 4, recentItems: ['a', 'b', 'p'], exclude: ['d', 'c', 'p'] });
  });

  it('lets the history come back only when asked with a real true', () => {
    expect(recommendRequest({ context: { includeRecent: true } }, profile, null).includeRecent).toBe(true);
    for (const junk of ['yes', 1, {}, false, null]) expect(recommendRequest({ context: { includeRecent: junk } }, profile, null)).not.toHaveProperty('includeRecent');
  });
});
