import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTOGRAM_MAX_BUCKETS } from '@edgewise/protocol';
import { makeStored, seededRandom, seededUuid, privatizeOue } from '../testing/reports.ts';
import type { Storage, StoredReport, Tally } from './types.ts';

/** One place a store lives: open it (again), and remove every trace after the test. */
export interface StorageTarget {
  open(): Promise<Storage>;
  cleanup(): Promise<void>;
}

/** What a correct store must return: tallies recomputed naively from the reports. */
function naiveTallies(reports: StoredReport[], site: string): Tally[] {
  const seen = new Set<string>();
  const groups = new Map<string, Tally>();
  for (const r of reports) {
    if (seen.has(r.reportId)) continue;
    seen.add(r.reportId);
    if (r.site !== site) continue;
    const key = JSON.stringify([r.kind, r.period, r.epsilon, r.buckets]);
    const g = groups.get(key) ?? { kind: r.kind, period: r.period, epsilon: r.epsilon, buckets: [...r.buckets], reports: 0, ones: r.buckets.map(() => 0) };
    g.reports += 1;
    r.bits.forEach((b, i) => (g.ones[i]! += b));
    groups.set(key, g);
  }
  return [...groups.values()];
}

const byKey = (t: Tally) => JSON.stringify([t.period, t.kind, t.epsilon, t.buckets]);
const sorted = (ts: Tally[]) => [...ts].sort((a, b) => byKey(a).localeCompare(byKey(b)));

/**
 * The storage contract: every implementation runs this suite. `makeTarget` gives a fresh, empty location per test.
 */
