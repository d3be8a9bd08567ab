import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Profile, StoredEvent } from '@edgewise/protocol';
import type { OutboxItem } from './types.ts';

/** The IndexedDB layout. The profile lives under the key {@link PROFILE_KEY}; meta holds small named records. */
export interface EdgewiseDB extends DBSchema {
  events: { key: string; value: StoredEvent; indexes: { ts: number } };
  profile: { key: string; value: Profile };
  outbox: { key: string; value: OutboxItem };
  meta: { key: string; value: unknown };
}

export const PROFILE_KEY = 'main';

type Upgrade = (db: IDBPDatabase<EdgewiseDB>, tx: IDBPTransaction<EdgewiseDB, StoreNames<EdgewiseDB>[], 'versionchange'>) => void;

/**
 * One step per schema version: `MIGRATIONS[v]` upgrades version v to v + 1. A database at any earlier version is
 * brought up to date by running the steps in order (tested from every version in `schema.test.ts`).
 */
export const MIGRATIONS: Upgrade[] = [
  (db) => {
    db.createObjectStore('events', { keyPath: 'id' }).createIndex('ts', 'ts');
    db.createObjectStore('profile');
    db.createObjectStore('outbox', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
];

export function upgrade(db: IDBPDatabase<EdgewiseDB>, from: number, to: number, tx: IDBPTransaction<EdgewiseDB, StoreNames<EdgewiseDB>[], 'versionchange'>): void {
  for (let v = from; v < to; v++) MIGRATIONS[v]!(db, tx);
}

/** Reads all meta records of a transaction into an object. */
export async function readMeta(store: { getAllKeys(): Promise<string[]>; getAll(): Promise<unknown[]> }): Promise<Record<string, unknown>> {
  const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
  const m: Record<string, unknown> = {};
  keys.forEach((k, i) => (m[k] = values[i]));
  return m;
}
