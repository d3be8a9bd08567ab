import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { domainKey, encodeBits, sortTallies, tallyDeltas } from './tally.ts';
import type { InsertResult, Storage, StoredReport, Tally, TallyFilter } from './types.ts';

/** How long a writer waits for another process's write lock before failing, in milliseconds. */
const BUSY_TIMEOUT_MS = 5_000;

interface GroupRow {
  kind: string;
  period: string;
  epsilon: number;
  domain: string;
  buckets: string;
  reports: number;
}
interface CellRow {
  kind: string;
  period: string;
  epsilon: number;
  domain: string;
  bucket: number;
  ones: number;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS ew_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  db.transaction(() => {
    const current = (db.prepare('SELECT MAX(version) AS v FROM ew_schema_migrations').get() as { v: number | null }).v ?? 0;
    if (current > SCHEMA_VERSION) throw new Error(`database schema version ${current} is newer than this server (${SCHEMA_VERSION})`);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sqlite);
      db.prepare('INSERT INTO ew_schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }
  }).immediate();
}

/**
 * Opens (creating if needed) a SQLite store at `path`, or `:memory:`, and brings its schema up to date.
 *
 * Durability: WAL with `synchronous = FULL`, so every commit is fsynced before `insert` resolves, and the server
 * acknowledges a report only after that. (`NORMAL` would survive a process crash but could lose the last commits
 * on power loss.) better-sqlite3 is synchronous: each insert holds the event loop for the commit, which is
 * a millisecond or two at this load.
 */
export async function openSqliteStorage(path: string): Promise<Storage> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  migrate(db);

  const insertReport = db.prepare(
    `INSERT INTO ew_reports (report_id, site, kind, period, epsilon, domain, bits, received_at)
     VALUES (@reportId, @site, @kind, @period, @epsilon, @domain, @bits, @receivedAt) ON CONFLICT (report_id) DO NOTHING`,
  );
  const insertDomain = db.prepare('INSERT INTO ew_domains (domain, buckets) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING');
  const upsertGroup = db.prepare(
    `INSERT INTO ew_tally_groups (site, kind, period, epsilon, domain, reports) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, kind, period, epsilon, domain) DO UPDATE SET reports = reports + excluded.reports`,
  );
  const upsertCell = db.prepare(
    `INSERT INTO ew_tally_cells (site, kind, period, epsilon, domain, bucket, ones) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, kind, period, epsilon, domain, bucket) DO UPDATE SET ones = ones + excluded.ones`,
  );
  const selectGroups = db.prepare(
    `SELECT g.kind, g.period, g.epsilon, g.domain, d.buckets, g.reports
     FROM ew_tally_groups g JOIN ew_domains d ON d.domain = g.domain
     WHERE g.site = @site AND (@period IS NULL OR g.period = @period) AND (@kind IS NULL OR g.kind = @kind)`,
  );
  const selectCells = db.prepare(
    `SELECT kind, period, epsilon, domain, bucket, ones FROM ew_tally_cells
     WHERE site = @site AND (@period IS NULL OR period = @period) AND (@kind IS NULL OR kind = @kind)`,
  );
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM ew_reports');
  const countSite = db.prepare('SELECT COUNT(*) AS n FROM ew_reports WHERE site = ?');
  const ping = db.prepare('SELECT 1 AS ok');

  const insertAll = db.transaction((reports: readonly StoredReport[]): InsertResult => {
    const fresh: StoredReport[] = [];
    for (const r of reports) {
      const { changes } = insertReport.run({
        reportId: r.reportId,
        site: r.site,
        kind: r.kind,
        period: r.period,
        epsilon: r.epsilon,
        domain: domainKey(r.buckets),
        bits: encodeBits(r.bits),
        receivedAt: r.receivedAt,
      });
      if (changes === 1) fresh.push(r);
    }
    for (const g of tallyDeltas(fresh)) {
      insertDomain.run(g.domain, JSON.stringify(g.buckets));
      upsertGroup.run(g.site, g.kind, g.period, g.epsilon, g.domain, g.reports);
      g.ones.forEach((ones, bucket) => {
        if (ones > 0) upsertCell.run(g.site, g.kind, g.period, g.epsilon, g.domain, bucket, ones);
      });
    }
    return { accepted: fresh.length, duplicates: reports.length - fresh.length };
  });

  let closed = false;
  return {
    engine: 'sqlite',
    async insert(reports) {
      return insertAll.immediate(reports);
    },
    async tallies(site: string, filter: TallyFilter = {}): Promise<Tally[]> {
      const params = { site, period: filter.period ?? null, kind: filter.kind ?? null };
      const byKey = new Map<string, Tally>();
      const key = (r: { kind: string; period: string; epsilon: number; domain: string }) => `${r.kind}\u0000${r.period}\u0000${r.epsilon}\u0000${r.domain}`;
      for (const g of selectGroups.all(params) as GroupRow[]) {
        const buckets = JSON.parse(g.buckets) as string[];
        byKey.set(key(g), { kind: g.kind, period: g.period, epsilon: g.epsilon, buckets, reports: g.reports, ones: new Array<number>(buckets.length).fill(0) });
      }
      for (const c of selectCells.all(params) as CellRow[]) {
        const t = byKey.get(key(c));
        if (t && c.bucket < t.ones.length) t.ones[c.bucket] = c.ones;
      }
      return sortTallies([...byKey.values()]);
    },
    async count(site?: string) {
      const row = (site === undefined ? countAll.get() : countSite.get(site)) as { n: number };
      return row.n;
    },
    async ping() {
      ping.get();
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
