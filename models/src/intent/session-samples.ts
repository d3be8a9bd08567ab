import type { DeviceIntentInput } from '@edgewise/protocol/features';
import type { Random } from '../data/random.ts';

/**
 * Sessions for test vectors: hand-picked edge cases (empty, one page, past the clamps) and seeded random ones
 * spread over UCI's ranges (0..~150 pages of each kind, dwell from seconds to hours), so a port of the features and
 * the model is checked on every branch, not only on typical sessions.
 */

export const EDGE_SESSIONS: readonly DeviceIntentInput[] = [
  { adminPages: 0, adminSeconds: 0, infoPages: 0, infoSeconds: 0, productPages: 0, productSeconds: 0, month: 0, weekend: false, visitor: 'new' },
  { adminPages: 0, adminSeconds: 0, infoPages: 0, infoSeconds: 0, productPages: 1, productSeconds: 0, month: 1, weekend: false, visitor: 'returning' },
  { adminPages: 3, adminSeconds: 140, infoPages: 1, infoSeconds: 30, productPages: 25, productSeconds: 1500, month: 10, weekend: false, visitor: 'returning' },
  { adminPages: 6, adminSeconds: 300, infoPages: 0, infoSeconds: 0, productPages: 60, productSeconds: 4200, month: 10, weekend: true, visitor: 'new' },
  { adminPages: 0, adminSeconds: 0, infoPages: 2, infoSeconds: 95.5, productPages: 8, productSeconds: 260, month: 4, weekend: false, visitor: 'other' },
  { adminPages: 5000, adminSeconds: 1e7, infoPages: 2000, infoSeconds: 1e6, productPages: 1e4, productSeconds: 1e9, month: 11, weekend: true, visitor: 'returning' },
];

/** `n` random sessions; the same seed gives the same sessions. */
export function randomSessions(rng: Random, n: number): DeviceIntentInput[] {
  const pages = (max: number) => Math.floor(Math.expm1(rng.next() * Math.log1p(max)));
  const seconds = (p: number) => (p === 0 ? 0 : Math.round(p * Math.exp(3.5 + 1.2 * rng.normal()) * 10) / 10);
  return Array.from({ length: n }, () => {
    const adminPages = rng.next() < 0.5 ? 0 : pages(25);
    const infoPages = rng.next() < 0.75 ? 0 : pages(12);
    const productPages = pages(150);
    return {
      adminPages,
      adminSeconds: seconds(adminPages),
      infoPages,
      infoSeconds: seconds(infoPages),
      productPages,
      productSeconds: seconds(productPages),
      month: rng.int(12),
      weekend: rng.next() < 0.25,
      visitor: rng.next() < 0.85 ? 'returning' : 'new',
    };
  });
}
