import type { DatabaseConfig } from '../config.ts';
import { openPostgresStorage } from './postgres.ts';
import { openSqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';

export type { InsertResult, Storage, StoredReport, Tally, TallyFilter } from './types.ts';
export { openSqliteStorage } from './sqlite.ts';
export { openPostgresStorage } from './postgres.ts';

/** Opens the store the configuration names, schema migrated: SQLite by default, PostgreSQL with `DATABASE_URL`. */
export function openStorage(database: DatabaseConfig): Promise<Storage> {
  return database.kind === 'postgres' ? openPostgresStorage(database.url) : openSqliteStorage(database.path);
}
