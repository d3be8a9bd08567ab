import type { Profile, Report, StoredEvent } from '@edgewise/protocol';
import type { IDBPDatabase } from 'idb';
import type { EdgewiseDB } from './schema.ts';

/** A report waiting in the outbox, with its retry state. */
export interface OutboxItem {
  /** The report's own `reportId`. */
  id: string;
  report: Report;
  createdAt: number;
  /** Failed attempts so far. */
  attempts: number;
  /** Earliest time of the next attempt (ms since the epoch). */
  nextAt: number;
}

/** The events of one write, oldest first: the unit IndexedDB stores (see `schema.ts`). */
export interface EventBatch {
  /** The first event's id when written: a retried write of the same events replaces, never duplicates. */
  id: string;
  /** Timestamps of the oldest and newest event, for retention and range reads. */
  first: number;
  last: number;
  events: StoredEvent[];
}

/**
 * A batch as stored: the events as one JSON string. Structured-cloning a few hundred small objects was most of
 * the cost of a write (1.5 µs per event in Chromium 156 against 0.5 µs to stringify and store the string), and
 * the events are only read back in bulk, by the lazy parts.
 */
export interface BatchRecord {
  id: string;
  first: number;
  last: number;
  json: string;
}

/** Epsilon spent on the device during one UTC day. */
export interface BudgetRecord {
  day: string;
  spent: number;
}

/** Everything the store holds, as `privacy.export()` returns it. */
export interface StoreDump {
  events: StoredEvent[];
  profile: Profile | null;
  outbox: OutboxItem[];
  meta: Record<string, unknown>;
}

/** Folds a batch of events into the stored profile (or a fresh one). */
export type Fold = (stored: Profile | undefined, events: StoredEvent[]) => Profile;

/** What the client learns in one read when the store opens. */
export interface StoreSnapshot {
  profile?: Profile;
  meta: Record<string, unknown>;
  outbox: number;
}

/** The memory store's tables, read by the lazily loaded operations (`ops.ts`). */
export interface MemoryTables {
  batches: Map<string, BatchRecord>;
  profile?: Profile;
  outbox: Map<string, OutboxItem>;
  meta: Map<string, unknown>;
}

/**
 * The store's hot path, in the script-tag bundle: IndexedDB (`idb-store.ts`) or memory (`memory-store.ts`).
 * Everything else (reading events, the outbox, export) is {@link StoreOps}, loaded with the parts that need it.
 * Every method may reject; the client then falls back to memory.
 */
export type Store = {
  /**
   * Appends the events and folds them into the stored profile in one transaction; resolves to the new profile.
   * With `unloading`, the page is going away: the transaction must finish without waiting for a read, so the
   * events are folded into `unloading.base` (this tab's last committed profile) and written blind. When that
   * profile derives from a corrupted one (`REBUILD_KEY`), the blind write asks for the rebuild again: another tab's
   * upkeep may have rebuilt the profile since, and the blind write replaces it.
   */
  commit(events: StoredEvent[], fold: Fold, unloading?: { base: Profile | undefined }): Promise<Profile>;
  /** The profile, meta records and outbox size. */
  snapshot(): Promise<StoreSnapshot>;
  close(): void;
} & ({ kind: 'indexeddb'; db: IDBPDatabase<EdgewiseDB> } | { kind: 'memory'; tables: MemoryTables });

/** Reads and outbox operations, the same for both kinds (`ops.ts`); one contract suite tests both. */
export interface StoreOps {
  /** Valid events with `ts >= since`, oldest first. */
  eventsSince(since: number): Promise<StoredEvent[]>;
  /**
   * Spends `epsilon` of the day's budget and queues the report, atomically; false (nothing written) when the day
   * has less than `epsilon` left.
   */
  spendAndQueue(item: OutboxItem, day: string, epsilon: number, dailyBudget: number): Promise<boolean>;
  outbox(): Promise<OutboxItem[]>;
  putOutbox(items: OutboxItem[]): Promise<void>;
  deleteOutbox(ids: string[]): Promise<void>;
  dump(): Promise<StoreDump>;
  /**
   * Retention and compaction in one transaction (the leader tab's idle work): drops events older than `minTs` and
   * the oldest beyond `maxCount`, and merges small batches. When the stored profile is corrupted, or a
   * write found it so (`REBUILD_KEY`, schema.ts), the profile is replaced, in the same transaction, by `rebuild` of the
   * events kept.
   * Resolves to the events dropped, the batch records before and after, and whether the profile was rebuilt.
   */
  upkeep(minTs: number, maxCount: number, rebuild?: (events: StoredEvent[]) => Profile): Promise<{ dropped: number; before: number; after: number; rebuilt: boolean }>;
}
