import pg from 'pg';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { domainKey, encodeBits, sortTallies, tallyDeltas } from './tally.ts';
import type { InsertResult, Storage, StoredReport, Tally, TallyFilter } from './types.ts';

/** Connections per ingestion process; the server is I/O-light, a few are plenty. */
const POOL_MAX = 10;
/** Any key shared by every Edgewise process: serializes concurrent migrations at start-up. */
const MIGRATION_LOCK_KEY = 0x45_57_4d_47; // "EWMG"

export interface PostgresOptions {
  /** A schema to create and use instead of the connection's default (tests use a fresh one each). */
  schema?: string;
}

/** `$1, $2, …` rows of `width` placeholders. */
function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cols: string[] = [];
    for (let c = 1; c <= width; c++) cols.push(`$${r * width + c}`);
    out.push(`(${cols.join(', ')})`);
  }
  return out.join(', ');
}

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS ew_schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM ew_schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) throw new Error(`database schema version ${current} is newer than this server (${SCHEMA_VERSION})`);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.postgres);
      await client.query('INSERT INTO ew_schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
    }
  });
}

/**
 * Opens a PostgreSQL store (`DATABASE_URL=postgres://…`) and brings its schema up to date. Several stateless
 * ingestion processes may share one database: inserts are transactions, duplicates are resolved by the primary
 * key, tally rows are locked in a fixed order. `insert` resolves after COMMIT (durable with the default
 * `synchronous_commit = on`).
 */
export async function openPostgresStorage(url: string, options: PostgresOptions = {}): Promise<Storage> {
  const config: pg.PoolConfig = { connectionString: url, max: POOL_MAX };
  if (options.schema) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await setup.end();
    }
    config.options = `-c search_path=${options.schema}`;
  }
  const pool = new pg.Pool(config);
  // An idle client that loses its connection emits 'error' on the pool; without a listener that would crash the
  // process. The next query gets a fresh connection, and /healthz reports the outage meanwhile.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }

  let closed = false;
  return {
    engine: 'postgres',
    async insert(reports: readonly StoredReport[]): Promise<InsertResult> {
      if (reports.length === 0) return { accepted: 0, duplicates: 0 };
      return inTransaction(pool, async (client) => {
        const sorted = [...reports].sort((a, b) => (a.reportId < b.reportId ? -1 : a.reportId > b.reportId ? 1 : 0));
        const values = sorted.flatMap((r) => [r.reportId, r.site, r.kind, r.period, r.epsilon, domainKey(r.buckets), encodeBits(r.bits), r.receivedAt]);
        const { rows } = await client.query<{ report_id: string }>(
          `INSERT INTO ew_reports (report_id, site, kind, period, epsilon, domain, bits, received_at)
           VALUES ${placeholders(sorted.length, 8)} ON CONFLICT (report_id) DO NOTHING RETURNING report_id`,
          values,
        );
        // A repeated id inside one call is inserted once; keep one copy of each id that went in.
        const inserted = new Set(rows.map((r) => r.report_id));
        const fresh: StoredReport[] = [];
        for (const r of sorted) {
          if (inserted.delete(r.reportId)) fresh.push(r);
        }
        const deltas = tallyDeltas(fresh);
        if (deltas.length > 0) {
          const domains = [...new Map(deltas.map((g) => [g.domain, JSON.stringify(g.buckets)])).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
          await client.query(
            `INSERT INTO ew_domains (domain, buckets) VALUES ${placeholders(domains.length, 2)} ON CONFLICT (domain) DO NOTHING`,
            domains.flat(),
          );
          await client.query(
            `INSERT INTO ew_tally_groups (site, kind, period, epsilon, domain, reports) VALUES ${placeholders(deltas.length, 6)}
             ON CONFLICT (site, kind, period, epsilon, domain) DO UPDATE SET reports = ew_tally_groups.reports + EXCLUDED.reports`,
            deltas.flatMap((g) => [g.site, g.kind, g.period, g.epsilon, g.domain, g.reports]),
          );
          const cells = deltas.flatMap((g) =>
            g.ones.flatMap((ones, bucket) => (ones > 0 ? [[g.site, g.kind, g.period, g.epsilon, g.domain, bucket, ones]] : [])),
          );
          if (cells.length > 0) {
            await client.query(
              `INSERT INTO ew_tally_cells (site, kind, period, epsilon, domain, bucket, ones) VALUES ${placeholders(cells.length, 7)}
               ON CONFLICT (site, kind, period, epsilon, domain, bucket) DO UPDATE SET ones = ew_tally_cells.ones + EXCLUDED.ones`,
              cells.flat(),
            );
          }
        }
        return { accepted: fresh.length, duplicates: reports.length - fresh.length };
      });
    },
    async tallies(site: string, filter: TallyFilter = {}): Promise<Tally[]> {
      const params = [site, filter.period ?? null, filter.kind ?? null];
      const where = (t: string) => `${t}site = $1 AND ($2::text IS NULL OR ${t}period = $2) AND ($3::text IS NULL OR ${t}kind = $3)`;
      const [groups, cells] = await Promise.all([
        pool.query<{ kind: string; period: string; epsilon: number; domain: string; buckets: string; reports: string }>(
          `SELECT g.kind, g.period, g.epsilon, g.domain, d.buckets, g.reports
           FROM ew_tally_groups g JOIN ew_domains d ON d.domain = g.domain WHERE ${where('g.')}`,
          params,
        ),
        pool.query<{ kind: string; period: string; epsilon: number; domain: string; bucket: number; ones: string }>(
          `SELECT kind, period, epsilon, domain, bucket, ones FROM ew_tally_cells WHERE ${where('')}`,
          params,
        ),
      ]);
      const key = (r: { kind: string; period: string; epsilon: number; domain: string }) => `${r.kind}\u0000${r.period}\u0000${r.epsilon}\u0000${r.domain}`;
      const byKey = new Map<string, Tally>();
      for (const g of groups.rows) {
        const buckets = JSON.parse(g.buckets) as string[];
        byKey.set(key(g), { kind: g.kind, period: g.period, epsilon: g.epsilon, buckets, reports: Number(g.reports), ones: new Array<number>(buckets.length).fill(0) });
      }
      for (const c of cells.rows) {
        const t = byKey.get(key(c));
        if (t && c.bucket < t.ones.length) t.ones[c.bucket] = Number(c.ones);
      }
      return sortTallies([...byKey.values()]);
    },
    async count(site?: string) {
      const { rows } = site === undefined
        ? await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM ew_reports')
        : await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM ew_reports WHERE site = $1', [site]);
      return Number(rows[0]?.n ?? 0);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