export function storageContract(name: string, makeTarget: () => Promise<StorageTarget>): void {
  describe(`Storage contract: ${name}`, () => {
    let target: StorageTarget;
    let storage: Storage;

    beforeEach(async () => {
      target = await makeTarget();
      storage = await target.open();
    });
    afterEach(async () => {
      await storage.close();
      await target.cleanup();
    });

    it('starts empty and answers ping', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
      expect(await storage.count()).toBe(0);
      expect(await storage.tallies('demo-shop')).toEqual([]);
      expect(await storage.insert([])).toEqual({ accepted: 0, duplicates: 0 });
    });

    it('stores a report once: a retry with the same id is a duplicate and changes nothing', async () => {
      const r = makeStored();
      expect(await storage.insert([r])).toEqual({ accepted: 1, duplicates: 0 });
      const before = await storage.tallies('demo-shop');
      expect(await storage.insert([{ ...r, bits: [1, 1, 1, 1, 1, 1] }])).toEqual({ accepted: 0, duplicates: 1 });
      expect(await storage.count()).toBe(1);
      expect(await storage.tallies('demo-shop')).toEqual(before);
    });

    it('counts an id repeated inside one call once', async () => {
      const r = makeStored();
      const other = makeStored();
      expect(await storage.insert([r, other, r])).toEqual({ accepted: 2, duplicates: 1 });
      expect(await storage.count()).toBe(2);
      expect((await storage.tallies('demo-shop'))[0]!.reports).toBe(2);
    });

    it('counts per site', async () => {
      await storage.insert([makeStored(), makeStored(), makeStored({ site: 'other-shop' })]);
      expect(await storage.count()).toBe(3);
      expect(await storage.count('demo-shop')).toBe(2);
      expect(await storage.count('other-shop')).toBe(1);
      expect(await storage.count('nobody')).toBe(0);
    });

    it('tallies equal a naive recount, per (kind, period, epsilon, buckets), zero cells included', async () => {
      const random = seededRandom(7);
      const domains = [['a', 'b', 'c'], ['c', 'b', 'a'], ['x', 'y', 'z', 'w']];
      const all: StoredReport[] = [];
      for (let i = 0; i < 300; i++) {
        const buckets = domains[i % 3]!;
        all.push(
          makeStored({
            reportId: seededUuid(random),
            site: i % 5 === 0 ? 'other-shop' : 'demo-shop',
            period: i % 2 ? '2025-01-15' : '2025-01-16',
            epsilon: i % 4 < 2 ? 1 : 0.5,
            buckets,
            bits: privatizeOue(Math.floor(random() * buckets.length), buckets.length, 1, random),
          }),
        );
      }
      all.push({ ...all[3]! }, { ...all[10]! }); // retries
      for (let i = 0; i < all.length; i += 20) await storage.insert(all.slice(i, i + 20));
      const got = await storage.tallies('demo-shop');
      expect(sorted(got)).toEqual(sorted(naiveTallies(all, 'demo-shop')));
      expect(got.every((t) => t.ones.length === t.buckets.length)).toBe(true);
      expect(sorted(await storage.tallies('other-shop'))).toEqual(sorted(naiveTallies(all, 'other-shop')));
      expect(await storage.count()).toBe(300);
    });

    it('sorts newest period first and filters by period and kind', async () => {
      await storage.insert([
        makeStored({ period: '2025-01-14' }),
        makeStored({ period: '2025-01-16' }),
        makeStored({ period: '2025-01-15' }),
        makeStored({ period: '2025-01-15', epsilon: 1 }),
      ]);
      const all = await storage.tallies('demo-shop');
      expect(all.map((t) => [t.period, t.epsilon])).toEqual([['2025-01-16', 2], ['2025-01-15', 1], ['2025-01-15', 2], ['2025-01-14', 2]]);
      expect((await storage.tallies('demo-shop', { period: '2025-01-15' })).map((t) => t.epsilon)).toEqual([1, 2]);
      expect(await storage.tallies('demo-shop', { kind: 'category_interest' })).toHaveLength(4);
      expect(await storage.tallies('demo-shop', { kind: 'no_such_kind' })).toEqual([]);
      expect(await storage.tallies('demo-shop', { period: '2024-01-01' })).toEqual([]);
    });

    it('keeps epsilon exactly and takes the largest domain', async () => {
      const buckets = Array.from({ length: HISTOGRAM_MAX_BUCKETS }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(62)}`);
      const bits = buckets.map((_, i) => (i % 3 === 0 ? 1 : 0));
      await storage.insert([makeStored({ epsilon: 1 / 3, buckets, bits }), makeStored({ epsilon: 1 / 3, buckets, bits })]);
      const [t] = await storage.tallies('demo-shop');
      expect(t!.epsilon).toBe(1 / 3);
      expect(t!.buckets).toEqual(buckets);
      expect(t!.ones).toEqual(bits.map((b) => b * 2));
    });

    it('is all-or-nothing: a call that fails stores none of its reports', async () => {
      const good = makeStored();
      const broken = { ...makeStored(), site: null as unknown as string };
      await expect(storage.insert([good, broken])).rejects.toThrow();
      expect(await storage.count()).toBe(0);
      expect(await storage.tallies('demo-shop')).toEqual([]);
      expect(await storage.insert([good])).toEqual({ accepted: 1, duplicates: 0 });
    });

    it('stays consistent under concurrent overlapping inserts', async () => {
      const random = seededRandom(11);
      const pool = Array.from({ length: 40 }, () => makeStored({ reportId: seededUuid(random), bits: privatizeOue(2, 6, 2, random) }));
      const calls = Array.from({ length: 12 }, (_, i) => pool.slice((i * 3) % 30, ((i * 3) % 30) + 10));
      const results = await Promise.all(calls.map((c) => storage.insert(c)));
      const sent = calls.flat();
      const unique = new Set(sent.map((r) => r.reportId)).size;
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(unique);
      expect(results.reduce((n, r) => n + r.accepted + r.duplicates, 0)).toBe(sent.length);
      expect(await storage.count()).toBe(unique);
      expect(sorted(await storage.tallies('demo-shop'))).toEqual(sorted(naiveTallies(sent, 'demo-shop')));
    });

    it('keeps what it acknowledged across close and reopen, and close is idempotent', async () => {
      const r = makeStored();
      await storage.insert([r]);
      await storage.close();
      await storage.close();
      storage = await target.open();
      expect(await storage.count()).toBe(1);
      expect(await storage.insert([r])).toEqual({ accepted: 0, duplicates: 1 });
    });
  });
}
