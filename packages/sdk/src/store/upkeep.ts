import type { StoredEvent } from '@edgewise/protocol';
import { BATCH_EVENTS_MAX, toBatches } from './schema.ts';
import type { EventBatch } from './types.ts';

/**
 * Retention and compaction of the event batches, as a plan both stores apply in one step. Every page writes its
 * own small batches (a flush every second or so), so without compaction a shopper's history would become
 * thousands of tiny records; the leader tab merges them at idle. Big batches that lose nothing are left alone,
 * so a steady state costs one read.
 */

export interface UpkeepPlan {
  put: EventBatch[];
  remove: string[];
  dropped: number;
  /** Every event kept, oldest first. */
  kept: StoredEvent[];
}

/** A batch under this many events is merged with its neighbours. */
const SMALL = BATCH_EVENTS_MAX / 2;

/**
 * Plans the rewrite of `batches` (validated events inside) keeping events with `ts >= minTs`, at most `maxCount`
 * of them (the newest), each event id once.
 */
export function planUpkeep(batches: EventBatch[], minTs: number, maxCount: number): UpkeepPlan {
  const all: StoredEvent[] = [];
  for (const b of batches) all.push(...b.events);
  all.sort((a, b) => a.ts - b.ts);
  // The oldest beyond maxCount go, and anything older than minTs; a duplicated id (a record written twice by a
  // retried write under an old SDK) is kept once.
  const keep = new Set<StoredEvent>();
  const seen = new Set<string>();
  for (let i = all.length - 1; i >= 0 && keep.size < maxCount; i--) {
    const e = all[i]!;
    if (e.ts >= minTs && !seen.has(e.id)) keep.add(e), seen.add(e.id);
  }
  const kept = all.filter((e) => keep.has(e));
  const pool: StoredEvent[] = [];
  const remove: string[] = [];
  let pooled = 0;
  for (const b of [...batches].sort((x, y) => x.first - y.first)) {
    const kept = b.events.filter((e) => keep.delete(e));
    if (kept.length === b.events.length && kept.length >= SMALL) continue;
    remove.push(b.id);
    pool.push(...kept);
    pooled++;
  }
  // A single small batch that lost nothing is already as compact as it gets.
  if (pooled === 1 && pool.length === batches.find((b) => b.id === remove[0])?.events.length) return { put: [], remove: [], dropped: 0, kept };
  pool.sort((a, b) => a.ts - b.ts);
  const put = toBatches(pool, (e) => 'c-' + e.id);
  return { put, remove: remove.filter((id) => !put.some((b) => b.id === id)), dropped: all.length - seen.size, kept };
}
