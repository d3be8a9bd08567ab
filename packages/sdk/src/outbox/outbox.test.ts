import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CategoryInterestReport } from '@edgewise/protocol';
import { createLogger } from '../shared/log.ts';
import { openIdbStore } from '../store/idb-store.ts';
import { memoryStore } from '../store/memory-store.ts';
import { storeOps } from '../store/ops.ts';
import type { OutboxItem } from '../store/types.ts';
import { flushOutbox } from './outbox.ts';

const T0 = 1_800_000_000_000;
const item = (id: string, nextAt: number, attempts = 0): OutboxItem => ({ id, report: { reportId: id } as CategoryInterestReport, createdAt: T0, attempts, nextAt });

describe('flushOutbox', () => {
  it('sends only what is due; with `all` (back online) also what waits out a backoff', async () => {
    const store = storeOps(memoryStore());
    await store.putOutbox([item('due', T0), item('later', T0 + 30 * 60_000, 10)]);
    const bodies: string[] = [];
    const deps = { store, send: async (b: string) => (bodies.push(b), { ok: true as const }), now: () => T0 + 1, random: () => 0.5, log: createLogger(false) };
    const first = await flushOutbox(deps);
    expect(first.sent.map((i) => i.id)).toEqual(['due']);
    expect(first.nextAt).toBe(T0 + 30 * 60_000);
    const online = await flushOutbox({ ...deps, all: true });
    expect(online.sent.map((i) => i.id)).toEqual(['later']);
    expect(online.nextAt).toBeNull();
    expect(await store.outbox()).toEqual([]);
    expect(bodies.map((b) => JSON.parse(b).reports.map((r: { reportId: string }) => r.reportId))).toEqual([['due'], ['later']]);
  });

  it('skips a stored item that cannot be sent (a BigInt survives IndexedDB, not JSON) instead of failing every flush', async () => {
    const s = await openIdbStore();
    if (typeof s === 'string') throw new Error(s);
    const store = storeOps(s);
    await store.putOutbox([item('good', T0), { ...item('bad', T0), report: { reportId: 'bad', bits: [1n] } as never }]);
    const bodies: string[] = [];
    const r = await flushOutbox({ store, send: async (b: string) => (bodies.push(b), { ok: true as const }), now: () => T0 + 1, random: () => 0.5, log: createLogger(false) });
    expect(r.sent.map((i) => i.id)).toEqual(['good']);
    expect(bodies).toHaveLength(1);
    s.close();
  });
});
