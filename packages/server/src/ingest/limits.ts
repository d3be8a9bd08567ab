import { REPORT_MAX_BYTES, ReportBatch } from '@edgewise/protocol';

/** Most reports in one batch, from the protocol's `ReportBatch` schema. */
export const BATCH_MAX_REPORTS: number = ReportBatch.properties.reports.maxItems ?? 20;

/**
 * Largest body `POST /v1/reports` reads: a full batch of reports at the per-report limit. A single report (not a
 * batch) is held to {@link REPORT_MAX_BYTES} after parsing.
 */
export const BATCH_MAX_BYTES = BATCH_MAX_REPORTS * REPORT_MAX_BYTES;

/** How long a browser may cache an allowed preflight, in seconds. Chromium caps it at 7200 (2 hours). */
export const PREFLIGHT_MAX_AGE_S = 7200;
