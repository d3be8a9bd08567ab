import type { ReportBatch } from '@edgewise/protocol';
import {
  BATCH_MAX_REPORTS, KEEPALIVE_LIMIT_BYTES, OUTBOX_MAX_AGE_MS, RETRY_BASE_MS, RETRY_MAX_MS,
} from '../shared/constants.ts';
import type { Logger } from '../shared/log.ts';
import type { SendOutcome } from '../send/send.ts';
import type { OutboxItem, StoreOps } from '../store/types.ts';

/**
 * The outbox: privatized reports wait in IndexedDB until the server has acknowledged them, across reloads and
 * offline periods (up to {@link OUTBOX_MAX_AGE_MS}, however many attempts failed meanwhile). Failed sends back off
 * exponentially with jitter; refused ones (4xx) are dropped, alone: a refused batch is sent again report by report.
 */

/** Delay before attempt `attempts + 1`: "equal jitter", half fixed and half random, over base × 2^attempts. */
export function retryDelay(attempts: number, random: () => number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempts, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The JSON body of one POST. */
export function batchBody(items: OutboxItem[]): string {
  const batch: ReportBatch = { reports: items.map((i) => i.report) };
  return JSON.stringify(batch);
}

const utf8 = new TextEncoder();

/** Splits items into POST-sized batches: at most {@link BATCH_MAX_REPORTS} reports and the keepalive byte cap (UTF-8 bytes). */
export function batches(items: OutboxItem[]): OutboxItem[][] {
  const out: OutboxItem[][] = [];
  let cur: OutboxItem[] = [];
  let bytes = 16;
  for (const it of items) {
    const size = utf8.encode(JSON.stringify(it.report)).length + 1;
    if (cur.length && (cur.length >= BATCH_MAX_REPORTS || bytes + size > KEEPALIVE_LIMIT_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 16;
    }
    cur.push(it);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export interface FlushDeps {
  store: StoreOps;
  send: (body: string) => Promise<SendOutcome>;
  now: () => number;
  random: () => number;
  log: Logger;
  /**
   * Send every report now, backoff or not: the device just came back online, and a backoff that grew while it was
   * offline (up to an hour) says nothing about the network now.
   */
  all?: boolean;
}

export interface FlushResult {
  sent: OutboxItem[];
  dropped: OutboxItem[];
  /** When the next attempt is due, or null when the outbox is empty. */
  nextAt: number | null;
}

/** Sends every due report once; updates or deletes each according to the outcome. */
export async function flushOutbox(d: FlushDeps): Promise<FlushResult> {
  const now = d.now();
  const items = await d.store.outbox();
  const sent: OutboxItem[] = [];
  const dropped: OutboxItem[] = [];
  const waiting: OutboxItem[] = [];
  const due: OutboxItem[] = [];
  for (const it of items) {
    // Not by attempts: a device offline for a day fails every attempt it makes, and its reports must wait.
    if (now - it.createdAt > OUTBOX_MAX_AGE_MS) dropped.push(it);
    else (it.nextAt <= now || d.all ? due : waiting).push(it);
  }
  if (dropped.length) {
    d.log.warn('outbox: dropped ' + dropped.length + ' report(s) too old to send');
    await d.store.deleteOutbox(dropped.map((i) => i.id));
  }
  const queue = batches(due);
  for (const batch of queue) {
    const r = await d.send(batchBody(batch));
    if (r.ok) {
      sent.push(...batch);
      await d.store.deleteOutbox(batch.map((i) => i.id));
    } else if (!r.retry && batch.length > 1) {
      // The server refuses a whole batch for one bad report (one an older SDK left, or altered in storage).
      queue.push(...batch.map((i) => [i]));
    } else if (!r.retry) {
      d.log.warn('outbox: server refused ' + batch.length + ' report(s), dropped: ' + r.why);
      dropped.push(...batch);
      await d.store.deleteOutbox(batch.map((i) => i.id));
    } else {
      const later = batch.map((i) => ({ ...i, attempts: i.attempts + 1, nextAt: now + retryDelay(i.attempts, d.random) }));
      d.log.debug('outbox: send failed (' + r.why + '), retrying in ' + Math.round((later[0]!.nextAt - now) / 1000) + ' s');
      await d.store.putOutbox(later);
      waiting.push(...later);
    }
  }
  const nextAt = waiting.length ? Math.min(...waiting.map((i) => i.nextAt)) : null;
  return { sent, dropped, nextAt };
}
