import { openDB, type IDBPDatabase } from 'idb';
import { DB_NAME, DB_VERSION } from '../shared/constants.ts';
import { isProfile } from './records.ts';
import { PROFILE_KEY, readMeta, upgrade, type EdgewiseDB } from './schema.ts';
import type { Store } from './types.ts';

/** Another tab holds the database open at an older version and does not let go: give up after this long. */
export const OPEN_BLOCKED_TIMEOUT_MS = 3000;

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
  return {
    kind: 'indexeddb',
    db,
    async commit(events, fold, unloading) {
      const tx = db.transaction(['events', 'profile'], 'readwrite');
      if (unloading) {
        // Chromium aborts a transaction still waiting on a read when the document goes away, and with it the
        // events. A blind write can lose a profile update another tab made meanwhile; the events themselves are
        // kept, and the profile is rebuildable from them.
        for (const e of events) tx.objectStore('events').put(e);
        const p = fold(unloading.base, events);
        tx.objectStore('profile').put(p, PROFILE_KEY);
        tx.commit?.();
        await tx.done;
        return p;
      }
      // The events go first, in the same task that opened the transaction: when this runs in `pagehide` the page
      // may be gone before the profile read returns, and the events are the record the profile is rebuilt from.
      // put, not add: a batch retried after an ambiguous failure must neither duplicate nor fail on its own ids.
      for (const e of events) tx.objectStore('events').put(e);
      const profiles = tx.objectStore('profile');
      const stored = await profiles.get(PROFILE_KEY);
      const p = fold(isProfile(stored) ? stored : undefined, events);
      profiles.put(p, PROFILE_KEY);
      await tx.done;
      return p;
    },
    async snapshot() {
      const tx = db.transaction(['profile', 'meta', 'outbox']);
      const [profile, meta, outbox] = await Promise.all([tx.objectStore('profile').get(PROFILE_KEY), readMeta(tx.objectStore('meta')), tx.objectStore('outbox').count()]);
      return isProfile(profile) ? { profile, meta, outbox } : { meta, outbox };
    },
    async retain(minTs, maxCount) {
      const tx = db.transaction('events', 'readwrite');
      let excess = (await tx.store.count()) - maxCount;
      let deleted = 0;
      let cursor = await tx.store.index('ts').openCursor();
      while (cursor && (cursor.key < minTs || excess > 0)) {
        cursor.delete();
        deleted++;
        excess--;
        cursor = await cursor.continue();
      }
      await tx.done;
      return deleted;
    },
    close: () => db.close(),
  };
}

export interface OpenOptions {
  /** Called when another tab upgrades or deletes the database: this connection has been closed. */
  onClosed?: () => void;
  blockedTimeoutMs?: number;
}

/**
 * Opens (creating or upgrading) the database through the global `indexedDB`; resolves to the store or to the
 * reason it cannot be used. Never rejects.
 */
export function openIdbStore(opts: OpenOptions = {}): Promise<Store | StorageFault> {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined' || !indexedDB) return resolve('unsupported');
    let db: IDBPDatabase<EdgewiseDB> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    // indexedDB.open itself throws in some sandboxed frames and private modes: run it inside the promise chain.
    Promise.resolve()
      .then(() =>
        openDB<EdgewiseDB>(DB_NAME, DB_VERSION, {
          upgrade,
          blocked() {
            timer = setTimeout(() => {
              gaveUp = true;
              resolve('blocked');
            }, opts.blockedTimeoutMs ?? OPEN_BLOCKED_TIMEOUT_MS);
          },
          blocking() {
            db?.close();
            opts.onClosed?.();
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
        () => resolve('open-failed'),
      );
  });
}
