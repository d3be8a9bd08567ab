/**
 * The versioned storage schema. Each migration runs once, in a transaction, and is recorded in
 * `ew_schema_migrations`; both engines get the same tables, spelled in their own dialect.
 *
 * - `ew_reports`: one row per accepted report; the primary key makes ingestion idempotent.
 * - `ew_domains`: category domains by hash (a domain is too long to repeat in every key).
 * - `ew_tally_groups` / `ew_tally_cells`: running sums per group, updated in the same transaction as the insert,
 *   so aggregates are read in O(groups), not O(reports). Cells with no ones are not stored.
 */
export interface Migration {
  version: number;
  description: string;
  sqlite: string;
  postgres: string;
}

const GROUP_KEY = 'site, kind, period, epsilon, domain';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'reports, domains and tallies',
    sqlite: `
      CREATE TABLE ew_reports (
        report_id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        kind TEXT NOT NULL,
        period TEXT NOT NULL,
        epsilon REAL NOT NULL,
        domain TEXT NOT NULL,
        bits TEXT NOT NULL,
        received_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX ew_reports_site ON ew_reports (site, period);
      CREATE TABLE ew_domains (domain TEXT PRIMARY KEY, buckets TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE ew_tally_groups (
        site TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, epsilon REAL NOT NULL, domain TEXT NOT NULL,
        reports INTEGER NOT NULL,
        PRIMARY KEY (${GROUP_KEY})
      ) WITHOUT ROWID;
      CREATE TABLE ew_tally_cells (
        site TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, epsilon REAL NOT NULL, domain TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        ones INTEGER NOT NULL,
        PRIMARY KEY (${GROUP_KEY}, bucket)
      ) WITHOUT ROWID;`,
    postgres: `
      CREATE TABLE ew_reports (
        report_id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        kind TEXT NOT NULL,
        period TEXT NOT NULL,
        epsilon DOUBLE PRECISION NOT NULL,
        domain TEXT NOT NULL,
        bits TEXT NOT NULL,
        received_at BIGINT NOT NULL
      );
      CREATE INDEX ew_reports_site ON ew_reports (site, period);
      CREATE TABLE ew_domains (domain TEXT PRIMARY KEY, buckets TEXT NOT NULL);
      CREATE TABLE ew_tally_groups (
        site TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, epsilon DOUBLE PRECISION NOT NULL, domain TEXT NOT NULL,
        reports BIGINT NOT NULL,
        PRIMARY KEY (${GROUP_KEY})
      );
      CREATE TABLE ew_tally_cells (
        site TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, epsilon DOUBLE PRECISION NOT NULL, domain TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        ones BIGINT NOT NULL,
        PRIMARY KEY (${GROUP_KEY}, bucket)
      );`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
