/** Version string sent in reports (`sdkVersion`) and shown by `edgewise.debug`. */
export const SDK_VERSION = '0.1.0';

/** IndexedDB database name; `privacy.forget()` deletes it whole. */
export const DB_NAME = 'edgewise';
/** Current IndexedDB schema version; every earlier version has an upgrade step in `store/schema.ts`. */
export const DB_VERSION = 2;

/** A browsing session ends after 30 minutes without events (GA4's default session timeout). */
export const SESSION_GAP_MS = 30 * 60 * 1000;

/** Events wait this long in memory before one IndexedDB transaction writes the batch. */
export const FLUSH_DELAY_MS = 1000;
/**
 * A batch this large is written at once instead of waiting for the delay, so a burst never outgrows memory. Each
 * transaction costs the page a fixed ~0.5 ms besides its bytes (Chromium 156), so bursts go in few, large ones.
 */
export const FLUSH_BATCH_EVENTS = 400;
/** Longest wait for an idle period before a flush runs anyway. */
export const IDLE_TIMEOUT_MS = 1000;
/** Events kept in memory while consent is pending or storage is busy; older ones are dropped first. */
export const MEMORY_EVENTS_MAX = 2000;

/** Longest string kept in an event parameter (characters); longer names are truncated. */
export const STRING_MAX = 256;
/** Longest identifier (item_id, transaction_id, ...); a longer one invalidates its item or field. */
export const ID_MAX = 128;
/** GA4 accepts at most 200 items per event. */
export const ITEMS_MAX = 200;
/** Largest JSON-LD script the collector parses (characters). */
export const JSONLD_MAX_CHARS = 200_000;

/** Entries kept in the debug ring buffer (`edgewise.debug.log`). */
export const LOG_MAX = 100;

/** More events than this within {@link BOT_RATE_WINDOW_MS} flags the page as automated. */
export const BOT_RATE_MAX_EVENTS = 60;
export const BOT_RATE_WINDOW_MS = 10_000;

/** Stored events older than this are deleted at startup (retention by age). */
export const RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** At most this many events are kept; the oldest go first (retention by count). */
export const RETENTION_EVENTS_MAX = 5000;

/** Affinities below this are pruned from the profile; at most {@link AFFINITY_KEYS_MAX} keys are kept. */
export const AFFINITY_MIN = 0.01;
export const AFFINITY_KEYS_MAX = 100;

/** Privacy budget of one category-interest report (OUE epsilon). */
export const REPORT_EPSILON = 2;
/** Per-device epsilon budget per UTC day, across all reports. With ε = 2 per report: one report a day. */
export const DAILY_EPSILON_BUDGET = 2;
/** A day needs this many interest events with a known category (or one purchase) before it is reported. */
export const REPORT_MIN_INTEREST_EVENTS = 3;

/** fetch keepalive and sendBeacon bodies are capped at 64 KiB in Chromium; stay under it. */
export const KEEPALIVE_LIMIT_BYTES = 60 * 1024;
/** Reports per POST; the server's `ReportBatch` allows 20. */
export const BATCH_MAX_REPORTS = 20;
/** Retry delays: full jitter over base × 2^attempt, capped. */
export const RETRY_BASE_MS = 2000;
export const RETRY_MAX_MS = 60 * 60 * 1000;
/** Reports older than this are dropped unsent (the server only aggregates recent periods). */
export const OUTBOX_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** How long recommend() waits for the worker before giving up (ms). */
export const RECOMMEND_TIMEOUT_MS = 15_000;
