import type { StoredEvent } from '@edgewise/protocol';
import { spendBudget } from '../privatize/budget.ts';
import { copy } from './memory-store.ts';
import { isOutboxItem, isProfile, readEvent } from './records.ts';
import { PROFILE_KEY, readMeta } from './schema.ts';
import type { Store, StoreOps } from './types.ts';

/**
 * The store's reads and outbox operations, for the lazy parts (reports, export); the script-tag bundle only
 * writes events and reads the profile. Records are validated on the way out.
 */
export function storeOps(s: Store): StoreOps {
  const valid = (rows: unknown[]) => rows.map(readEvent).filter((e): e is StoredEvent => e !== null);
  if (s.kind === 'memory') {
    const t = s.tables;
    const events = (since: number) => copy([...t.events.values()].filter((e) => e.ts >= since).sort((a, b) => a.ts - b.ts));
    return {
      eventsSince: async (since) => events(since),
      async spendAndQueue(item, day, epsilon, budget) {
        const next = spendBudget(t.meta.get('budget'), day, epsilon, budget);
        if (next) {
          t.meta.set('budget', next);
          t.outbox.set(item.id, copy(item));
        }
        return !!next;
      },
      outbox: async () => copy([...t.outbox.values()]),
      async putOutbox(items) {
        for (const it of items) t.outbox.set(it.id, copy(it));
      },
      async deleteOutbox(ids) {
        for (const id of ids) t.outbox.delete(id);
      },
      dump: async () => ({ events: events(-Infinity), profile: t.profile ? copy(t.profile) : null, outbox: copy([...t.outbox.values()]), meta: copy(Object.fromEntries(t.meta)) }),
    };
  }
  const db = s.db;
  const write = async (fn: (store: { put(v: unknown): unknown; delete(k: string): unknown }) => void) => {
    const tx = db.transaction('outbox', 'readwrite');
    fn(tx.store as never);
    await tx.done;
  };
  return {
    eventsSince: async (since) => valid(await db.transaction('events').store.index('ts').getAll(IDBKeyRange.lowerBound(since))),
    async spendAndQueue(item, day, epsilon, budget) {
      const tx = db.transaction(['meta', 'outbox'], 'readwrite');
      const meta = tx.objectStore('meta');
      const next = spendBudget(await meta.get('budget'), day, epsilon, budget);
      if (next) {
        meta.put(next, 'budget');
        tx.objectStore('outbox').put(item);
      }
      await tx.done;
      return !!next;
    },
    outbox: async () => (await db.transaction('outbox').store.getAll()).filter(isOutboxItem),
    putOutbox: (items) => write((st) => items.forEach((it) => st.put(it))),
    deleteOutbox: (ids) => write((st) => ids.forEach((id) => st.delete(id))),
    async dump() {
      const tx = db.transaction(['events', 'profile', 'outbox', 'meta']);
      const [events, profile, outbox, meta] = await Promise.all([
        tx.objectStore('events').index('ts').getAll(),
        tx.objectStore('profile').get(PROFILE_KEY),
        tx.objectStore('outbox').getAll(),
        readMeta(tx.objectStore('meta')),
      ]);
      return { events: valid(events), profile: isProfile(profile) ? profile : null, outbox: outbox.filter(isOutboxItem), meta };
    },
  };
}
