import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@edgewise/protocol';
import { emptyProfile } from '../profile/profile.ts';
import { DB_NAME, DB_VERSION } from '../shared/constants.ts';
import { openIdbStore } from './idb-store.ts';
import { storeOps } from './ops.ts';
import { BATCH_EVENTS_MAX, MIGRATIONS, PROFILE_KEY } from './schema.ts';
import type { Store } from './types.ts';

const ev = (i: number, name: StoredEvent['name'] = 'view_item'): StoredEvent => ({
  id: 'e' + String(i).padStart(5, '0'),
  name,
  params: { items: [{ item_id: 'p' + (i % 7), item_category: 'c' + (i % 3) }] },
  ts: 1_700_000_000_000 + i * 1000,
  sessionId: 's1',
  source: 'api',
});

/** Creates the database as the SDK of `version` left it, with `fill` writing through raw IndexedDB. */
async function createAt(version: number, fill: (db: IDBDatabase) => Promise<void>): Promise<void> {
  const db = await openDB(DB_NAME, version, { upgrade: (d, from, to, tx) => { for (let v = from; v < to!; v++) MIGRATIONS[v]!(d, tx); } });
  await fill(db as unknown as IDBDatabase);
  db.close();
}

const put = (db: IDBDatabase, store: string, value: unknown, key?: string) =>
  new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    (tx.objectStore(store) as IDBObjectStore).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });

async function open(): Promise<Store> {
  const s = await openIdbStore();
  if (typeof s === 'string') throw new Error('store did not open: ' + s);
  return s;
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('schema migrations', () => {
  it('has one step per version up to the current one', () => {
    expect(MIGRATIONS).toHaveLength(DB_VERSION);
  });

  it('creates the current layout on a fresh device', async () => {
    const s = await open();
    const db = (s as Extract<Store, { kind: 'indexeddb' }>).db;
    expect([...db.objectStoreNames].sort()).toEqual(['batches', 'meta', 'outbox', 'profile']);
    expect(db.version).toBe(DB_VERSION);
    s.close();
  });

  it('from version 1: every valid event moves into batches in time order, corrupt ones stay behind, the rest is kept', async () => {
    const n = BATCH_EVENTS_MAX + 37;
    const profile = { ...emptyProfile(5), recentItems: ['p1', 'p2'] };
    await createAt(1, async (db) => {
      // Written out of order, as several tabs would.
      for (let i = n - 1; i >= 0; i--) await put(db, 'events', ev(i));
      await put(db, 'events', { id: 'junk-1', name: 'view_item', ts: 'yesterday', sessionId: 's', source: 'api', params: {} });
      await put(db, 'events', { id: 'junk-2', name: 'not_an_event', ts: 1, sessionId: 's', source: 'api', params: {} });
      await put(db, 'profile', profile, PROFILE_KEY);
      await put(db, 'meta', { day: '2026-11-22', spent: 2 }, 'budget');
      await put(db, 'outbox', { id: 'r1', report: { reportId: 'r1' }, createdAt: 1, attempts: 0, nextAt: 1 });
    });
    const s = await open();
    const db = (s as Extract<Store, { kind: 'indexeddb' }>).db;
    expect([...db.objectStoreNames]).not.toContain('events');
    const dump = await storeOps(s).dump();
    expect(dump.events.map((e) => e.id)).toEqual(Array.from({ length: n }, (_, i) => ev(i).id));
    expect(dump.profile?.recentItems).toEqual(['p1', 'p2']);
    expect(dump.meta.budget).toEqual({ day: '2026-11-22', spent: 2 });
    expect(dump.outbox.map((o) => o.id)).toEqual(['r1']);
    const batches = await db.transaction('batches').store.getAll();
    expect(batches.map((b) => JSON.parse(b.json).length)).toEqual([BATCH_EVENTS_MAX, 37]);
    expect(await storeOps(s).eventsSince(ev(n - 3).ts)).toHaveLength(3);
    s.close();
  });

  it('from an empty version 1 database (opened by other code without a version): version 1 stores made, then migrated', async () => {
    (await openDB(DB_NAME)).close();
    const s = await open();
    const db = (s as Extract<Store, { kind: 'indexeddb' }>).db;
    expect([...db.objectStoreNames].sort()).toEqual(['batches', 'meta', 'outbox', 'profile']);
    await s.commit([ev(1)], (p) => p ?? emptyProfile(0));
    expect((await storeOps(s).dump()).events.map((e) => e.id)).toEqual([ev(1).id]);
    s.close();
  });

  it('from version 1 with no events at all', async () => {
    await createAt(1, async () => {});
    const s = await open();
    expect((await storeOps(s).dump()).events).toEqual([]);
    s.close();
  });
});
