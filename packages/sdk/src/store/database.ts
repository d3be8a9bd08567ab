import { deleteDB } from 'idb';
import { DB_NAME } from '../shared/constants.ts';

/** How long `privacy.forget()` waits for other tabs to let go of the database before it reports "pending". */
export const DELETE_WAIT_MS = 3000;

/**
 * Deletes the whole database (`privacy.forget()`, consent denied). Resolves true once deleted, false if the
 * platform refuses or another tab still holds it after {@link DELETE_WAIT_MS} (the deletion then completes when
 * that tab lets go). Never rejects.
 */
export function deleteDatabase(): Promise<boolean> {
  return typeof indexedDB === 'undefined'
    ? Promise.resolve(true)
    : Promise.race([
        Promise.resolve()
          .then(() => deleteDB(DB_NAME))
          .then(() => true, () => false),
        new Promise<boolean>((r) => setTimeout(r, DELETE_WAIT_MS, false)),
      ]);
}
