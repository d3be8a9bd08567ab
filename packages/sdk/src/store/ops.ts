import type { StoredEvent } from '@edgewise/protocol';
import { isPlainObject } from '../collect/validate.ts';
import { spendBudget } from '../privatize/budget.ts';
import { uuid } from '../shared/ids.ts';
import { copy } from './memory-store.ts';
import { isBudget, isOutboxItem, isProfile, readEvent } from './records.ts';
import { batchRecord, PROFILE_KEY, readMeta, REBUILD_KEY } from './schema.ts';
import type { EventBatch, Store, StoreOps } from './types.ts';
import { planUpkeep } from './upkeep.ts';

/** The batch with only its valid events, or null when the record is not a batch at all. */
function readBatch(x: unknown): EventBatch | null {
  if (!isPlainObject(x) || typeof x.id !== 'string' || typeof x.json !== 'string') return null;
  let rows: unknown;
  try {
    rows = JSON.parse(x.json);
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const events = rows.map(readEvent).filter((e): e is StoredEvent => e !== null);
  return events.length ? { id: x.id, first: events[0]!.ts, last: events[events.length - 1]!.ts, events } : { id: x.id, first: 0, last: 0, events };
}

/** Valid events of the batches with `ts >= since`, oldest first, each id once. */
function flatten(rows: unknown[], since = -Infinity): StoredEvent[] {
  const seen = new Set<string>();
  const out: StoredEvent[] = [];
  for (const b of rows.map(readBatch)) for (const e of b?.events ?? []) if (e.ts >= since && !seen.has(e.id)) seen.add(e.id), out.push(e);
  return out.sort((a, b) => a.ts - b.ts);
}

/**
 * The store's reads and outbox operations, for the lazy parts (reports, export); the script-tag bundle only
 * writes events and reads the profile. Records are validated on the way out.
 */
export function storeOps(s: Store): StoreOps {
  if (s.kind === 'memory') {
    const t = s.tables;
    const events = (since: number) => copy(flatten([...t.batches.values()], since));
    return {
      eventsSince: async (since) => events(since),
      async upkeep(minTs, maxCount) {
        const before = t.batches.size;
        const plan = planUpkeep([...t.batches.values()].map(readBatch).filter((b): b is EventBatch => b !== null), minTs, maxCount);
        for (const id of plan.remove) t.batches.delete(id);
        for (const b of plan.put) t.batches.set(b.id, batchRecord(b.id, b.events));
        // The memory store's profile never went through storage, so it cannot be corrupted: nothing to rebuild.
        return { dropped: plan.dropped, before, after: t.batches.size, rebuilt: false };
      },
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
    allOrNothing(tx, () => fn(tx.store as never));
    await tx.done;
  };
  return {
    eventsSince: async (since) => flatten(await db.transaction('batches').store.index('last').getAll(IDBKeyRange.lowerBound(since)), since),
    async upkeep(minTs, maxCount, rebuild) {
      // The profile and meta stores are in the transaction so that a rebuilt profile is folded from exactly the
      // events kept, with no other tab's write in between.
      const tx = db.transaction(['batches', 'profile', 'meta'], 'readwrite');
      const batchStore = tx.objectStore('batches');
      const meta = tx.objectStore('meta');
      const profiles = tx.objectStore('profile');
      const [keys, rows, flagged, stored] = await Promise.all([batchStore.getAllKeys(), batchStore.getAll(), meta.get(REBUILD_KEY), profiles.get(PROFILE_KEY)]);
      const batches = rows.map(readBatch);
      // A record that is not a batch at all is deleted: nothing could ever read it.
      const junk = keys.filter((_, i) => !batches[i]);
      const plan = planUpkeep(batches.filter((b): b is EventBatch => b !== null), minTs, maxCount);
      // Corrupted now, or replaced since by a write that found it corrupted and folded in only its own events.
      const rebuilt = !!rebuild && (!!flagged || (stored !== undefined && !isProfile(stored)));
      // The merged batches go in before the old ones go out, and a request that throws aborts the whole step.
      allOrNothing(tx, () => {
        for (const b of plan.put) batchStore.put(batchRecord(b.id, b.events));
        for (const id of [...junk, ...plan.remove]) batchStore.delete(id);
        if (rebuilt) {
          profiles.put({ ...rebuild(plan.kept), rev: uuid() }, PROFILE_KEY);
          meta.delete(REBUILD_KEY);
        }
      });
      await tx.done;
      return { dropped: plan.dropped, before: keys.length, after: keys.length - junk.length - plan.remove.length + plan.put.length, rebuilt };
    },
    async spendAndQueue(item, day, epsilon, budget) {
      const tx = db.transaction(['meta', 'outbox'], 'readwrite');
      const meta = tx.objectStore('meta');
      const current = await meta.get('budget');
      const next = spendBudget(current, day, epsilon, budget);
      if (next)
        allOrNothing(tx, () => {
          meta.put(next, 'budget');
          tx.objectStore('outbox').put(item);
        });
      // A corrupted record counted as today spent; stored as such, tomorrow's budget is whole again.
      else if (current !== undefined && !isBudget(current)) meta.put({ day, spent: budget }, 'budget');
      await tx.done;
      return !!next;
    },
    outbox: async () => (await db.transaction('outbox').store.getAll()).filter(isOutboxItem),
    putOutbox: (items) => write((st) => items.forEach((it) => st.put(it))),
    deleteOutbox: (ids) => write((st) => ids.forEach((id) => st.delete(id))),
    async dump() {
      const tx = db.transaction(['batches', 'profile', 'outbox', 'meta']);
      const [batches, profile, outbox, meta] = await Promise.all([
        tx.objectStore('batches').getAll(),
        tx.objectStore('profile').get(PROFILE_KEY),
        tx.objectStore('outbox').getAll(),
        readMeta(tx.objectStore('meta')),
      ]);
      return { events: flatten(batches), profile: isProfile(profile) ? profile : null, outbox: outbox.filter(isOutboxItem), meta };
    },
  };
}

/**
 * Runs a transaction's requests; when one throws (a quota or clone error thrown by the request itself, a closing
 * connection) the transaction is aborted rather than left to commit the requests made before it — an upkeep
 * whose deletes committed without its merged batch would lose the shopper's history.
 */
function allOrNothing(tx: { abort(): void; done: Promise<void> }, requests: () => void): void {
  try {
    requests();
  } catch (e) {
    tx.done.catch(() => undefined); // the abort rejects it; the caller gets `e` instead
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    throw e;
  }
}
