import { Type, type Static } from '@sinclair/typebox';

/**
 * Reports: the only payloads the SDK sends. Each one is an aggregate of the shopper's local profile, privatized
 * on the device with local differential privacy before it is built. A report carries no user, device, page or
 * item identifier; `reportId` is fresh randomness per report, used only to make retries idempotent.
 */

/** Version of the report schema; the server refuses versions it does not know. */
export const REPORT_SCHEMA_VERSION = 1;

/** Largest report body the server accepts. A category histogram of 64 buckets is about 3 KB. */
export const REPORT_MAX_BYTES = 16 * 1024;

/** Largest number of buckets in one histogram. */
export const HISTOGRAM_MAX_BUCKETS = 64;

/** Local-DP mechanisms a report may use. */
export const Mechanism = Type.Object(
  {
    /**
     * 'oue': optimized unary encoding (Wang et al., USENIX Security 2017): each bit of the one-hot vector is kept
     * at 1 with p = 1/2 and set to 1 from 0 with q = 1 / (e^epsilon + 1). The server derives p and q from epsilon
     * itself; it never trusts client-sent probabilities.
     */
    name: Type.Literal('oue'),
    epsilon: Type.Number({ exclusiveMinimum: 0, maximum: 8 }),
  },
  { additionalProperties: false },
);
export type Mechanism = Static<typeof Mechanism>;

const Bucket = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f<>]+$' });

/** Which top-level category holds the shopper's strongest interest this period, one-hot, then OUE-perturbed. */
export const CategoryInterestReport = Type.Object(
  {
    schemaVersion: Type.Literal(REPORT_SCHEMA_VERSION),
    reportId: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' }),
    site: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    kind: Type.Literal('category_interest'),
    /** The UTC day the report covers; coarse on purpose. */
    period: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    mechanism: Mechanism,
    /** The public category domain of the site's catalog, the same for every shopper; never personal. */
    buckets: Type.Array(Bucket, { minItems: 2, maxItems: HISTOGRAM_MAX_BUCKETS, uniqueItems: true }),
    /** The perturbed unary encoding, one 0/1 per bucket. */
    bits: Type.Array(Type.Union([Type.Literal(0), Type.Literal(1)]), { minItems: 2, maxItems: HISTOGRAM_MAX_BUCKETS }),
    sdkVersion: Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z.+-]+$' }),
  },
  { additionalProperties: false },
);
export type CategoryInterestReport = Static<typeof CategoryInterestReport>;

/** Every report kind; the server validates against this union. */
export const Report = Type.Union([CategoryInterestReport]);
export type Report = Static<typeof Report>;

/** `POST /v1/reports` accepts one report or a batch from the outbox. */
export const ReportBatch = Type.Object(
  { reports: Type.Array(Report, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);
export type ReportBatch = Static<typeof ReportBatch>;

/** Server answer to an accepted post. */
export interface IngestResponse {
  accepted: number;
  /** Reports already stored earlier under the same id (retries); not counted twice. */
  duplicates: number;
}

/** One de-biased histogram cell, as `GET /v1/sites/:site/aggregates` returns it. */
export interface AggregateCell {
  bucket: string;
  /** Unbiased estimate of how many reports had this bucket as their true value. */
  estimate: number;
  /** Half-width of the 95 % confidence interval of `estimate`. */
  ci95: number;
  /** `estimate / reports`. */
  share: number;
}

/** One published aggregate; only groups with at least k reports are published. */
export interface Aggregate {
  kind: Report['kind'];
  period: string;
  epsilon: number;
  reports: number;
  cells: AggregateCell[];
}

export interface AggregatesResponse {
  site: string;
  /** The k-anonymity threshold in force: groups with fewer reports are withheld. */
  minReports: number;
  aggregates: Aggregate[];
  /** Groups withheld because they had fewer than `minReports` reports (only their count is told). */
  withheld: number;
}
