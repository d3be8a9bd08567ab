import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openIdbStore } from '../store/idb-store.ts';
import { storeOps } from '../store/ops.ts';
import { budgetLeft, spendBudget } from './budget.ts';

describe('the daily privacy budget', () => {
  it('spends up to the day\u2019s budget and starts again the next day', () => {
    expect(budgetLeft(undefined, '2026-12-04', 2)).toBe(2);
    const first = spendBudget(undefined, '2026-12-04', 1, 2)!;
    const second = spendBudget(first, '2026-12-04', 1, 2)!;
    expect(second).toEqual({ day: '2026-12-04', spent: 2 });
    expect(spendBudget(second, '2026-12-04', 1, 2)).toBeNull();
    expect(spendBudget(second, '2026-12-05', 1, 2)).toEqual({ day: '2026-12-05', spent: 1 });
  });

  it('counts a record that no longer reads as one as today spent, never as nothing spent', async () => {
    for (const junk of [null, 'x', { day: '2026-12-04' }, { day: 5, spent: 1 }, { day: '2026-12-04', spent: 'lots' }, { day: '2026-12-04', spent: -4 }]) {
      expect(budgetLeft(junk, '2026-12-04', 2)).toBe(0);
      expect(spendBudget(junk, '2026-12-04', 1, 2)).toBeNull();
    }
    // Stored that way, so that the next day has its whole budget again.
    const s = await openIdbStore();
    if (typeof s === 'string' || s.kind !== 'indexeddb') throw new Error(String(s));
    await s.db.put('meta', { day: '2026-12-04', spent: 'lots' }, 'budget');
    const ops = storeOps(s);
    const item = (id: string) => ({ id, report: { reportId: id } as never, createdAt: 0, attempts: 0, nextAt: 0 });
    expect(await ops.spendAndQueue(item('r1'), '2026-12-04', 1, 2)).toBe(false);
    expect(await s.db.get('meta', 'budget')).toEqual({ day: '2026-12-04', spent: 2 });
    expect(await ops.spendAndQueue(item('r2'), '2026-12-05', 1, 2)).toBe(true);
    expect((await ops.outbox()).map((i) => i.id)).toEqual(['r2']);
    s.close();
  });
});
