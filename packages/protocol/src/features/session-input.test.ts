import { describe, expect, it } from 'vitest';
import { deviceInputFromSession } from './session-input.ts';

describe('deviceInputFromSession (models/src/intent/FEATURES.md §1)', () => {
  const saturdayInMarch = new Date(2026, 2, 14, 10).getTime();

  it('sums page kinds into UCI columns, never counts confirmation, and reads month, weekend and visitor locally', () => {
    const input = deviceInputFromSession(
      {
        startedAt: saturdayInMarch,
        pageCounts: { home: 1, category: 2, search: 1, product: 4, cart: 1, checkout: 2, other: 1, info: 3, confirmation: 1 },
        pageSeconds: { product: 300, home: 20, checkout: 90, info: 45.5, confirmation: 600 },
      },
      true,
    );
    expect(input).toEqual({ productPages: 8, productSeconds: 320, adminPages: 4, adminSeconds: 90, infoPages: 3, infoSeconds: 45.5, month: 2, weekend: true, visitor: 'returning' });
    expect(deviceInputFromSession({ startedAt: new Date(2026, 2, 11, 10).getTime(), pageCounts: {}, pageSeconds: {} }, false)).toMatchObject({ weekend: false, visitor: 'new', productPages: 0 });
  });

  it('ignores junk counts and an impossible start instead of throwing', () => {
    const input = deviceInputFromSession({ startedAt: NaN, pageCounts: { product: -3, cart: NaN, info: Infinity, wishlist: 5 } as never, pageSeconds: undefined as never }, false);
    expect(input).toMatchObject({ productPages: 0, adminPages: 0, infoPages: 0, productSeconds: 0, month: -1, weekend: false });
  });
});
