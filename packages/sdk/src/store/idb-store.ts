import { openDB, type IDBPDatabase } from 'idb';
import type { Profile } from '@edgewise/protocol';
import { DB_NAME, DB_VERSION } from '../shared/constants.ts';
import { isProfile } from './records.ts';
import { batchRecord, PROFILE_KEY, readMeta, REBUILD_KEY, upgrade, type EdgewiseDB } from './schema.ts';
import type { Store } from './types.ts';

/** Another tab holds the database open at an older version and does not let go: give up after this long. */
export const OPEN_BLOCKED_TIMEOUT_MS = 3000;
/**
 * An open that neither succeeds nor fails by then is given up as blocked too. An open queued behind a deletion
 * that another tab holds up (`privacy.forget()` in this tab or another) waits without any `blocked` event.
 */
export const OPEN_TIMEOUT_MS = 10_000;

/** Why the IndexedDB store could not be used; `edgewise.debug.storageReason` shows it. */
export type StorageFault = 'unsupported' | 'blocked' | 'open-failed' | 'quota' | 'connection-lost' | 'closed' | 'error';

/** Maps a DOMException from IndexedDB to a fault reason. */
export function faultOf(e: unknown): StorageFault {
  const name = (e as { name?: string } | null)?.name;
  const msg = String((e as { message?: string } | null)?.message);
  if (name === 'QuotaExceededError') return 'quota';
  if (/connection.*lost/i.test(msg)) return 'connection-lost'; // WebKit: "Connection to Indexed Database server lost"
  if (name === 'InvalidStateError' || /clos(ing|ed)/i.test(msg)) return 'closed';
  return 'error';
}

export function idbStore(db: IDBPDatabase<EdgewiseDB>): Store {
  // This tab's profile derives from one that awaits a rebuild (stored corrupted, or folded from one write's events
  // after that). A blind write of it would overwrite the rebuild of another tab's upkeep, so it asks for another.
  let partial = false;
  return {
    kind: 'indexeddb',
    db,
    async commit(events, fold, unloading) {
      const tx = db.transaction(['batches', 'profile', 'meta'], 'readwrite');
      // The events go first, in the same task that opened the transaction: when this runs as the page goes away,
      // the page may be gone before a read returns, and the events are the record the profile is rebuilt from.
      // put, not add: a batch retried after an ambiguous failure must neither duplicate nor fail on its id.
      tx.objectStore('batches').put(batchRecord(events[0]!.id, events));
      const profiles = tx.objectStore('profile');
      let p: Profile;
      if (unloading) {
        // Chromium aborts a transaction still waiting on a read when the document goes away, and with it the
        // events. A blind write can lose a profile update another tab made meanwhile; the events are kept, and the
        // profile is rebuildable from them.
        profiles.put((p = fold(unloading.base, events)), PROFILE_KEY);
        if (partial) tx.objectStore('meta').put(true, REBUILD_KEY);
        tx.commit?.();
      } else {
        const meta = tx.objectStore('meta');
        const [stored, flagged] = await Promise.all([profiles.get(PROFILE_KEY), meta.get(REBUILD_KEY)]);
        const valid = isProfile(stored);
        const corrupted = !valid && stored !== undefined;
        if (corrupted) meta.put(true, REBUILD_KEY);
        // Raised at once, lowered only once this write has committed: until then a blind write beside it still folds
        // into the tab's profile from before.
        if (corrupted || flagged) partial = true;
        profiles.put((p = fold(valid ? stored : undefined, events)), PROFILE_KEY);
        await tx.done;
        partial = corrupted || !!flagged;
        return p;
      }
      await tx.done;
      return p;
    },
    async snapshot() {
      const tx = db.transaction(['profile', 'meta', 'outbox']);
      const [profile, meta, outbox] = await Promise.all([tx.objectStore('profile').get(PROFILE_KEY), readMeta(tx.objectStore('meta')), tx.objectStore('outbox').count()]);
      // Only ever raised here: the reporter reads snapshots too, and its reads do not change this tab's profile.
      partial ||= !!meta[REBUILD_KEY] || (profile !== undefined && !isProfile(profile));
      return isProfile(profile) ? { profile, meta, outbox } : { meta, outbox };
    },
    close: () => db.close(),
  };
}

export interface OpenOptions {
  /** Called when another tab upgrades or deletes the database: this connection has been closed. */
  onClosed?: () => void;
  /** Called instead when another tab deletes the database. */
  onDeleted?: () => void;
  blockedTimeoutMs?: number;
  openTimeoutMs?: number;
}

/**
 * Opens (creating or upgrading) the database through the global `indexedDB`; resolves to the store or to the
 * reason it cannot be used. Never rejects.
 */
export function openIdbStore(opts: OpenOptions = {}): Promise<Store | StorageFault> {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined' || !indexedDB) return resolve('unsupported');
    let db: IDBPDatabase<EdgewiseDB> | undefined;
    let gaveUp = false;
    const giveUp = () => {
      gaveUp = true;
      resolve('blocked');
    };
    let timer = setTimeout(giveUp, opts.openTimeoutMs ?? OPEN_TIMEOUT_MS);
    // indexedDB.open itself throws in some sandboxed frames and private modes: run it inside the promise chain.
    Promise.resolve()
      .then(() =>
        openDB<EdgewiseDB>(DB_NAME, DB_VERSION, {
          upgrade,
          blocked() {
            clearTimeout(timer);
            timer = setTimeout(giveUp, opts.blockedTimeoutMs ?? OPEN_BLOCKED_TIMEOUT_MS);
          },
          blocking(_: number, next: number | null) {
            db?.close();
            // Another tab deletes the database (privacy.forget(), consent withdrawn there): this one lets go too.
            (next === null && opts.onDeleted ? opts.onDeleted : opts.onClosed)?.();
          },
          terminated: () => opts.onClosed?.(),
        }),
      )
      .then(
        (opened) => {
          clearTimeout(timer);
          db = opened;
          if (gaveUp) opened.close(); // we fell back to memory meanwhile
          else resolve(idbStore(opened));
        },
        () => (clearTimeout(timer), resolve('open-failed')),
      );
  });
}
