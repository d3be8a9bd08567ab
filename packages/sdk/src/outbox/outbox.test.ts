import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CategoryInterestReport } from '@edgewise/protocol';
import { createLogger } from '../shared/log.ts';
import { openIdbStore } from '../store/idb-store.ts';
import { memoryStore } from '../store/memory-store.ts';
import { storeOps } from '../store/ops.ts';
import type { OutboxItem } from '../store/types.ts';
import { batchBody, batches, flushOutbox } from './outbox.ts';

const T0 = 1_800_000_000_000;
const item = (id: string, nextAt: number, attempts = 0): OutboxItem => ({ id, report: { reportId: id } as CategoryInterestReport, createdAt: T0, attempts, nextAt });

describe('flushOutbox', () => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
  });

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

  it('keeps a report through a day offline, however many attempts failed; drops it only past 7 days', async () => {
    const store = storeOps(memoryStore());
    await store.putOutbox([item('offline', T0, 40), { ...item('stale', T0, 1), createdAt: T0 - 8 * 24 * 3_600_000 }]);
    const deps = { store, send: async () => ({ ok: false as const, retry: true, why: 'network: Failed to fetch' }), now: () => T0 + 24 * 3_600_000, random: () => 0.5, log: createLogger(false) };
    const r = await flushOutbox(deps);
    expect(r.dropped.map((i) => i.id)).toEqual(['stale']);
    expect((await store.outbox()).map((i) => [i.id, i.attempts])).toEqual([['offline', 41]]);
    expect(r.nextAt).toBe(T0 + 24 * 3_600_000 + 45 * 60_000); // the backoff keeps growing, up to an hour (equal jitter at 0.5)
  });

  it('a batch refused for one bad report is sent again report by report: only the bad one is dropped', async () => {
    const store = storeOps(memoryStore());
    await store.putOutbox([item('a', T0), item('bad', T0), item('b', T0)]);
    const bodies: string[] = [];
    const send = async (b: string) => (bodies.push(b), b.includes('"bad"') ? { ok: false as const, retry: false, why: 'HTTP 422' } : { ok: true as const });
    const r = await flushOutbox({ store, send, now: () => T0 + 1, random: () => 0.5, log: createLogger(false) });
    expect(r.sent.map((i) => i.id).sort()).toEqual(['a', 'b']);
    expect(r.dropped.map((i) => i.id)).toEqual(['bad']);
    expect(bodies).toHaveLength(4);
    expect(await store.outbox()).toEqual([]);
  });

  it('keeps each POST under the keepalive cap in UTF-8 bytes, not UTF-16 units', () => {
    // Category names in Chinese: 3 bytes per character on the wire.
    const cjk = (id: string) => ({ ...item(id, T0), report: { reportId: id, buckets: Array.from({ length: 64 }, () => '服'.repeat(64)) } as never });
    const out = batches(Array.from({ length: 6 }, (_, i) => cjk('r' + i)));
    expect(out.length).toBeGreaterThan(1);
    for (const b of out) expect(new TextEncoder().encode(batchBody(b)).length).toBeLessThanOrEqual(60 * 1024);
  });

  it('ignores a stored item whose attempt count is corrupted (negative), instead of retrying it at once forever', async () => {
    const s = await openIdbStore();
    if (typeof s === 'string') throw new Error(s);
    const store = storeOps(s);
    await store.putOutbox([item('ok', T0), item('corrupt', T0, -1e6)]);
    const bodies: string[] = [];
    const r = await flushOutbox({ store, send: async (b: string) => (bodies.push(b), { ok: false as const, retry: true, why: 'HTTP 503' }), now: () => T0 + 1, random: () => 0.5, log: createLogger(false) });
    expect(bodies.map((b) => JSON.parse(b).reports.map((x: { reportId: string }) => x.reportId))).toEqual([['ok']]);
    expect(r.nextAt).toBeGreaterThanOrEqual(T0 + 1 + 1000);
    s.close();
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
