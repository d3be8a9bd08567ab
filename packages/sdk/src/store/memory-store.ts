import type { Profile } from '@edgewise/protocol';
import { batchRecord } from './schema.ts';
import type { MemoryTables, Store } from './types.ts';

/** Values are copied in and out, as IndexedDB's structured clone would. */
export const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The fallback when IndexedDB is missing, blocked or failing: the same contract, kept for the page's life only.
 * `profile` seeds it with what the failed IndexedDB store last held, so the page keeps its history.
 */
export function memoryStore(profile?: Profile): Store {
  const t: MemoryTables = { batches: new Map(), outbox: new Map(), meta: new Map(), profile: profile && copy(profile) };
  return {
    kind: 'memory',
    tables: t,
    async commit(events, fold) {
      const p = fold(t.profile && copy(t.profile), events);
      t.batches.set(events[0]!.id, batchRecord(events[0]!.id, events));
      t.profile = copy(p);
      return p;
    },
    async snapshot() {
      const meta = copy(Object.fromEntries(t.meta));
      return t.profile ? { profile: copy(t.profile), meta, outbox: t.outbox.size } : { meta, outbox: t.outbox.size };
    },
    close() {},
  };
}
