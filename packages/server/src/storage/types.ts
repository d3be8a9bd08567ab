/** One accepted report as storage keeps it: the fields aggregation needs, nothing else. */
export interface StoredReport {
  reportId: string;
  site: string;
  kind: string;
  /** UTC day, `YYYY-MM-DD`. */
  period: string;
  epsilon: number;
  /** The category domain, in the order the bits follow. */
  buckets: readonly string[];
  /** The perturbed unary encoding, one 0/1 per bucket. */
  bits: readonly (0 | 1)[];
  /** Milliseconds since the epoch, server clock. */
  receivedAt: number;
}

/** What an insert did: `accepted` newly stored, `duplicates` already stored (or repeated within the call). */
export interface InsertResult {
  accepted: number;
  duplicates: number;
}

/** Optional narrowing of {@link Storage.tallies}. */
export interface TallyFilter {
  period?: string;
  kind?: string;
}

/**
 * Running sums of one group of reports that share (kind, period, epsilon, buckets): how many reports, and per
 * bucket how many reports had that bit set. Enough to de-bias; no single report can be read back from it.
 */
export interface Tally {
  kind: string;
  period: string;
  epsilon: number;
  buckets: string[];
  reports: number;
  /** `ones[i]`: reports whose bit `i` was 1. Same length as `buckets`. */
  ones: number[];
}

/**
 * The one storage contract. Every implementation (SQLite, PostgreSQL) passes the same suite
 * (`storage/contract.ts`). All methods are async so a networked store fits behind it.
 */
export interface Storage {
  /** Which engine, for `/healthz` and logs. */
  readonly engine: 'sqlite' | 'postgres';
  /**
   * Stores reports atomically: either every new report and its tally update is committed, or nothing is (the
   * promise rejects). A report whose id is already stored, or repeated in the same call, is a duplicate and changes
   * nothing. Resolves only after the commit is durable.
   */
  insert(reports: readonly StoredReport[]): Promise<InsertResult>;
  /** The tallies of a site's groups, sorted by period (newest first), kind, epsilon. */
  tallies(site: string, filter?: TallyFilter): Promise<Tally[]>;
  /** Stored reports, for one site or all. */
  count(site?: string): Promise<number>;
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases connections and files. Idempotent. */
  close(): Promise<void>;
}
