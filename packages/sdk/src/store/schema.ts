import type { DBSchema, IDBPDatabase, IDBPTransaction } from 'idb';
import type { Profile, StoredEvent } from '@edgewise/protocol';
import { readEvent } from './records.ts';
import type { BatchRecord, EventBatch, OutboxItem } from './types.ts';

/**
 * The IndexedDB layout. Events are stored in batches, one record per write (a flush of up to a few hundred
 * events): IndexedDB's cost is per record (clone, key, index entry, log write), so a record per event made the
 * store the largest part of the SDK's per-event cost. The profile lives under {@link PROFILE_KEY}; meta holds small
 * named records.
 */
export interface EdgewiseDB extends DBSchema {
  batches: { key: string; value: BatchRecord; indexes: { last: number } };
  profile: { key: string; value: Profile };
  outbox: { key: string; value: OutboxItem };
  meta: { key: string; value: unknown };
}

/** Version 1's layout, kept for its migration: one record per event. */
export interface EdgewiseDBv1 extends DBSchema {
  events: { key: string; value: StoredEvent; indexes: { ts: number } };
  profile: { key: string; value: Profile };
  outbox: { key: string; value: OutboxItem };
  meta: { key: string; value: unknown };
}

export const PROFILE_KEY = 'main';
/**
 * Meta record set when a write found the stored profile corrupted and replaced it with one folded from that write's
 * events alone: the leader's upkeep rebuilds the profile from every stored event (`ops.ts`).
 */
export const REBUILD_KEY = 'rebuild';
/** Events per batch record when batches are rewritten (migration, compaction). */
export const BATCH_EVENTS_MAX = 500;

// The upgrade transaction spans every store of every version, so the steps take it untyped.
type AnyDB = IDBPDatabase<any>;
type Upgrade = (db: AnyDB, tx: IDBPTransaction<any, any, 'versionchange'>) => void;

/** The stored form of a batch of events (oldest first). */
export const batchRecord = (id: string, events: StoredEvent[]): BatchRecord => ({ id, first: events[0]!.ts, last: events[events.length - 1]!.ts, json: JSON.stringify(events) });

/** Cuts events (oldest first) into batch records of at most {@link BATCH_EVENTS_MAX}. */
export function toBatches(events: StoredEvent[], idOf: (first: StoredEvent) => string): EventBatch[] {
  const out: EventBatch[] = [];
  for (let i = 0; i < events.length; i += BATCH_EVENTS_MAX) {
    const chunk = events.slice(i, i + BATCH_EVENTS_MAX);
    out.push({ id: idOf(chunk[0]!), first: chunk[0]!.ts, last: chunk[chunk.length - 1]!.ts, events: chunk });
  }
  return out;
}

/**
 * One step per schema version: `MIGRATIONS[v]` upgrades version v to v + 1. A database at any earlier version is
 * brought up to date by running the steps in order (tested from every version in `schema.test.ts`).
 */
export const MIGRATIONS: Upgrade[] = [
  (db) => {
    const missing = (name: string) => !db.objectStoreNames.contains(name);
    if (missing('events')) db.createObjectStore('events', { keyPath: 'id' }).createIndex('ts', 'ts');
    if (missing('profile')) db.createObjectStore('profile');
    if (missing('outbox')) db.createObjectStore('outbox', { keyPath: 'id' });
    if (missing('meta')) db.createObjectStore('meta');
  },
  (db, tx) => {
    // A version 1 database can be empty: `indexedDB.open('edgewise')` without a version (a devtools snippet, an
    // extension, a test helper) creates one. Version 1's stores come first, or the step below would fail the open.
    MIGRATIONS[0]!(db, tx);
    db.createObjectStore('batches', { keyPath: 'id' }).createIndex('last', 'last');
    // Version 1's events move into batches; a record that no longer validates is left behind, not carried over.
    // Only IndexedDB requests are awaited, so the upgrade transaction stays alive throughout.
    void tx
      .objectStore('events')
      .index('ts')
      .getAll()
      .then((rows: unknown[]) => {
        const events = rows.map(readEvent).filter((e): e is StoredEvent => e !== null);
        for (const b of toBatches(events, (e) => 'v1-' + e.id)) tx.objectStore('batches').put(batchRecord(b.id, b.events));
        db.deleteObjectStore('events');
      });
  },
];

export function upgrade(db: AnyDB, from: number, to: number | null, tx: IDBPTransaction<any, any, 'versionchange'>): void {
  for (let v = from; v < (to ?? MIGRATIONS.length); v++) MIGRATIONS[v]!(db, tx);
}

/** Reads all meta records of a transaction into an object. */
export async function readMeta(store: { getAllKeys(): Promise<string[]>; getAll(): Promise<unknown[]> }): Promise<Record<string, unknown>> {
  const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
  const m: Record<string, unknown> = {};
  keys.forEach((k, i) => (m[k] = values[i]));
  return m;
}
