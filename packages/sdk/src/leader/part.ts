import { RETENTION_EVENTS_MAX, RETENTION_MS } from '../shared/constants.ts';
import { uuid } from '../shared/ids.ts';
import type { Host, Upkeep } from '../shared/parts.ts';
import { describe } from '../shared/safe.ts';
import { whenIdle } from '../shared/time.ts';
import { storeOps } from '../store/ops.ts';

/**
 * The upkeep part (`edgewise-upkeep.js`), loaded at idle once storage is open: elects one leader among the shop's
 * open tabs, and only the leader does the shared chores — retention and compaction of the stored events, building
 * the daily report and sending the outbox. Every tab still writes its own events. Election uses Web Locks (the
 * lock is released by the browser when the tab goes, even when it crashes); where they are missing, heartbeats
 * over a BroadcastChannel.
 */

const LOCK = 'edgewise-leader';
/** Chores repeat this often while a tab stays leader. */
const CHORES_EVERY_MS = 10 * 60 * 1000;
/** BroadcastChannel fallback: the leader beats this often; a tab that hears nothing for 3 beats takes over. */
const BEAT_MS = 1000;

type Message = { beat?: string; bye?: string; due?: true };

export function createUpkeep(h: Host): Upkeep {
  let leader = false;
  /** This tab's storage fell back to memory: it can do none of the chores, so it leaves them to another tab. */
  let resigned = false;
  let releaseLock: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const Channel = (h.win as { BroadcastChannel?: typeof BroadcastChannel } | undefined)?.BroadcastChannel;
  const channel = Channel ? new Channel(LOCK) : null;

  const report = () => h.reporter()?.then((r) => r.maybeReport(), (e) => h.log.warn('report part: ' + describe(e)));

  const chores = async () => {
    const s = await h.store();
    if (!s || !leader) return;
    if (s.kind === 'memory') return resign();
    const r = await storeOps(s).upkeep(h.now() - RETENTION_MS, RETENTION_EVENTS_MAX, h.profileOf);
    h.log.debug('upkeep: ' + r.dropped + ' events past retention, ' + r.before + ' → ' + r.after + ' batch records');
    if (r.rebuilt) h.log.warn('the stored profile was corrupted: rebuilt from the stored events');
    await report();
    await h.reporter()?.then((rep) => rep.flush());
  };
  const run = () => whenIdle(() => void chores().catch((e) => h.log.warn('upkeep: ' + describe(e))), 2000);

  const lead = () => {
    if (leader || resigned) return;
    leader = true;
    h.log.debug('this tab leads');
    run();
    timer = setInterval(run, CHORES_EVERY_MS);
  };

  const locks = (h.nav as Navigator | undefined)?.locks;
  let viaLocks = !!locks;
  const me = uuid();
  let heard = h.now();
  /** Without Web Locks: the channel's heartbeats decide, or, with no channel either, this tab is alone as far as it can tell. */
  const withoutLocks = () => {
    viaLocks = false;
    if (!channel) return lead();
    setInterval(() => {
      if (leader) channel.postMessage({ beat: me });
      else if (!resigned && h.now() - heard > 3 * BEAT_MS) lead(), channel.postMessage({ beat: me });
    }, BEAT_MS);
    h.win?.addEventListener?.('pagehide', () => leader && channel.postMessage({ bye: me }));
  };

  if (channel)
    channel.onmessage = (m: MessageEvent<Message>) => {
      const d = m.data;
      if (d?.due && leader) void report();
      if (viaLocks) return;
      if (d?.beat) {
        heard = h.now();
        // Two tabs claimed at once: the smaller id keeps it.
        if (leader && d.beat < me) (leader = false), clearInterval(timer);
      }
      if (d?.bye) heard = -Infinity;
    };
  try {
    // The callback's promise settles only if this tab resigns: the lock is held for the page's life. Web Locks
    // refuse opaque origins and some sandboxed frames, by throwing or by rejecting the request.
    if (locks) void locks.request(LOCK, () => (lead(), new Promise<void>((r) => (releaseLock = r)))).catch(withoutLocks);
    else withoutLocks();
  } catch {
    withoutLocks();
  }

  function resign(): void {
    h.log.warn('storage in memory: this tab leaves retention, compaction and reports to another tab');
    resigned = true;
    leader = false;
    clearInterval(timer);
    releaseLock?.();
    if (!viaLocks) channel?.postMessage({ bye: 'resigned' });
  }

  return {
    isLeader: () => leader,
    reportDue() {
      if (leader) void report();
      else channel?.postMessage({ due: true });
    },
  };
}
